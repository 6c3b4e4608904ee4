use super::*;
use crate::engine::stored_record::{Sealing, FIRST_OF_APPEND, LAST_OF_APPEND, WHOLE_APPEND};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

fn entry(position: u64, offset: u64, append_flags: u8) -> Result<(u64, Vec<u8>), WalError> {
    let record = StoredRecord {
        tenant_id: TenantId(1),
        stream_id: StreamId(1),
        offset: Offset(offset),
        timestamp_ns: 0,
        kind: 0,
        prev_hash: Hash([0; 32]),
        record_hash: Hash([1; 32]),
        append_flags,
        sealing: Sealing::Plaintext,
        payload: Vec::new(),
    };
    let mut body = Vec::new();
    record.encode_into(&mut body);
    Ok((position, body))
}

fn positions(entries: Vec<Result<(u64, Vec<u8>), WalError>>) -> (Vec<u64>, u64) {
    let mut appends = CompleteAppends::new(entries.into_iter());
    let found = appends.by_ref().map(|item| item.unwrap().0).collect();
    (found, appends.discarded())
}

#[test]
fn whole_appends_pass_and_cut_ones_are_dropped() {
    let (found, discarded) = positions(vec![
        entry(0, 0, WHOLE_APPEND),
        entry(1, 1, FIRST_OF_APPEND),
        entry(2, 2, 0),
        entry(3, 3, LAST_OF_APPEND),
        // Cut short by a crash, then new writes after the restart.
        entry(4, 4, FIRST_OF_APPEND),
        entry(5, 5, 0),
        entry(6, 4, WHOLE_APPEND),
        // Cut short at the end of the log.
        entry(7, 5, FIRST_OF_APPEND),
    ]);
    assert_eq!(found, vec![0, 1, 2, 3, 6]);
    assert_eq!(discarded, 3);
}

#[test]
fn a_continuation_without_a_start_is_corruption() {
    let mut appends = CompleteAppends::new(vec![entry(0, 0, LAST_OF_APPEND)].into_iter());
    assert!(matches!(
        appends.next(),
        Some(Err(EngineError::Corruption(_)))
    ));
}

fn record(offset: u64, append_flags: u8) -> StoredRecord {
    let (_, body) = entry(0, offset, append_flags).unwrap();
    StoredRecord::decode(&body).unwrap()
}

fn places(records: &[Placed<&'static str>]) -> Vec<&'static str> {
    records.iter().map(|(place, _)| *place).collect()
}

#[test]
fn the_assembler_hands_back_whole_appends_and_names_what_it_drops() {
    let mut assembler = AppendAssembler::new();
    let fed = assembler.feed("a", record(0, FIRST_OF_APPEND)).unwrap();
    assert!(fed.cut_short.is_empty() && fed.complete.is_empty());
    let fed = assembler.feed("b", record(1, LAST_OF_APPEND)).unwrap();
    assert_eq!(places(&fed.complete), vec!["a", "b"]);
    assembler.feed("c", record(2, FIRST_OF_APPEND)).unwrap();
    assembler.feed("d", record(3, 0)).unwrap();
    let fed = assembler.feed("e", record(2, WHOLE_APPEND)).unwrap();
    assert_eq!(places(&fed.cut_short), vec!["c", "d"]);
    assert_eq!(places(&fed.complete), vec!["e"]);
    assert!(assembler.finish().is_empty());
    let orphan = assembler.feed("f", record(3, 0)).unwrap_err();
    assert_eq!((orphan.place, orphan.record.offset), ("f", Offset(3)));
    assembler.feed("g", record(3, FIRST_OF_APPEND)).unwrap();
    assert_eq!(places(&assembler.finish()), vec!["g"]);
}
