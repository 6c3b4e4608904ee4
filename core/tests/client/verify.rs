//! The pure verification checks: an honest answer passes, and each kind of lie is
//! refused with its own failure.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use kimberlite::verify::{check_consistency, parse_verifier_key, verify_read};
use kimberlite::{ErrorCode, Offset, StreamId, TenantId, VerificationFailure};
use kimberlite_protocol::message::ReadVerifiedResponse;
use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::Hash;

use crate::fixtures::{signer, Log};

fn verifier() -> NoteVerifier {
    signer(1).verifier()
}

fn check(
    log: &Log,
    from: u64,
    trusted: Option<u64>,
    answer: &ReadVerifiedResponse,
) -> kimberlite::Result<kimberlite::verify::Checkpoint> {
    let trusted = trusted.map(|size| log.checkpoint(size));
    verify_read(
        &verifier(),
        log.tenant_id,
        log.stream_id,
        Offset(from),
        trusted.as_ref(),
        answer,
    )
}

fn failure_of(result: kimberlite::Result<impl std::fmt::Debug>) -> VerificationFailure {
    let error = result.expect_err("verification should fail");
    error
        .verification_failure()
        .unwrap_or_else(|| panic!("not a verification failure: {error:?}"))
}

#[test]
fn honest_reads_verify_from_scratch_and_from_a_trusted_checkpoint() {
    let log = Log::with_events(11);
    let answer = log.read_verified(0, 1 << 20, None, &signer(1));
    let checkpoint = check(&log, 0, None, &answer).unwrap();
    assert_eq!(checkpoint.size, 11);
    assert_eq!(checkpoint.root, log.checkpoint(11).root);
    for trusted in [1, 3, 4, 8, 11] {
        for from in [0, 3, 10, 11] {
            let answer = log.read_verified(from, 5, Some(trusted), &signer(1));
            check(&log, from, Some(trusted), &answer).unwrap();
        }
    }
}

#[test]
fn a_tampered_signature_is_bad_signature() {
    let log = Log::with_events(3);
    let mut answer = log.read_verified(0, 100, None, &signer(1));
    // The body of a size-3 checkpoint under the signature of a size-2 one.
    let other = log.note(2, &signer(1));
    let (body, _) = answer.checkpoint.split_once("\n\n").unwrap();
    let (_, signature) = other.split_once("\n\n").unwrap();
    answer.checkpoint = format!("{body}\n\n{signature}");
    assert_eq!(
        failure_of(check(&log, 0, None, &answer)),
        VerificationFailure::BadSignature
    );
}

#[test]
fn another_key_is_unknown_key() {
    let log = Log::with_events(3);
    let answer = log.read_verified(0, 100, None, &signer(2));
    assert_eq!(
        failure_of(check(&log, 0, None, &answer)),
        VerificationFailure::UnknownKey
    );
}

#[test]
fn a_checkpoint_of_another_stream_is_wrong_origin() {
    let log = Log::with_events(3);
    let mut other = Log::new(TenantId(1), StreamId(8));
    for record in &log.records {
        other.append(record.payload.clone());
    }
    let answer = other.read_verified(0, 100, None, &signer(1));
    assert_eq!(
        failure_of(check(&log, 0, None, &answer)),
        VerificationFailure::WrongOrigin
    );
}

#[test]
fn rewritten_history_is_a_fork() {
    let honest = Log::with_events(5);
    let mut forked = honest.clone();
    forked.rewrite(1, b"rewritten".to_vec());
    forked.append(b"more".to_vec());
    let answer = forked.read_verified(0, 100, Some(3), &signer(1));
    let trusted = honest.checkpoint(3);
    let result = verify_read(
        &verifier(),
        honest.tenant_id,
        honest.stream_id,
        Offset(0),
        Some(&trusted),
        &answer,
    );
    assert_eq!(failure_of(result), VerificationFailure::Fork);
    // Same size, other root: also a fork.
    let same_size = forked.checkpoint(5);
    let result = check_consistency(Some(&honest.checkpoint(5)), &same_size, &[]);
    assert_eq!(failure_of(result), VerificationFailure::Fork);
}

