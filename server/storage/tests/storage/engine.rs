//! The engine end to end, over the real file system and over `FaultVfs`:
//! reads, verified reads, concurrency, recovery, rebuilding derived files,
//! crypto-erasure, tenant isolation, encryption at rest and failure handling.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test loudly"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kimberlite_protocol::checkpoint::{checkpoint_origin, open_checkpoint, Checkpoint};
use kimberlite_protocol::merkle::{verify_consistency, verify_inclusion, verify_range};
use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::record::{genesis_hash, RecordKind, RecordRef};
use kimberlite_protocol::{DataClass, ErrorCode, Hash, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::{
    Clock, Engine, EngineConfig, EngineError, ProofShape, VerifiedRead, VerifiedReadRequest,
};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::{OpenMode, Vfs};

const IDENTITY: &str = "engine.test";
const T1: TenantId = TenantId(1);
const T2: TenantId = TenantId(2);

/// A clock the test moves by hand.
#[derive(Debug)]
struct ManualClock(AtomicU64);

impl Clock for ManualClock {
    fn now_ns(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct Node {
    _dir: Option<tempfile::TempDir>,
    root: PathBuf,
    vfs: Arc<dyn Vfs>,
}

impl Node {
    fn os() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data");
        Self::init(Some(dir), root, Arc::new(OsVfs))
    }

    fn fault(vfs: &FaultVfs) -> Self {
        Self::init(None, PathBuf::from("/data"), Arc::new(vfs.clone()))
    }

    fn init(dir: Option<tempfile::TempDir>, root: PathBuf, vfs: Arc<dyn Vfs>) -> Self {
        Engine::init(vfs.clone(), &EngineConfig::new(&root, IDENTITY)).unwrap();
        Self {
            _dir: dir,
            root,
            vfs,
        }
    }

    fn config(&self) -> EngineConfig {
        let mut config = EngineConfig::new(&self.root, IDENTITY);
        config.segment_size_bytes = 64 * 1024;
        config
    }

    fn open(&self) -> Engine {
        Engine::open(self.vfs.clone(), self.config()).unwrap().0
    }

    fn open_with_clock(&self, clock: Arc<dyn Clock>) -> Engine {
        Engine::open_with_clock(self.vfs.clone(), self.config(), clock)
            .unwrap()
            .0
    }
}

fn stream(engine: &Engine, tenant: TenantId, name: &str) -> StreamId {
    engine
        .create_stream(tenant, name, DataClass::PHI, Placement::Global)
        .unwrap()
}

fn with_tenants(engine: &Engine) {
    engine.create_tenant(T1, "one").unwrap();
    engine.create_tenant(T2, "two").unwrap();
}

fn event(index: usize) -> Vec<u8> {
    format!("event-{index:05}").into_bytes()
}

/// Checks a verified read as a client would: signature, inclusion of every
/// record recomputed from its bytes, chain links, and consistency with `trusted`.
/// The same read as `per_record` with one range proof: the same records and
/// checkpoint, and a proof that leads from their hashes to `root`.
fn check_range_read(
    engine: &Engine,
    (tenant, stream): (TenantId, StreamId),
    per_record: &VerifiedRead,
    root: Hash,
) {
    let from = per_record.records[0].offset;
    let request = VerifiedReadRequest {
        from_offset: from,
        max_events: 1_000,
        max_bytes: 1 << 20,
        trusted_size: None,
        shape: ProofShape::Range,
    };
    let read = engine.read_verified_as(tenant, stream, request).unwrap();
    assert_eq!(
        read.checkpoint, per_record.checkpoint,
        "the same signed note"
    );
    let leaves: Vec<Hash> = read
        .records
        .iter()
        .zip(&per_record.records)
        .map(|(record, twin)| {
            assert!(record.inclusion_proof.is_empty());
            assert_eq!(
                (record.offset, &record.payload),
                (twin.offset, &twin.payload)
            );
            RecordRef {
                tenant_id: tenant,
                stream_id: stream,
                offset: record.offset,
                timestamp_ns: record.timestamp_ns,
                kind: RecordKind::from_u8(record.kind).unwrap(),
                prev_hash: record.prev_hash,
                payload: &record.payload,
            }
            .hash()
        })
        .collect();
    assert_eq!(leaves.len(), per_record.records.len());
    verify_range(&leaves, from.get(), read.size, &read.range_proof, &root).unwrap();
}

fn check_verified(
    engine: &Engine,
    (tenant, stream): (TenantId, StreamId),
    read: &VerifiedRead,
    trusted: Option<(u64, Hash)>,
) -> Hash {
    let verifier = NoteVerifier::from_verifier_key(&engine.verifier_key()).unwrap();
    let checkpoint = open_checkpoint(
        &read.checkpoint,
        &verifier,
        &checkpoint_origin(IDENTITY, tenant, stream),
    )
    .unwrap();
    assert_eq!(checkpoint.size, read.size);
    let mut previous: Option<Hash> = None;
    for record in &read.records {
        let kind = RecordKind::from_u8(record.kind).unwrap();
        let hash = RecordRef {
            tenant_id: tenant,
            stream_id: stream,
            offset: record.offset,
            timestamp_ns: record.timestamp_ns,
            kind,
            prev_hash: record.prev_hash,
            payload: &record.payload,
        }
        .hash();
        verify_inclusion(
            &hash,
            record.offset.get(),
            read.size,
            &record.inclusion_proof,
            &checkpoint.root,
        )
        .unwrap();
        match previous {
            Some(previous) => assert_eq!(record.prev_hash, previous, "chain link"),
            None if record.offset == Offset(0) => {
                assert_eq!(record.prev_hash, genesis_hash(tenant, stream));
            }
            None => {}
        }
        previous = Some(hash);
    }
    if let Some((old_size, old_root)) = trusted {
        let proof = read.consistency_proof.as_ref().unwrap();
        verify_consistency(old_size, read.size, &old_root, &checkpoint.root, proof).unwrap();
    }
    checkpoint.root
}

#[test]
fn reads_follow_the_protocol_byte_limits() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "limits");
    let events: Vec<Vec<u8>> = (0..3u32)
        .map(|index| index.to_be_bytes().to_vec())
        .collect();
    let outcome = engine.append(T1, id, Offset(0), events).unwrap();
    assert_eq!((outcome.first_offset, outcome.count), (Offset(0), 3));
    for (max_bytes, expected) in [(0, 0), (1, 1), (4, 1), (5, 2), (9, 3)] {
        let batch = engine.read(T1, id, Offset(0), max_bytes).unwrap();
        assert_eq!(batch.events.len(), expected, "max_bytes {max_bytes}");
        let next = (expected > 0).then_some(Offset(expected as u64));
        assert_eq!(batch.next_offset, next);
    }
    assert_eq!(engine.read(T1, id, Offset(3), 100).unwrap().events.len(), 0);
    assert!(matches!(
        engine.read(T1, id, Offset(4), 100),
        Err(EngineError::OutOfRange { .. })
    ));
    let mismatch = engine
        .append(T1, id, Offset(2), vec![b"x".to_vec()])
        .unwrap_err();
    assert_eq!(mismatch.code(), ErrorCode::OffsetMismatch);
    let empty = engine.append(T1, id, Offset(3), Vec::new()).unwrap_err();
    assert_eq!(empty.code(), ErrorCode::InvalidRequest);
    assert_eq!(
        stream(&engine, T1, "limits"),
        id,
        "create_stream is idempotent by name"
    );
    engine.shutdown().unwrap();
}

