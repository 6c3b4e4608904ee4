//! Unit tests of offline verification, over data directories the engine wrote
//! in memory ([`FaultVfs`]) and then damaged on purpose.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};

use super::{verify_data_dir, ReadOnlyVfs, VerifyError, VerifyReport};
use crate::engine::{read_snapshot, write_snapshot, Engine, EngineConfig, Layout, Snapshot};
use crate::io::fault::FaultVfs;
use crate::io::{OpenMode, Vfs};
use crate::wal::format::{ENTRY_HEADER_BYTES, SEGMENT_HEADER_BYTES};

const ROOT: &str = "/data";
const SEGMENT: &str = "/data/wal/00000000000000000000.seg";
const TENANT: TenantId = TenantId(7);

/// A data directory with a tenant, one stream of `events` records, stopped
/// cleanly. Returns the stream's id.
fn populated(vfs: &FaultVfs, events: u64) -> StreamId {
    let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
    let config = EngineConfig::new(ROOT, "verify.test");
    Engine::init(shared.clone(), &config).unwrap();
    let (engine, _) = Engine::open(shared, config).unwrap();
    engine.create_tenant(TENANT, "clinic").unwrap();
    let stream = engine
        .create_stream(TENANT, "visits", DataClass::PHI, Placement::Global)
        .unwrap();
    for offset in 0..events {
        let event = format!("event number {offset}").into_bytes();
        engine
            .append(TENANT, stream, Offset(offset), vec![event])
            .unwrap();
    }
    engine.shutdown().unwrap();
    stream
}

fn verify(vfs: &FaultVfs) -> VerifyReport {
    verify_data_dir(Arc::new(vfs.clone()), Path::new(ROOT), &mut |_| {}).unwrap()
}

fn overwrite(vfs: &FaultVfs, path: &str, offset: u64, bytes: &[u8]) {
    let file = vfs.open(Path::new(path), OpenMode::Existing).unwrap();
    file.write_all_at(bytes, offset).unwrap();
}

fn stream_file(stream: StreamId, name: &str) -> String {
    format!("{ROOT}/streams/{TENANT}/{stream}/{name}")
}

fn problems(report: &VerifyReport) -> Vec<String> {
    report.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_clean_directory_verifies_with_every_hash_recomputed() {
    let vfs = FaultVfs::new(1);
    let stream = populated(&vfs, 20);
    let report = verify(&vfs);
    assert!(report.is_ok(), "{:?}", problems(&report));
    let summary = report
        .streams
        .iter()
        .find(|summary| (summary.tenant_id, summary.stream_id) == (TENANT, stream))
        .unwrap();
    assert_eq!(summary.records, 20);
    assert_eq!(summary.hashes_recomputed, 20);
    assert!(!summary.erased);
    let total: u64 = report.streams.iter().map(|summary| summary.records).sum();
    assert_eq!(report.records, total);
    assert_eq!(report.segments, 1);
}

#[test]
fn verification_writes_nothing() {
    let vfs = FaultVfs::new(2);
    populated(&vfs, 5);
    let before = vfs.contents(Path::new(SEGMENT)).unwrap();
    let stats = vfs.stats();
    verify(&vfs);
    let after = vfs.stats();
    assert_eq!(
        (after.writes, after.syncs, after.dir_syncs),
        (stats.writes, stats.syncs, stats.dir_syncs)
    );
    assert_eq!(vfs.contents(Path::new(SEGMENT)).unwrap(), before);
    let read_only = ReadOnlyVfs::new(Arc::new(vfs.clone()));
    assert!(read_only
        .open(Path::new(SEGMENT), OpenMode::Existing)
        .is_err());
    assert!(read_only.create_dir_all(Path::new("/data/new")).is_err());
    assert!(read_only.remove_file(Path::new(SEGMENT)).is_err());
}

#[test]
fn a_flipped_byte_in_an_early_entry_is_named_by_file_and_offset() {
    let vfs = FaultVfs::new(3);
    populated(&vfs, 10);
    let first_body = SEGMENT_HEADER_BYTES + ENTRY_HEADER_BYTES;
    vfs.flip_bit(Path::new(SEGMENT), first_body + 20, 3)
        .unwrap();
    let report = verify(&vfs);
    let found = problems(&report);
    let expected = format!("wal/00000000000000000000.seg byte {SEGMENT_HEADER_BYTES}");
    assert!(
        found
            .iter()
            .any(|problem| problem.contains(&expected) && problem.contains("checksum")),
        "{found:?}"
    );
}

#[test]
fn an_altered_tree_hash_is_named_with_its_stream_and_leaf() {
    let vfs = FaultVfs::new(4);
    let stream = populated(&vfs, 8);
    // Position 3 holds leaf 2 (positions: L0 L1 N01 L2 ...).
    overwrite(
        &vfs,
        &stream_file(stream, "tree.hashes"),
        3 * 32,
        &[0xAB; 32],
    );
    let found = problems(&verify(&vfs));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("tree.hashes byte 96"), "{found:?}");
    assert!(
        found[0].contains(&format!("stream {TENANT}/{stream} record 2")),
        "{found:?}"
    );
}

