//! Model-based property test: random operations against the engine and against
//! a plain in-memory model (a map of stream name to its events) must agree,
//! across restarts.

use std::collections::BTreeMap;
use std::sync::Arc;

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::{Engine, EngineConfig, EngineError};
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;
use proptest::prelude::*;

const TENANT: TenantId = TenantId(1);
const NAMES: [&str; 3] = ["a", "b", "c"];

#[derive(Clone, Debug)]
enum Op {
    CreateStream(usize),
    /// Append `count` events of `size` bytes; `skew` 0 means the right expected
    /// offset, anything else is added to it (wrong).
    Append { stream: usize, count: usize, size: usize, skew: u64 },
    Read { stream: usize, from: u64, max_bytes: u64 },
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..NAMES.len()).prop_map(Op::CreateStream),
        4 => (0..NAMES.len(), 1..4usize, 0..40usize, prop_oneof![3 => Just(0u64), 1 => 1..3u64])
            .prop_map(|(stream, count, size, skew)| Op::Append { stream, count, size, skew }),
        3 => (0..NAMES.len(), 0..12u64, 0..120u64)
            .prop_map(|(stream, from, max_bytes)| Op::Read { stream, from, max_bytes }),
        1 => Just(Op::Restart),
    ]
}

/// What a read must return per protocol v5: events from `from` while the bytes
/// so far are below `max_bytes`.
fn model_read(events: &[Vec<u8>], from: u64, max_bytes: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut bytes = 0u64;
    for event in events.iter().skip(from as usize) {
        if bytes >= max_bytes {
            break;
        }
        bytes += event.len() as u64;
        out.push(event.clone());
    }
    out
}

fn open(vfs: &Arc<dyn Vfs>, dir: &std::path::Path) -> Engine {
    let mut config = EngineConfig::new(dir, "model.test");
    config.segment_size_bytes = 4096; // several segments in a short run
    Engine::open(vfs.clone(), config).unwrap().0
}

fn run(ops: Vec<Op>) {
    let dir = tempfile::tempdir().unwrap();
    let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
    Engine::init(vfs.clone(), &EngineConfig::new(dir.path(), "model.test")).unwrap();
    let mut engine = open(&vfs, dir.path());
    engine.create_tenant(TENANT, "model").unwrap();
    let mut model: BTreeMap<&str, (StreamId, Vec<Vec<u8>>)> = BTreeMap::new();
    let mut counter = 0u32;
    for op in ops {
        match op {
            Op::CreateStream(index) => {
                let name = NAMES[index];
                let id = engine
                    .create_stream(TENANT, name, DataClass::Public, Placement::Global)
                    .unwrap();
                let entry = model.entry(name).or_insert((id, Vec::new()));
                assert_eq!(entry.0, id, "create_stream is idempotent by name");
            }
            Op::Append { stream, count, size, skew } => {
                let Some((id, events)) = model.get_mut(NAMES[stream]) else { continue };
                let batch: Vec<Vec<u8>> = (0..count)
                    .map(|_| {
                        counter += 1;
                        let mut event = counter.to_be_bytes().to_vec();
                        event.resize(size.max(4), 0xEE);
                        event
                    })
                    .collect();
                let expected = events.len() as u64 + skew;
                let result = engine.append(TENANT, *id, Offset(expected), batch.clone());
                if skew == 0 {
                    let outcome = result.unwrap();
                    assert_eq!(outcome.first_offset, Offset(expected));
                    assert_eq!(outcome.count as usize, count);
                    events.extend(batch);
                } else {
                    let error = result.unwrap_err();
                    assert_eq!(error.code(), kimberlite_protocol::ErrorCode::OffsetMismatch);
                }
            }
            Op::Read { stream, from, max_bytes } => {
                let Some((id, events)) = model.get(NAMES[stream]) else { continue };
                match engine.read(TENANT, *id, Offset(from), max_bytes) {
                    Ok(batch) => {
                        let expected = model_read(events, from, max_bytes);
                        let next = (!expected.is_empty()).then(|| Offset(from + expected.len() as u64));
                        assert_eq!(batch.events, expected);
                        assert_eq!(batch.next_offset, next);
                    }
                    Err(EngineError::OutOfRange { .. }) => assert!(from > events.len() as u64),
                    Err(other) => panic!("read failed: {other}"),
                }
            }
            Op::Restart => {
                engine.shutdown().unwrap();
                drop(engine);
                engine = open(&vfs, dir.path());
            }
        }
    }
    for (id, events) in model.values() {
        assert_eq!(engine.stream_length(TENANT, *id).unwrap(), events.len() as u64);
    }
    engine.shutdown().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_behaves_like_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops);
    }
}