#[test]
fn verified_reads_prove_records_and_history() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "proofs");
    let mut trusted: Option<(u64, Hash)> = None;
    let mut written = 0usize;
    for round in 1..=12usize {
        let batch: Vec<Vec<u8>> = (written..written + round).map(event).collect();
        engine
            .append(T1, id, Offset(written as u64), batch)
            .unwrap();
        written += round;
        let from = Offset((written / 3) as u64);
        let read = engine
            .read_verified(T1, id, from, 1_000, 1 << 20, trusted.map(|(size, _)| size))
            .unwrap();
        assert_eq!(read.records.len(), written - from.get() as usize);
        assert_eq!(read.records[0].payload, event(from.get() as usize));
        let root = check_verified(&engine, (T1, id), &read, trusted);
        check_range_read(&engine, (T1, id), &read, root);
        trusted = Some((read.size, root));
    }
    // A checkpoint at an older size, and a proof from it, verify too.
    let verifier = NoteVerifier::from_verifier_key(&engine.verifier_key()).unwrap();
    let open = |note: String| -> Checkpoint {
        open_checkpoint(&note, &verifier, &checkpoint_origin(IDENTITY, T1, id)).unwrap()
    };
    let old = open(engine.checkpoint(T1, id, Some(10)).unwrap());
    let new = open(engine.checkpoint(T1, id, None).unwrap());
    let last = engine
        .prove_records(T1, id, Offset(new.size - 1), 1, None)
        .unwrap();
    assert_eq!(
        new.timestamp_ns().unwrap(),
        Some(last.records[0].timestamp_ns)
    );
    let proof = engine.consistency_proof(T1, id, 10, new.size).unwrap();
    verify_consistency(10, new.size, &old.root, &new.root, &proof).unwrap();
    assert!(engine.checkpoint(T1, id, Some(new.size + 1)).is_err());
    engine.shutdown().unwrap();
}

