//! The pure checks of `kmb.verify/2` answers (one range proof per read): an honest
//! answer passes from scratch and from a trusted checkpoint, and each lie is
//! refused with its own failure, as for answers with a proof per record.

use kimberlite::verify::verify_range_read;
use kimberlite::{Offset, VerificationFailure};
use kimberlite_protocol::message::VerifiedRangeResponse;
use kimberlite_protocol::Hash;

use crate::fixtures::{signer, Log};

fn check(
    log: &Log,
    from: u64,
    trusted: Option<u64>,
    answer: &VerifiedRangeResponse,
) -> kimberlite::Result<kimberlite::verify::Checkpoint> {
    let trusted = trusted.map(|size| log.checkpoint(size));
    let verifier = signer(1).verifier();
    let (tenant, stream) = (log.tenant_id, log.stream_id);
    verify_range_read(
        &verifier,
        tenant,
        stream,
        Offset(from),
        trusted.as_ref(),
        answer,
    )
}

fn failure_of(log: &Log, from: u64, answer: &VerifiedRangeResponse) -> VerificationFailure {
    let error = check(log, from, None, answer).expect_err("verification should fail");
    error
        .verification_failure()
        .unwrap_or_else(|| panic!("not a verification failure: {error:?}"))
}

#[test]
fn honest_range_reads_verify_from_scratch_and_from_a_trusted_checkpoint() {
    let log = Log::with_events(13);
    for trusted in [None, Some(1), Some(4), Some(8), Some(13)] {
        for (from, max_bytes) in [(0, 1 << 20), (3, 1 << 20), (5, 4), (12, 1), (13, 100)] {
            let answer = log.read_verified_range(from, max_bytes, trusted, &signer(1));
            let checkpoint = check(&log, from, trusted, &answer).unwrap();
            assert_eq!(checkpoint.size, 13);
            let count = answer.records.len() as u64;
            assert_eq!(
                answer.next_offset,
                (count > 0).then_some(Offset(from + count))
            );
        }
    }
}

#[test]
fn a_changed_payload_or_proof_hash_is_not_included() {
    let log = Log::with_events(9);
    let mut changed = log.read_verified_range(2, 1 << 20, None, &signer(1));
    changed.records.last_mut().unwrap().payload = b"forged".to_vec();
    assert_eq!(
        failure_of(&log, 2, &changed),
        VerificationFailure::NotIncluded
    );
    let mut proof = log.read_verified_range(2, 1 << 20, None, &signer(1));
    proof.range_proof[0] = Hash([7; 32]);
    assert_eq!(
        failure_of(&log, 2, &proof),
        VerificationFailure::NotIncluded
    );
}

#[test]
fn dropped_reordered_or_repeated_records_break_the_chain() {
    let log = Log::with_events(6);
    let honest = log.read_verified_range(0, 1 << 20, None, &signer(1));
    let renumber = |mut answer: VerifiedRangeResponse| {
        for (index, record) in answer.records.iter_mut().enumerate() {
            record.offset = Offset(index as u64);
        }
        answer.next_offset = Some(Offset(answer.records.len() as u64));
        answer
    };
    let mut dropped = honest.clone();
    dropped.records.remove(1);
    let mut swapped = honest.clone();
    swapped.records.swap(1, 2);
    let mut repeated = honest.clone();
    repeated.records.insert(1, honest.records[0].clone());
    let mut relinked = honest.clone();
    relinked.records[3].prev_hash = Hash([9; 32]);
    for answer in [dropped, swapped, repeated] {
        let answer = renumber(answer);
        assert_eq!(
            failure_of(&log, 0, &answer),
            VerificationFailure::BrokenChain
        );
    }
    assert_eq!(
        failure_of(&log, 0, &relinked),
        VerificationFailure::BrokenChain
    );
}

#[test]
fn proofs_and_answers_of_the_wrong_shape_are_malformed() {
    let log = Log::with_events(7);
    let mut short = log.read_verified_range(1, 1 << 20, None, &signer(1));
    short.range_proof.pop();
    let mut long = log.read_verified_range(1, 1 << 20, None, &signer(1));
    long.range_proof.push(Hash([1; 32]));
    let mut stray = log.read_verified_range(7, 1 << 20, None, &signer(1));
    stray.range_proof.push(Hash([1; 32]));
    let mut wrong_next = log.read_verified_range(1, 1 << 20, None, &signer(1));
    wrong_next.next_offset = Some(Offset(99));
    let mut gap = log.read_verified_range(1, 1 << 20, None, &signer(1));
    gap.records[2].offset = Offset(9);
    for (from, answer) in [(1, short), (1, long), (7, stray), (1, wrong_next), (1, gap)] {
        assert_eq!(
            failure_of(&log, from, &answer),
            VerificationFailure::MalformedProof
        );
    }
}

#[test]
fn checkpoint_lies_are_caught_before_the_records() {
    let honest = Log::with_events(5);
    let mut forked = honest.clone();
    forked.rewrite(1, b"rewritten".to_vec());
    forked.append(b"more".to_vec());
    let fork = forked.read_verified_range(0, 1 << 20, Some(3), &signer(1));
    let result = check(&honest, 0, Some(3), &fork);
    let failure = result.unwrap_err().verification_failure();
    assert_eq!(failure, Some(VerificationFailure::Fork));
    let foreign = honest.read_verified_range(0, 1 << 20, None, &signer(2));
    assert_eq!(
        failure_of(&honest, 0, &foreign),
        VerificationFailure::UnknownKey
    );
    let mut shorter = honest.clone();
    shorter.records.truncate(3);
    let rollback = shorter.read_verified_range(0, 1 << 20, None, &signer(1));
    let result = check(&honest, 0, Some(5), &rollback);
    let failure = result.unwrap_err().verification_failure();
    assert_eq!(failure, Some(VerificationFailure::Rollback));
}
