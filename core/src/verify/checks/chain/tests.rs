//! The chain walk over hand-built runs: the hashes of an honest run, and where a
//! change deep in a run is caught.

use kimberlite_protocol::checkpoint::Checkpoint;
use kimberlite_protocol::merkle::root;
use kimberlite_protocol::message::RangeRecord;
use kimberlite_protocol::record::{genesis_hash, RecordKind, RecordRef};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

use super::walk_chain;
use crate::verify::checks::Scope;
use crate::VerificationFailure;

const TENANT: TenantId = TenantId(3);
const STREAM: StreamId = StreamId(4);

/// `count` chained records of `bytes` payload bytes each, and their hashes.
fn chain(count: u64, bytes: usize) -> (Vec<RangeRecord>, Vec<Hash>) {
    let mut prev_hash = genesis_hash(TENANT, STREAM);
    let mut records = Vec::new();
    let mut hashes = Vec::new();
    for offset in 0..count {
        let payload = vec![offset as u8; bytes];
        let hash = RecordRef {
            tenant_id: TENANT,
            stream_id: STREAM,
            offset: Offset(offset),
            timestamp_ns: offset,
            kind: RecordKind::Event,
            prev_hash,
            payload: &payload,
        }
        .hash();
        records.push(RangeRecord {
            offset: Offset(offset),
            timestamp_ns: offset,
            kind: 0,
            prev_hash,
            payload,
        });
        hashes.push(hash);
        prev_hash = hash;
    }
    (records, hashes)
}

fn checkpoint(hashes: &[Hash]) -> Checkpoint {
    Checkpoint {
        origin: "test/tenant/3/stream/4".to_owned(),
        size: hashes.len() as u64,
        root: root(hashes),
        extensions: Vec::new(),
    }
}

/// A read of the whole test stream from offset 0, checked against `checkpoint`.
fn scope_of(checkpoint: &Checkpoint) -> Scope<'_> {
    Scope {
        tenant_id: TENANT,
        stream_id: STREAM,
        from_offset: Offset(0),
        checkpoint,
    }
}

#[test]
fn an_honest_run_yields_its_record_hashes() {
    // 30 KB is hashed on the caller's thread; 1 MiB is shared with helpers.
    for (count, bytes) in [(300, 100), (1024, 1024)] {
        let (records, hashes) = chain(count, bytes);
        let checkpoint = checkpoint(&hashes);
        let scope = scope_of(&checkpoint);
        let walk = walk_chain(&scope, &records);
        assert!(walk.broken.is_none());
        assert_eq!(walk.leaves, hashes);
        assert!(walk.finish(Some(Offset(count))).is_ok());
    }
}

#[test]
fn a_change_deep_in_a_big_read_breaks_the_chain_at_the_next_record() {
    let (mut records, hashes) = chain(2 * 1024, 1024);
    let checkpoint = checkpoint(&hashes);
    let scope = scope_of(&checkpoint);
    records[1500].payload[10] ^= 1;
    records[1700].kind = 99;
    let walk = walk_chain(&scope, &records);
    assert_eq!(
        walk.leaves.len(),
        1501,
        "the changed record links, the next does not"
    );
    assert_eq!(walk.leaves[..1500], hashes[..1500]);
    let error = walk.broken.unwrap();
    assert_eq!(
        error.verification_failure(),
        Some(VerificationFailure::BrokenChain)
    );
    assert!(error.message().contains("record 1501"), "{error}");
}