#[test]
fn concurrent_appenders_are_all_durable() {
    let faults = FaultVfs::new(11);
    let node = Node::fault(&faults);
    let engine = Arc::new(node.open());
    with_tenants(&engine);
    let shared = stream(&engine, T1, "shared");
    let own: Vec<StreamId> = (0..4)
        .map(|index| stream(&engine, T2, &format!("own-{index}")))
        .collect();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut threads = Vec::new();
    for worker in 0..8usize {
        let (engine, acked, own) = (engine.clone(), acked.clone(), own.clone());
        threads.push(std::thread::spawn(move || {
            for index in 0..25usize {
                let payload = format!("w{worker}-{index}").into_bytes();
                // Half the workers race on one stream with retries; the
                // others append to streams of their own.
                let (tenant, id) = if worker % 2 == 0 {
                    (T1, shared)
                } else {
                    (T2, own[worker / 2])
                };
                loop {
                    let length = engine.stream_length(tenant, id).unwrap();
                    match engine.append(tenant, id, Offset(length), vec![payload.clone()]) {
                        Ok(outcome) => {
                            acked
                                .lock()
                                .unwrap()
                                .push((tenant, id, outcome.first_offset, payload));
                            break;
                        }
                        Err(error) => assert_eq!(error.code(), ErrorCode::OffsetMismatch),
                    }
                }
            }
        }));
    }
    for thread in threads {
        thread.join().unwrap();
    }
    // Power fails right after the last answer; nothing acknowledged may be lost.
    faults.power_loss(99);
    drop(engine);
    let engine = node.open();
    let acked = acked.lock().unwrap();
    assert_eq!(acked.len(), 200);
    let mut places = BTreeSet::new();
    for (tenant, id, offset, payload) in acked.iter() {
        assert!(
            places.insert((*tenant, *id, *offset)),
            "two acks for one offset"
        );
        let read = engine.read(*tenant, *id, *offset, 1).unwrap();
        assert_eq!(&read.events[0], payload);
    }
    assert_eq!(engine.stream_length(T1, shared).unwrap(), 100);
}