#[test]
fn an_altered_offset_entry_is_named() {
    let vfs = FaultVfs::new(5);
    let stream = populated(&vfs, 8);
    overwrite(&vfs, &stream_file(stream, "offsets.idx"), 16 * 5, &[0; 8]);
    let found = problems(&verify(&vfs));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("offsets.idx byte 80"), "{found:?}");
}

#[test]
fn a_changed_payload_with_a_fixed_checksum_fails_authentication() {
    let vfs = FaultVfs::new(6);
    populated(&vfs, 3);
    let bytes = vfs.contents(Path::new(SEGMENT)).unwrap();
    // The last entry is an event of the tenant: change its last byte (GCM tag)
    // and recompute the frame's CRC, as a careful forger would.
    let mut offset = SEGMENT_HEADER_BYTES as usize;
    let mut last = offset;
    while offset < bytes.len() {
        last = offset;
        let len = u32::from_be_bytes(bytes[offset + 4..offset + 8].try_into().unwrap());
        offset += ENTRY_HEADER_BYTES as usize + len as usize;
    }
    let len = u32::from_be_bytes(bytes[last + 4..last + 8].try_into().unwrap()) as usize;
    let body_at = last + ENTRY_HEADER_BYTES as usize;
    let mut body = bytes[body_at..body_at + len].to_vec();
    *body.last_mut().unwrap() ^= 1;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&(len as u32).to_be_bytes());
    crc.update(&body);
    overwrite(
        &vfs,
        SEGMENT,
        last as u64 + 8,
        &crc.finalize().to_be_bytes(),
    );
    overwrite(&vfs, SEGMENT, body_at as u64, &body);
    let found = problems(&verify(&vfs));
    assert!(
        found
            .iter()
            .any(|problem| problem.contains("record 2") && problem.contains("payload")),
        "{found:?}"
    );
}

#[test]
fn garbage_after_the_last_entry_is_a_torn_tail_notice() {
    let vfs = FaultVfs::new(7);
    populated(&vfs, 4);
    let len = vfs.contents(Path::new(SEGMENT)).unwrap().len() as u64;
    overwrite(&vfs, SEGMENT, len, &[0x4B, 0x4D, 0x42, 0x52, 0, 0, 0, 9, 1]);
    let report = verify(&vfs);
    assert!(report.is_ok(), "{:?}", problems(&report));
    assert!(report
        .notices
        .iter()
        .any(|notice| notice.message.contains("torn tail")));
}

#[test]
fn an_erased_tenant_is_reported_and_its_chain_still_checked() {
    let vfs = FaultVfs::new(8);
    let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
    let stream = populated(&vfs, 4);
    let (engine, _) = Engine::open(shared, EngineConfig::new(ROOT, "verify.test")).unwrap();
    engine.erase_tenant(TENANT).unwrap();
    engine.shutdown().unwrap();
    let report = verify(&vfs);
    assert!(report.is_ok(), "{:?}", problems(&report));
    assert_eq!(report.erased_tenants, vec![TENANT]);
    let summary = report
        .streams
        .iter()
        .find(|summary| (summary.tenant_id, summary.stream_id) == (TENANT, stream))
        .unwrap();
    assert!(summary.erased);
    assert_eq!((summary.records, summary.hashes_recomputed), (4, 0));
    // The chain is still checked: an altered stored hash is found.
    overwrite(&vfs, &stream_file(stream, "tree.hashes"), 0, &[1; 32]);
    assert!(!verify(&vfs).is_ok());
}

