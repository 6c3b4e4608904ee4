//! Offline verification against the engine's crash semantics: the leftover
//! entries of an append a power cut left without its last record are skipped
//! by every start, so `verify` passes over them with a notice; a record missing
//! from inside a complete append, or the lost start of one, is still a problem.

use std::path::Path;
use std::sync::Arc;

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::{Engine, EngineConfig, StoredRecord};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::{OpenMode, Vfs};
use kimberlite_storage::verify::{verify_data_dir, VerifyReport};
use kimberlite_storage::wal::format::{
    decode_entry_header, ENTRY_HEADER_BYTES, SEGMENT_HEADER_BYTES,
};

const ROOT: &str = "/node";
const SEGMENT: &str = "/node/wal/00000000000000000000.seg";
const TENANT: TenantId = TenantId(4);

fn config() -> EngineConfig {
    EngineConfig::new(ROOT, "verify.test")
}

fn event(number: u64) -> Vec<u8> {
    format!("event {number} {}", "y".repeat(200)).into_bytes()
}

/// Initialises a node with a tenant and one stream; returns it running.
fn start(faults: &FaultVfs) -> (Engine, StreamId) {
    let vfs: Arc<dyn Vfs> = Arc::new(faults.clone());
    Engine::init(vfs.clone(), &config()).unwrap();
    let (engine, _) = Engine::open(vfs, config()).unwrap();
    engine.create_tenant(TENANT, "clinic").unwrap();
    let stream = engine
        .create_stream(TENANT, "visits", DataClass::PHI, Placement::Global)
        .unwrap();
    (engine, stream)
}

fn verify(faults: &FaultVfs) -> VerifyReport {
    verify_data_dir(Arc::new(faults.clone()), Path::new(ROOT), &mut |_| {}).unwrap()
}

fn findings(found: &[kimberlite_storage::verify::Finding]) -> Vec<String> {
    found.iter().map(ToString::to_string).collect()
}

/// What one power cut during a four-event append left, after a restart that
/// appended two more events and stopped cleanly.
struct AfterCut {
    stream: StreamId,
    /// Events in the stream at the end.
    length: u64,
    /// Entries the restart's recovery left out.
    discarded_at_restart: u64,
}

fn cut_an_append_then_go_on(seed: u64) -> (FaultVfs, AfterCut) {
    let faults = FaultVfs::new(seed);
    let (engine, stream) = start(&faults);
    for offset in 0..3 {
        engine
            .append(TENANT, stream, Offset(offset), vec![event(offset)])
            .unwrap();
    }
    // The batch's fsync fails: a random prefix of its one write, possibly torn,
    // is all that reaches the disk.
    faults.fail_sync_after(0);
    let batch = (3..7).map(event).collect();
    engine.append(TENANT, stream, Offset(3), batch).unwrap_err();
    drop(engine);
    faults.power_loss(seed);

    let vfs: Arc<dyn Vfs> = Arc::new(faults.clone());
    let (engine, recovery) = Engine::open(vfs, config()).unwrap();
    let before = engine.stream_length(TENANT, stream).unwrap();
    assert!(before == 3 || before == 7, "seed {seed}: {before} events");
    let more = vec![event(10), event(11)];
    engine.append(TENANT, stream, Offset(before), more).unwrap();
    engine.shutdown().unwrap();
    let after = AfterCut {
        stream,
        length: before + 2,
        discarded_at_restart: recovery.records_discarded,
    };
    (faults, after)
}