#[test]
fn power_loss_never_loses_an_acknowledged_append() {
    for seed in 0..12u64 {
        let faults = FaultVfs::new(seed);
        let node = Node::fault(&faults);
        let engine = node.open();
        with_tenants(&engine);
        let id = stream(&engine, T1, "crash");
        let acked = 5 + seed as usize * 3;
        for index in 0..acked {
            engine
                .append(T1, id, Offset(index as u64), vec![event(index)])
                .unwrap();
            if index == acked / 2 {
                engine.sync().unwrap(); // a snapshot in the middle, on some seeds
            }
        }
        // An append the power cut interrupts: it may or may not survive.
        let (completion, _waiter) = kimberlite_storage::engine::Completion::channel();
        engine.submit_append(T1, id, Offset(acked as u64), vec![event(acked)], completion);
        faults.power_loss(seed * 7 + 1);
        drop(engine);
        let (engine, _report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
        let length = engine.stream_length(T1, id).unwrap() as usize;
        assert!(
            length == acked || length == acked + 1,
            "seed {seed}: length {length}"
        );
        let read = engine.read(T1, id, Offset(0), u64::MAX).unwrap();
        assert_eq!(
            read.events,
            (0..length).map(event).collect::<Vec<_>>(),
            "seed {seed}"
        );
        // The log takes new appends where it ended.
        engine
            .append(T1, id, Offset(length as u64), vec![b"after".to_vec()])
            .unwrap();
    }
}

#[test]
fn restart_and_rebuilt_derived_files_give_identical_roots() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let ids: Vec<StreamId> = (0..3)
        .map(|index| stream(&engine, T1, &format!("s{index}")))
        .collect();
    for (number, id) in ids.iter().enumerate() {
        for index in 0..(20 * (number + 1)) {
            engine
                .append(T1, *id, Offset(index as u64), vec![event(index)])
                .unwrap();
        }
    }
    let roots = |engine: &Engine| -> Vec<(u64, Hash)> {
        ids.iter()
            .map(|id| {
                let length = engine.stream_length(T1, *id).unwrap();
                (length, engine.root_at(T1, *id, length).unwrap())
            })
            .collect()
    };
    let before = roots(&engine);
    engine.shutdown().unwrap();
    drop(engine);

    let (engine, report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
    assert_eq!(
        report.records_replayed, 0,
        "a clean shutdown leaves a current snapshot"
    );
    assert_eq!(roots(&engine), before);
    engine.shutdown().unwrap();
    drop(engine);

    // Indexes gone but the snapshot kept: the snapshot no longer matches them,
    // so the whole log is replayed.
    std::fs::remove_dir_all(node.root.join("streams")).unwrap();
    let (engine, report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
    assert!(report.snapshot_discarded.is_some());
    assert_eq!(roots(&engine), before);
    engine.shutdown().unwrap();
    drop(engine);

    std::fs::remove_dir_all(node.root.join("streams")).unwrap();
    std::fs::remove_dir_all(node.root.join("state")).unwrap();
    let (engine, report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
    assert_eq!(report.replayed_from_lsn, 0);
    assert!(report.records_replayed >= 120);
    assert_eq!(roots(&engine), before);
    let read = engine.read(T1, ids[2], Offset(59), 100).unwrap();
    assert_eq!(read.events, vec![event(59)]);
    engine.shutdown().unwrap();
}

#[test]
fn crypto_erasure_keeps_proofs_but_not_payloads() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "erased");
    let kept = stream(&engine, T2, "kept");
    for index in 0..10 {
        engine
            .append(T1, id, Offset(index), vec![event(index as usize)])
            .unwrap();
        engine
            .append(T2, kept, Offset(index), vec![event(index as usize)])
            .unwrap();
    }
    let before = engine
        .read_verified(T1, id, Offset(0), 100, u64::MAX, None)
        .unwrap();
    let root = check_verified(&engine, (T1, id), &before, None);
    engine.erase_tenant(T1).unwrap();

    let check = |engine: &Engine| {
        assert!(matches!(
            engine.read(T1, id, Offset(0), 100),
            Err(EngineError::Erased(1))
        ));
        let proven = engine.prove_records(T1, id, Offset(0), 100, None).unwrap();
        let verifier = NoteVerifier::from_verifier_key(&engine.verifier_key()).unwrap();
        let checkpoint = open_checkpoint(
            &proven.checkpoint,
            &verifier,
            &checkpoint_origin(IDENTITY, T1, id),
        )
        .unwrap();
        assert_eq!(checkpoint.root, root, "erasure changes no hash");
        let mut previous = genesis_hash(T1, id);
        for (record, clear) in proven.records.iter().zip(&before.records) {
            assert_eq!(record.prev_hash, previous);
            assert_eq!(record.prev_hash, clear.prev_hash);
            let proof = &record.inclusion_proof;
            verify_inclusion(&record.record_hash, record.offset.get(), 10, proof, &root).unwrap();
            previous = record.record_hash;
        }
        let other = engine.read(T2, kept, Offset(0), u64::MAX).unwrap();
        assert_eq!(other.events.len(), 10, "other tenants are untouched");
        let refused = engine
            .append(T1, id, Offset(10), vec![b"more".to_vec()])
            .unwrap_err();
        assert_ne!(refused.code(), ErrorCode::OffsetMismatch);
    };
    check(&engine);
    engine.shutdown().unwrap();
    drop(engine);
    // After a restart the key stays gone and the proofs stay the same.
    let engine = node.open();
    check(&engine);
    engine.shutdown().unwrap();
}

#[test]
fn tenants_cannot_reach_each_others_streams() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let private = stream(&engine, T1, "private");
    engine
        .append(T1, private, Offset(0), vec![b"secret of one".to_vec()])
        .unwrap();
    let not_found = engine.read(T2, private, Offset(0), 100).unwrap_err();
    assert_eq!(not_found.code(), ErrorCode::StreamNotFound);
    let not_found = engine
        .append(T2, private, Offset(0), vec![b"x".to_vec()])
        .unwrap_err();
    assert_eq!(not_found.code(), ErrorCode::StreamNotFound);
    assert!(engine.checkpoint(T2, private, None).is_err());
    // The same name in another tenant is another stream.
    let theirs = stream(&engine, T2, "private");
    engine
        .append(T2, theirs, Offset(0), vec![b"of two".to_vec()])
        .unwrap();
    assert_eq!(
        engine.read(T1, private, Offset(0), 100).unwrap().events,
        vec![b"secret of one".to_vec()]
    );
    assert_eq!(
        engine.read(T2, theirs, Offset(0), 100).unwrap().events,
        vec![b"of two".to_vec()]
    );
    let unknown = engine
        .read(TenantId(9), private, Offset(0), 100)
        .unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::TenantNotFound);
    engine.shutdown().unwrap();
}

