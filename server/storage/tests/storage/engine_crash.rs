//! Crash tests: random workloads over `FaultVfs` with power cuts at random
//! points, many seeds. After every cut the engine must reopen with every
//! acknowledged stream and event, chains that link and Merkle roots that match
//! the records, and take new writes where the log ended.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test loudly"
)]

use std::path::PathBuf;
use std::sync::Arc;

use kimberlite_protocol::merkle::root;
use kimberlite_protocol::record::genesis_hash;
use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::{Completion, Engine, EngineConfig};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::Vfs;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TENANT: TenantId = TenantId(3);

fn config() -> EngineConfig {
    let mut config = EngineConfig::new(PathBuf::from("/node"), "crash.test");
    config.segment_size_bytes = 8 * 1024; // segment roll-overs happen too
                                          // Segments prepared between batches: crashes during preparation and the
                                          // switch to a prepared segment, and the same files for every run of a seed.
    config.wal_preallocate = kimberlite_storage::wal::Preallocate::Inline;
    config.snapshot_interval_bytes = 16 * 1024;
    config
}

/// The acknowledged content of each stream.
type Model = Vec<(StreamId, Vec<Vec<u8>>)>;

/// Runs random operations; returns the unacknowledged append left in flight.
fn workload(engine: &Engine, model: &mut Model, rng: &mut StdRng, tag: &mut u32) -> Option<usize> {
    for _ in 0..rng.gen_range(5..40) {
        match rng.gen_range(0..10) {
            0 if model.len() < 4 => {
                let name = format!("stream-{}", model.len());
                let id = engine
                    .create_stream(TENANT, &name, DataClass::Public, Placement::Global)
                    .unwrap();
                model.push((id, Vec::new()));
            }
            1 => engine.sync().unwrap(),
            _ if !model.is_empty() => {
                let index = rng.gen_range(0..model.len());
                let (id, events) = &mut model[index];
                let batch: Vec<Vec<u8>> = (0..rng.gen_range(1..5))
                    .map(|_| {
                        *tag += 1;
                        format!("event {tag} {}", "x".repeat(rng.gen_range(0..300))).into_bytes()
                    })
                    .collect();
                engine
                    .append(TENANT, *id, Offset(events.len() as u64), batch.clone())
                    .unwrap();
                events.extend(batch);
            }
            _ => {}
        }
    }
    let index = rng.gen_range(0..model.len().max(1));
    let (id, events) = model.get(index)?;
    let in_flight = vec![b"in flight 1".to_vec(), b"in flight 2".to_vec()];
    let (completion, _waiter) = Completion::channel();
    engine.submit_append(
        TENANT,
        *id,
        Offset(events.len() as u64),
        in_flight,
        completion,
    );
    Some(index)
}

/// Checks the reopened engine against the model; the in-flight append (never
/// acknowledged) may have survived, but only whole.
fn check(engine: &Engine, model: &mut Model, in_flight: Option<usize>, seed: u64) {
    for (index, (id, events)) in model.iter_mut().enumerate() {
        let stored = engine
            .read(TENANT, *id, Offset(0), u64::MAX)
            .unwrap()
            .events;
        assert!(
            stored.len() >= events.len(),
            "seed {seed}: stream {id} lost events"
        );
        assert_eq!(
            &stored[..events.len()],
            &events[..],
            "seed {seed}: stream {id}"
        );
        let extra = stored.len() - events.len();
        // The in-flight append is there whole or not at all.
        assert!(
            extra == 0 || (in_flight == Some(index) && extra == 2),
            "seed {seed}: {extra} events of the in-flight append"
        );
        events.extend_from_slice(&stored[events.len()..]);
        let length = events.len() as u64;
        let proven = engine
            .prove_records(TENANT, *id, Offset(0), u32::MAX, None)
            .unwrap();
        let mut previous = genesis_hash(TENANT, *id);
        for record in &proven.records {
            assert_eq!(
                record.prev_hash, previous,
                "seed {seed}: chain of stream {id}"
            );
            previous = record.record_hash;
        }
        let leaves: Vec<_> = proven
            .records
            .iter()
            .map(|record| record.record_hash)
            .collect();
        assert_eq!(
            engine.root_at(TENANT, *id, length).unwrap(),
            root(&leaves),
            "seed {seed}"
        );
    }
}

#[test]
fn random_workloads_survive_power_cuts() {
    for seed in 0..24u64 {
        let faults = FaultVfs::new(seed);
        let vfs: Arc<dyn Vfs> = Arc::new(faults.clone());
        Engine::init(vfs.clone(), &config()).unwrap();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut model = Model::new();
        let mut tag = 0;
        let engine = Engine::open(vfs.clone(), config()).unwrap().0;
        engine.create_tenant(TENANT, "crash").unwrap();
        let mut engine = Some(engine);
        for round in 0..3 {
            let running = engine.take().unwrap();
            let in_flight = workload(&running, &mut model, &mut rng, &mut tag);
            faults.power_loss(seed * 1_000 + round);
            drop(running);
            let reopened = Engine::open(vfs.clone(), config()).unwrap().0;
            check(&reopened, &mut model, in_flight, seed);
            engine = Some(reopened);
        }
    }
}
