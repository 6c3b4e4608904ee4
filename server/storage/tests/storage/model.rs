//! Model-based property test: random operations against the engine and against
//! a plain in-memory model (a map of stream name to its events) must agree,
//! across restarts.

#![allow(
    clippy::unwrap_used,
    reason = "the harness runs inside a proptest and fails the case loudly"
)]

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
    Append {
        stream: usize,
        count: usize,
        size: usize,
        skew: u64,
    },
    Read {
        stream: usize,
        from: u64,
        max_bytes: u64,
    },
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

/// The engine under test beside its model.
struct Harness {
    vfs: Arc<dyn Vfs>,
    dir: tempfile::TempDir,
    engine: Engine,
    /// Stream name -> (id, events).
    model: BTreeMap<&'static str, (StreamId, Vec<Vec<u8>>)>,
    counter: u32,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
        Engine::init(vfs.clone(), &EngineConfig::new(dir.path(), "model.test")).unwrap();
        let engine = open(&vfs, dir.path());
        engine.create_tenant(TENANT, "model").unwrap();
        Self {
            vfs,
            dir,
            engine,
            model: BTreeMap::new(),
            counter: 0,
        }
    }

    fn step(&mut self, op: Op) {
        match op {
            Op::CreateStream(index) => {
                let name = NAMES[index];
                let id = self
                    .engine
                    .create_stream(TENANT, name, DataClass::Public, Placement::Global)
                    .unwrap();
                let entry = self.model.entry(name).or_insert((id, Vec::new()));
                assert_eq!(entry.0, id, "create_stream is idempotent by name");
            }
            Op::Append {
                stream,
                count,
                size,
                skew,
            } => self.append(stream, count, size, skew),
            Op::Read {
                stream,
                from,
                max_bytes,
            } => self.read(stream, from, max_bytes),
            Op::Restart => {
                self.engine.shutdown().unwrap();
                self.engine = open(&self.vfs, self.dir.path());
            }
        }
    }

    fn append(&mut self, stream: usize, count: usize, size: usize, skew: u64) {
        let Some((id, events)) = self.model.get_mut(NAMES[stream]) else {
            return;
        };
        let batch: Vec<Vec<u8>> = (0..count)
            .map(|_| {
                self.counter += 1;
                let mut event = self.counter.to_be_bytes().to_vec();
                event.resize(size.max(4), 0xEE);
                event
            })
            .collect();
        let expected = events.len() as u64 + skew;
        let result = self
            .engine
            .append(TENANT, *id, Offset(expected), batch.clone());
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

    fn read(&self, stream: usize, from: u64, max_bytes: u64) {
        let Some((id, events)) = self.model.get(NAMES[stream]) else {
            return;
        };
        match self.engine.read(TENANT, *id, Offset(from), max_bytes) {
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

    fn finish(self) {
        for (id, events) in self.model.values() {
            assert_eq!(
                self.engine.stream_length(TENANT, *id).unwrap(),
                events.len() as u64
            );
        }
        self.engine.shutdown().unwrap();
    }
}

fn run(ops: Vec<Op>) {
    let mut harness = Harness::new();
    for op in ops {
        harness.step(op);
    }
    harness.finish();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_behaves_like_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops);
    }
}