fn files_under(path: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(path).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn data_files_hold_no_plaintext_payload() {
    const MARKER: &[u8] = b"MARKER-7f3a9c-PATIENT-NAME";
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "phi");
    for index in 0..20 {
        let mut payload = MARKER.to_vec();
        payload.extend_from_slice(&event(index));
        engine
            .append(T1, id, Offset(index as u64), vec![payload])
            .unwrap();
    }
    engine
        .append_sql_effect(T1, Vec::new(), MARKER.to_vec())
        .unwrap();
    assert!(engine.read(T1, id, Offset(0), 1).unwrap().events[0].starts_with(MARKER));
    engine.shutdown().unwrap();
    let mut files = Vec::new();
    files_under(&node.root, &mut files);
    assert!(files.len() >= 6, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let found = bytes.windows(MARKER.len()).any(|window| window == MARKER);
        assert!(!found, "{} holds the plaintext marker", file.display());
    }
}

#[test]
fn time_travel_finds_the_last_record_at_or_before() {
    let node = Node::os();
    let clock = Arc::new(ManualClock(AtomicU64::new(1_000)));
    let engine = node.open_with_clock(clock.clone());
    with_tenants(&engine);
    let id = stream(&engine, T1, "timeline");
    for (index, time) in [2_000u64, 2_000, 3_000, 5_000].iter().enumerate() {
        clock.0.store(*time, Ordering::SeqCst);
        engine
            .append(T1, id, Offset(index as u64), vec![event(index)])
            .unwrap();
    }
    // A clock that steps back does not make commit times go backwards.
    clock.0.store(4_000, Ordering::SeqCst);
    let outcome = engine.append(T1, id, Offset(4), vec![event(4)]).unwrap();
    assert_eq!(outcome.timestamp_ns, 5_000);
    let expect = [
        (1_999, None),
        (2_000, Some(1)),
        (2_999, Some(1)),
        (3_000, Some(2)),
        (9_999, Some(4)),
    ];
    for (time, offset) in expect {
        assert_eq!(
            engine.offset_at_timestamp(T1, id, time).unwrap(),
            offset.map(Offset),
            "at {time}"
        );
    }
    let sql = engine
        .append_sql_effect(T1, Vec::new(), b"effect".to_vec())
        .unwrap();
    assert_eq!(sql.first_offset, Offset(0));
    let sql = engine
        .append_sql_effect(T1, Vec::new(), b"effect 2".to_vec())
        .unwrap();
    assert_eq!(sql.first_offset, Offset(1));
    engine.shutdown().unwrap();
}

fn last_segment(root: &Path) -> PathBuf {
    let mut segments: Vec<PathBuf> = std::fs::read_dir(root.join("wal"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    segments.sort();
    segments.pop().unwrap()
}

#[test]
fn a_torn_tail_is_dropped_and_mid_log_corruption_is_reported() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "torn");
    for index in 0..30 {
        engine
            .append(T1, id, Offset(index), vec![vec![b'x'; 200]])
            .unwrap();
    }
    engine.shutdown().unwrap();
    drop(engine);
    let segment = last_segment(&node.root);
    let file = node.vfs.open(&segment, OpenMode::Existing).unwrap();
    let length = file.len().unwrap();
    // Half an entry at the end: the shape a power cut leaves.
    file.write_all_at(&[0x4B, 0x4D, 0x42, 0x52, 0, 0, 1, 0, 9, 9], length)
        .unwrap();
    drop(file);
    let (engine, report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
    assert_eq!(report.torn_tail_bytes, 10);
    assert_eq!(engine.stream_length(T1, id).unwrap(), 30);
    engine.shutdown().unwrap();
    drop(engine);

    // A flipped byte in the middle of the log is corruption, not a tail.
    let file = node.vfs.open(&segment, OpenMode::Existing).unwrap();
    let middle = file.len().unwrap() / 2;
    let mut byte = [0u8; 1];
    file.read_exact_at(&mut byte, middle).unwrap();
    file.write_all_at(&[byte[0] ^ 0x40], middle).unwrap();
    drop(file);
    let error = Engine::open(node.vfs.clone(), node.config()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(&segment.display().to_string()) || message.contains(".seg"),
        "{message}"
    );
}

#[test]
fn a_failed_fsync_stops_writes_until_a_restart() {
    let faults = FaultVfs::new(5);
    let node = Node::fault(&faults);
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "fsync");
    engine.append(T1, id, Offset(0), vec![event(0)]).unwrap();
    faults.fail_sync_after(0);
    let failed = engine
        .append(T1, id, Offset(1), vec![event(1)])
        .unwrap_err();
    assert_eq!(failed.code(), ErrorCode::StorageError);
    let later = engine
        .append(T1, id, Offset(1), vec![event(1)])
        .unwrap_err();
    assert!(matches!(later, EngineError::Failed(_)), "{later}");
    assert!(engine.failure().is_some());
    assert!(engine.shutdown().is_err());
    drop(engine);
    faults.power_loss(3);
    let engine = node.open();
    let length = engine.stream_length(T1, id).unwrap();
    assert!(length == 1 || length == 2);
    engine
        .append(T1, id, Offset(length), vec![event(9)])
        .unwrap();
    engine.shutdown().unwrap();
}

