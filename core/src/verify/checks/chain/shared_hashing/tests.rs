use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

use super::{hash_records, hash_serially, Fields, Job, Part, CHUNK_RECORDS, PARALLEL_MIN_BYTES};

const SCOPE: (TenantId, StreamId) = (TenantId(3), StreamId(9));

/// A stand-in for the record hash that depends on every input, and refuses
/// kind 0xFF as the real one refuses an unknown kind.
fn toy_hash(
    tenant_id: TenantId,
    stream_id: StreamId,
    fields: Fields,
    payload: &[u8],
) -> Option<Hash> {
    if fields.kind == 0xFF {
        return None;
    }
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&(tenant_id.0 ^ stream_id.0 ^ fields.offset.0).to_be_bytes());
    bytes[8..16].copy_from_slice(&fields.timestamp_ns.to_be_bytes());
    bytes[16] = fields.kind;
    bytes[17] = fields.prev_hash.as_bytes()[0];
    for (index, byte) in payload.iter().enumerate() {
        bytes[18 + index % 14] ^= byte.rotate_left(index as u32 % 8);
    }
    Some(Hash(bytes))
}

fn payloads(count: usize, size: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|index| (0..size).map(|byte| (index * 31 + byte) as u8).collect())
        .collect()
}

fn parts(payloads: &[Vec<u8>]) -> Vec<Part<'_>> {
    payloads
        .iter()
        .enumerate()
        .map(|(index, payload)| {
            let fields = Fields {
                offset: Offset(index as u64),
                timestamp_ns: 1_000 + index as u64,
                kind: if index == 40 { 0xFF } else { 1 },
                prev_hash: Hash([index as u8; 32]),
            };
            (fields, payload.as_slice())
        })
        .collect()
}

#[test]
fn big_answers_hash_as_the_serial_walk_does_at_every_chunk_boundary() {
    for count in [
        CHUNK_RECORDS + 1,
        2 * CHUNK_RECORDS,
        2 * CHUNK_RECORDS + 1,
        300,
        1024,
    ] {
        let payloads = payloads(count, PARALLEL_MIN_BYTES / CHUNK_RECORDS);
        let records = parts(&payloads);
        let expected = hash_serially(SCOPE, &records, toy_hash);
        assert_eq!(
            hash_records(SCOPE, &records, toy_hash),
            expected,
            "{count} records"
        );
        let unknown = expected.iter().filter(|hash| hash.is_none()).count();
        assert_eq!(
            unknown,
            usize::from(count > 40),
            "the unknown kind keeps its place"
        );
    }
}

#[test]
fn the_caller_redoes_chunks_a_helper_claimed_and_never_finished() {
    let payloads = payloads(10 * CHUNK_RECORDS + 5, 64);
    let records = parts(&payloads);
    let expected = hash_serially(SCOPE, &records, toy_hash);
    for helpers in 1..=3 {
        let job = Job::offer(SCOPE, &records, toy_hash, helpers);
        // One helper claims the last chunk and stalls; another finishes the one
        // before it; the caller must neither wait nor lose a record.
        let stalled = job.claim_back().unwrap();
        let finished = job.claim_back().unwrap();
        assert_eq!((stalled, finished), (10, 9));
        job.done[finished - job.first_offered]
            .set(job.hash_chunk(finished))
            .unwrap();
        assert_eq!(job.finish(&records), expected, "{helpers} helpers");
        assert_eq!(job.claim_back(), None, "everything is claimed after finish");
    }
}

#[test]
fn helpers_never_claim_the_callers_own_chunks() {
    let payloads = payloads(8 * CHUNK_RECORDS, 16);
    let records = parts(&payloads);
    let job = Job::offer(SCOPE, &records, toy_hash, 1);
    assert_eq!(job.first_offered, 4);
    let taken: Vec<usize> = std::iter::from_fn(|| job.claim_back()).collect();
    assert_eq!(taken, vec![7, 6, 5, 4]);
    assert_eq!(job.claim_front(), None);
    // Nothing was hashed by the "helper": the caller does it all.
    assert_eq!(
        job.finish(&records),
        hash_serially(SCOPE, &records, toy_hash)
    );
}