#[test]
fn a_directory_without_keys_or_wal_is_refused() {
    let vfs = FaultVfs::new(9);
    vfs.create_dir_all(Path::new("/elsewhere")).unwrap();
    let outcome = verify_data_dir(Arc::new(vfs), &PathBuf::from("/elsewhere"), &mut |_| {});
    assert!(matches!(
        outcome,
        Err(VerifyError::NotADataDirectory { .. })
    ));
}

#[test]
fn an_index_behind_the_log_is_a_notice_and_one_ahead_a_problem() {
    let vfs = FaultVfs::new(10);
    let stream = populated(&vfs, 6);
    let offsets = stream_file(stream, "offsets.idx");
    let file = vfs.open(Path::new(&offsets), OpenMode::Existing).unwrap();
    file.set_len(16 * 4 + 5).unwrap();
    let report = verify(&vfs);
    assert!(report.is_ok(), "{:?}", problems(&report));
    let notices: Vec<String> = report.notices.iter().map(ToString::to_string).collect();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("2 of 6 entries are missing")),
        "{notices:?}"
    );
    assert!(
        notices.iter().any(|n| n.contains("partial entry")),
        "{notices:?}"
    );

    file.set_len(16 * 7).unwrap();
    let found = problems(&verify(&vfs));
    assert!(
        found.iter().any(|p| p.contains("holds 7 entries")),
        "{found:?}"
    );
}

/// A data directory written with `config`: one stream of 40 events of 100
/// bytes, stopped cleanly. Returns the stream's id.
fn forty_events(vfs: &FaultVfs, config: EngineConfig) -> StreamId {
    let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
    Engine::init(shared.clone(), &config).unwrap();
    let (engine, _) = Engine::open(shared, config).unwrap();
    engine.create_tenant(TENANT, "clinic").unwrap();
    let stream = engine
        .create_stream(TENANT, "visits", DataClass::Public, Placement::Global)
        .unwrap();
    for offset in 0..40 {
        engine
            .append(TENANT, stream, Offset(offset), vec![vec![b'x'; 100]])
            .unwrap();
    }
    engine.shutdown().unwrap();
    stream
}

#[test]
fn a_log_of_many_segments_verifies_with_progress_to_the_end_and_a_missing_one_is_named() {
    let vfs = FaultVfs::new(11);
    let mut config = EngineConfig::new(ROOT, "verify.test");
    config.segment_size_bytes = 1024;
    forty_events(&vfs, config);

    let mut last = None;
    let report = verify_data_dir(Arc::new(vfs.clone()), Path::new(ROOT), &mut |progress| {
        last = Some(progress);
    })
    .unwrap();
    assert!(report.is_ok(), "{:?}", problems(&report));
    assert!(report.segments > 3, "{}", report.segments);
    let last = last.unwrap();
    assert_eq!(
        (last.done_bytes, last.total_bytes),
        (report.wal_bytes, report.wal_bytes)
    );

    let mut segments = vfs.read_dir(Path::new("/data/wal")).unwrap();
    segments.sort();
    vfs.remove_file(&segments[1]).unwrap();
    let found = problems(&verify(&vfs));
    let third = segments[2]
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        found
            .iter()
            .any(|p| p.contains(&third) && p.contains("log before it ends")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("missing or repeated")),
        "{found:?}"
    );
}

