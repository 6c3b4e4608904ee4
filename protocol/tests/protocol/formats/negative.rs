//! Our negative vectors: every input in tests/vectors/formats-negative.json is refused
//! with the error it names.

use kimberlite_protocol::checkpoint::open_checkpoint;
use kimberlite_protocol::merkle::{verify_consistency, verify_inclusion};
use kimberlite_protocol::note::{open_note, NoteVerifier};
use kimberlite_protocol::record::decode_record;
use serde_json::Value as Json;

use super::fixtures::error_name;
use super::{bytes, entries, hash, hashes, number, read_vectors, text};

fn refusal(case: &Json) -> String {
    fn name<T, E: std::fmt::Debug>(result: Result<T, E>) -> String {
        match result {
            Ok(_) => "accepted".to_owned(),
            Err(error) => error_name(&error),
        }
    }
    match text(case, "kind") {
        "inclusion" => name(verify_inclusion(
            &hash(case, "leaf_hex"),
            number(case, "index"),
            number(case, "size"),
            &hashes(case, "proof_hex"),
            &hash(case, "root_hex"),
        )),
        "consistency" => name(verify_consistency(
            number(case, "old_size"),
            number(case, "new_size"),
            &hash(case, "old_root_hex"),
            &hash(case, "new_root_hex"),
            &hashes(case, "proof_hex"),
        )),
        "record" => name(decode_record(&bytes(case, "encoded_hex"))),
        "verifier_key" => name(NoteVerifier::from_verifier_key(text(case, "verifier_key"))),
        "note" => {
            let verifiers: Vec<NoteVerifier> = entries(case, "verifier_keys")
                .iter()
                .map(|key| NoteVerifier::from_verifier_key(key.as_str().unwrap()).unwrap())
                .collect();
            name(open_note(text(case, "note"), &verifiers))
        }
        "checkpoint" => {
            let verifier = NoteVerifier::from_verifier_key(text(case, "verifier_key")).unwrap();
            name(open_checkpoint(
                text(case, "note"),
                &verifier,
                text(case, "expected_origin"),
            ))
        }
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn every_negative_vector_is_refused_with_its_error() {
    let vectors = read_vectors("formats-negative.json");
    let cases = entries(&vectors, "cases");
    let mut kinds: Vec<&str> = cases.iter().map(|case| text(case, "kind")).collect();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "inclusion",
            "consistency",
            "record",
            "verifier_key",
            "note",
            "checkpoint"
        ]
    );
    for case in cases {
        assert_eq!(refusal(case), text(case, "error"), "{}", text(case, "name"));
    }
}