#[test]
fn a_smaller_tree_is_a_rollback() {
    let log = Log::with_events(5);
    let mut shorter = log.clone();
    shorter.records.truncate(3);
    let answer = shorter.read_verified(0, 100, None, &signer(1));
    let result = verify_read(
        &verifier(),
        log.tenant_id,
        log.stream_id,
        Offset(0),
        Some(&log.checkpoint(5)),
        &answer,
    );
    assert_eq!(failure_of(result), VerificationFailure::Rollback);
}

#[test]
fn a_changed_payload_is_not_included() {
    let log = Log::with_events(6);
    let mut answer = log.read_verified(2, 100, None, &signer(1));
    answer.records[1].payload = b"forged".to_vec();
    assert_eq!(
        failure_of(check(&log, 2, None, &answer)),
        VerificationFailure::NotIncluded
    );
}

#[test]
fn a_record_beyond_the_checkpoint_is_not_included() {
    let log = Log::with_events(4);
    let mut shorter = log.clone();
    shorter.records.truncate(3);
    let mut answer = log.read_verified(2, 100, None, &signer(1));
    answer.checkpoint = shorter.note(3, &signer(1));
    answer.records[0].inclusion_proof = shorter.read_verified(2, 1, None, &signer(1)).records[0]
        .inclusion_proof
        .clone();
    assert_eq!(
        failure_of(check(&log, 2, None, &answer)),
        VerificationFailure::NotIncluded
    );
}

#[test]
fn a_broken_link_is_a_broken_chain() {
    let log = Log::with_events(6);
    let mut answer = log.read_verified(1, 100, None, &signer(1));
    answer.records[2].prev_hash = Hash([9; 32]);
    assert_eq!(
        failure_of(check(&log, 1, None, &answer)),
        VerificationFailure::BrokenChain
    );
    // The first record of a stream must link to the genesis hash.
    let mut answer = log.read_verified(0, 100, None, &signer(1));
    answer.records[0].prev_hash = Hash([0; 32]);
    assert_eq!(
        failure_of(check(&log, 0, None, &answer)),
        VerificationFailure::BrokenChain
    );
}

#[test]
fn malformed_proofs_and_answers_are_malformed_proof() {
    let log = Log::with_events(6);
    let mut short_proof = log.read_verified(0, 100, None, &signer(1));
    short_proof.records[3].inclusion_proof.pop();
    let mut long_consistency = log.read_verified(0, 100, Some(3), &signer(1));
    long_consistency.consistency_proof.push(Hash([1; 32]));
    let mut garbage_note = log.read_verified(0, 100, None, &signer(1));
    garbage_note.checkpoint = "not a note".to_owned();
    let mut wrong_next = log.read_verified(0, 100, None, &signer(1));
    wrong_next.next_offset = Some(Offset(99));
    let mut gap = log.read_verified(0, 100, None, &signer(1));
    gap.records.remove(2);
    let cases = [
        (short_proof, None),
        (long_consistency, Some(3)),
        (garbage_note, None),
        (wrong_next, None),
        (gap, None),
    ];
    for (answer, trusted) in cases {
        let failure = failure_of(check(&log, 0, trusted, &answer));
        assert_eq!(failure, VerificationFailure::MalformedProof);
    }
}

#[test]
fn unknown_formats_are_unsupported_version() {
    let log = Log::with_events(2);
    let mut answer = log.read_verified(0, 100, None, &signer(1));
    answer.records[1].kind = 200;
    assert_eq!(
        failure_of(check(&log, 0, None, &answer)),
        VerificationFailure::UnsupportedVersion
    );
    // A verifier key of another signature type (0x02 instead of Ed25519's 0x01).
    let key = signer(1).verifier_key();
    let (prefix, encoded) = key.rsplit_once('+').unwrap();
    let mut bytes = STANDARD.decode(encoded).unwrap();
    bytes[0] = 0x02;
    let other_type = format!("{prefix}+{}", STANDARD.encode(&bytes));
    let error = parse_verifier_key(&other_type).unwrap_err();
    assert_eq!(
        error.code(),
        ErrorCode::Verification(VerificationFailure::UnsupportedVersion)
    );
    assert!(parse_verifier_key(&key).is_ok());
}