#[test]
fn a_flipped_byte_in_the_last_entry_is_caught_by_the_indexes_that_describe_it() {
    let vfs = FaultVfs::new(12);
    let stream = populated(&vfs, 5);
    let len = vfs.contents(Path::new(SEGMENT)).unwrap().len() as u64;
    vfs.flip_bit(Path::new(SEGMENT), len - 3, 0).unwrap();
    let report = verify(&vfs);
    // Alone, the bad last entry looks like a torn write...
    assert!(report
        .notices
        .iter()
        .any(|notice| notice.message.contains("torn tail")));
    // ...but the synced indexes name a fifth record the log no longer has.
    let found = problems(&report);
    let expected = format!("streams/{TENANT}/{stream}/offsets.idx, stream {TENANT}/{stream}");
    assert!(
        found
            .iter()
            .any(|p| p.contains(&expected) && p.contains("holds 5 entries")),
        "{found:?}"
    );
}

/// Rewrites the snapshot through the engine's own encoder.
fn rewrite_snapshot(vfs: &FaultVfs, change: impl FnOnce(&mut Snapshot)) {
    let layout = Layout::new(Path::new(ROOT));
    let mut snapshot = read_snapshot(vfs, &layout).unwrap().unwrap();
    change(&mut snapshot);
    write_snapshot(vfs, &layout, &snapshot).unwrap();
}

#[test]
fn the_snapshot_is_read_and_its_claims_checked_against_the_log() {
    let vfs = FaultVfs::new(13);
    let stream = populated(&vfs, 5);
    let report = verify(&vfs);
    assert!(report.is_ok(), "{:?}", problems(&report));
    assert!(
        report
            .notices
            .iter()
            .all(|n| !n.to_string().contains("snapshot")),
        "{:?}",
        report.notices
    );

    rewrite_snapshot(&vfs, |snapshot| {
        let (_, chain) = snapshot
            .chains
            .iter_mut()
            .find(|(key, _)| *key == (TENANT, stream))
            .unwrap();
        chain.length = 4;
    });
    let found = problems(&verify(&vfs));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("state/snapshot") && found[0].contains("claims 4 records"),
        "{found:?}"
    );

    rewrite_snapshot(&vfs, |snapshot| snapshot.wal_end_lsn += 1 << 20);
    let found = problems(&verify(&vfs));
    assert!(
        found
            .iter()
            .any(|p| p.contains("covers the log up to position")),
        "{found:?}"
    );

    let len = vfs
        .contents(Path::new("/data/state/snapshot"))
        .unwrap()
        .len() as u64;
    vfs.flip_bit(Path::new("/data/state/snapshot"), len - 1, 0)
        .unwrap();
    let report = verify(&vfs);
    assert!(report.is_ok(), "{:?}", problems(&report));
    assert!(report
        .notices
        .iter()
        .any(|n| n.to_string().contains("snapshot")));
}

#[test]
fn zeros_prepared_after_the_last_entry_are_neither_a_problem_nor_a_torn_tail() {
    let vfs = FaultVfs::new(12);
    let mut config = EngineConfig::new(ROOT, "verify.test");
    config.segment_size_bytes = 4096;
    config.wal_preallocate = crate::wal::Preallocate::Inline;
    let stream = forty_events(&vfs, config);
    let mut segments = vfs.read_dir(Path::new("/data/wal")).unwrap();
    segments.sort();
    let last = segments.last().unwrap();
    let contents = vfs.contents(last).unwrap();
    assert_eq!(
        contents.len(),
        4096,
        "the last segment was prepared: {segments:?}"
    );
    assert_eq!(contents.last(), Some(&0));

    let report = verify(&vfs);
    assert!(report.is_ok(), "{:?}", problems(&report));
    assert!(report.notices.is_empty(), "{:?}", report.notices);
    let summary = report
        .streams
        .iter()
        .find(|summary| (summary.tenant_id, summary.stream_id) == (TENANT, stream))
        .unwrap();
    assert_eq!(summary.records, 40);

    // Bytes after the entries that are not all zeros are still a torn tail.
    let file = vfs.open(last, OpenMode::Existing).unwrap();
    file.write_all_at(&[1, 2, 3], 4000).unwrap();
    let report = verify(&vfs);
    assert!(
        report
            .notices
            .iter()
            .any(|notice| notice.to_string().contains("torn tail")),
        "{:?}",
        report.notices
    );
}