#[test]
fn an_append_cut_short_by_a_crash_is_left_out_whole() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "atomic");
    engine.append(T1, id, Offset(0), vec![event(0)]).unwrap();
    let segment = last_segment(&node.root);
    let before = std::fs::metadata(&segment).unwrap().len();
    let batch = vec![event(1), event(2), event(3)];
    engine.append(T1, id, Offset(1), batch).unwrap();
    engine.shutdown().unwrap();
    drop(engine);
    // As if power failed mid-write: the append's last entry never reached the
    // disk (and the derived state after it is gone).
    let after = std::fs::metadata(&segment).unwrap().len();
    let entry = (after - before) / 3;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap()
        .set_len(after - entry)
        .unwrap();
    std::fs::remove_dir_all(node.root.join("state")).unwrap();
    let (engine, report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
    assert_eq!(report.records_discarded, 2);
    assert_eq!(
        engine.stream_length(T1, id).unwrap(),
        1,
        "all of the append or none"
    );
    engine.append(T1, id, Offset(1), vec![event(9)]).unwrap();
    engine.shutdown().unwrap();
    drop(engine);
    // The leftover entries stay in the log and are skipped on every replay.
    std::fs::remove_dir_all(node.root.join("state")).unwrap();
    let (engine, report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
    assert_eq!(report.records_discarded, 2);
    let read = engine.read(T1, id, Offset(0), u64::MAX).unwrap();
    assert_eq!(read.events, vec![event(0), event(9)]);
    let proven = engine.prove_records(T1, id, Offset(0), 10, None).unwrap();
    assert_eq!(proven.records[1].prev_hash, proven.records[0].record_hash);
    engine.shutdown().unwrap();
}

#[test]
fn keys_are_never_overwritten_and_tenants_are_unique() {
    let node = Node::os();
    let again = Engine::init(node.vfs.clone(), &node.config());
    assert!(again.is_err(), "a second init must not replace the keys");
    let engine = node.open();
    with_tenants(&engine);
    let duplicate = engine.create_tenant(T1, "again").unwrap_err();
    assert_eq!(duplicate.code(), ErrorCode::TenantAlreadyExists);
    let reserved = engine.create_tenant(TenantId(0), "node").unwrap_err();
    assert_eq!(reserved.code(), ErrorCode::InvalidRequest);
    engine.shutdown().unwrap();
}

#[test]
fn a_damaged_snapshot_is_ignored_and_the_log_replayed() {
    let node = Node::os();
    let engine = node.open();
    with_tenants(&engine);
    let id = stream(&engine, T1, "snap");
    for index in 0..10 {
        engine
            .append(T1, id, Offset(index), vec![event(index as usize)])
            .unwrap();
    }
    let root = engine.root_at(T1, id, 10).unwrap();
    engine.shutdown().unwrap();
    drop(engine);
    let path = node.root.join("state").join("snapshot");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let (engine, report) = Engine::open(node.vfs.clone(), node.config()).unwrap();
    assert!(report.snapshot_discarded.unwrap().contains("checksum"));
    assert_eq!(report.replayed_from_lsn, 0);
    assert_eq!(engine.root_at(T1, id, 10).unwrap(), root);
    engine.shutdown().unwrap();
}