#[test]
fn leftovers_of_an_append_cut_short_are_a_notice_and_the_rest_verifies() {
    let mut seeds_with_leftovers = 0;
    for seed in 0..40 {
        let (faults, after) = cut_an_append_then_go_on(seed);
        let report = verify(&faults);
        assert!(
            report.is_ok(),
            "seed {seed}: {:?}",
            findings(&report.problems)
        );
        assert_eq!(
            report.records_discarded, after.discarded_at_restart,
            "seed {seed}: verify and recovery disagree on what the log holds"
        );
        let summary = report
            .streams
            .iter()
            .find(|summary| (summary.tenant_id, summary.stream_id) == (TENANT, after.stream))
            .unwrap();
        assert_eq!(summary.records, after.length, "seed {seed}");
        let cut: Vec<_> = report
            .notices
            .iter()
            .filter(|notice| notice.message.contains("cut short"))
            .collect();
        if after.discarded_at_restart == 0 {
            assert!(cut.is_empty(), "seed {seed}: {cut:?}");
            continue;
        }
        seeds_with_leftovers += 1;
        assert_eq!(cut.len(), 1, "seed {seed}: {cut:?}");
        let notice = cut[0];
        let count = format!("{} WAL entries", after.discarded_at_restart);
        assert!(notice.message.contains(&count), "seed {seed}: {notice}");
        assert_eq!(
            notice.location.file.as_deref(),
            Some(Path::new("wal/00000000000000000000.seg"))
        );
        assert!(
            notice.location.file_offset.is_some(),
            "seed {seed}: {notice}"
        );
        assert_eq!(notice.location.stream, Some((TENANT, after.stream)));
        // The leftovers were to be records 3 and on; records 3 and 4 now hold
        // the two events appended after the restart.
        assert_eq!(notice.location.record, Some(3), "seed {seed}: {notice}");
    }
    assert!(
        seeds_with_leftovers > 0,
        "no seed left a torn append with whole entries: the test checks nothing"
    );
}

/// The byte ranges of the segment's entries, each with its decoded record.
fn entries(faults: &FaultVfs) -> Vec<(std::ops::Range<usize>, StoredRecord)> {
    let bytes = faults.contents(Path::new(SEGMENT)).unwrap();
    let mut found = Vec::new();
    let mut at = SEGMENT_HEADER_BYTES as usize;
    while at < bytes.len() {
        let header = decode_entry_header(&bytes[at..at + ENTRY_HEADER_BYTES as usize]).unwrap();
        let end = at + header.entry_bytes() as usize;
        let body = &bytes[at + ENTRY_HEADER_BYTES as usize..end];
        found.push((at..end, StoredRecord::decode(body).unwrap()));
        at = end;
    }
    found
}

/// A stopped node whose stream holds one event, then a three-event append,
/// then one more event; the segment without the entry of `removed`.
fn without_record_of_append(removed: u64) -> (FaultVfs, StreamId) {
    let faults = FaultVfs::new(100 + removed);
    let (engine, stream) = start(&faults);
    engine
        .append(TENANT, stream, Offset(0), vec![event(0)])
        .unwrap();
    let batch = (1..4).map(event).collect();
    engine.append(TENANT, stream, Offset(1), batch).unwrap();
    engine
        .append(TENANT, stream, Offset(4), vec![event(4)])
        .unwrap();
    engine.shutdown().unwrap();

    let bytes = faults.contents(Path::new(SEGMENT)).unwrap();
    let (range, _) = entries(&faults)
        .into_iter()
        .find(|(_, record)| {
            (record.tenant_id, record.stream_id, record.offset) == (TENANT, stream, Offset(removed))
        })
        .unwrap();
    let mut kept = bytes[..range.start].to_vec();
    kept.extend_from_slice(&bytes[range.end..]);
    let file = faults.open(Path::new(SEGMENT), OpenMode::Existing).unwrap();
    file.write_all_at(&kept, 0).unwrap();
    file.set_len(kept.len() as u64).unwrap();
    (faults, stream)
}

#[test]
fn a_missing_middle_record_of_a_complete_append_is_still_a_problem() {
    let (faults, stream) = without_record_of_append(2);
    let report = verify(&faults);
    let problems = findings(&report.problems);
    let gap = format!("stream {TENANT}/{stream} record 3");
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&gap) && p.contains("offset 3 where 2 was expected")),
        "{problems:?}"
    );
    assert_eq!(report.records_discarded, 0);
    assert!(
        report
            .notices
            .iter()
            .all(|notice| !notice.message.contains("cut short")),
        "{:?}",
        findings(&report.notices)
    );
}

#[test]
fn an_append_whose_first_record_is_missing_is_a_problem() {
    let (faults, stream) = without_record_of_append(1);
    let report = verify(&faults);
    let problems = findings(&report.problems);
    for record in [2, 3] {
        let here = format!("stream {TENANT}/{stream} record {record}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains(&here) && p.contains("first record is missing")),
            "{problems:?}"
        );
    }
    assert_eq!(report.records_discarded, 0);
}
