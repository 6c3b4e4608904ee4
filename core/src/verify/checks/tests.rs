//! Unit tests of the verification steps that need no server: inclusion proofs
//! over a tree built with the protocol crate.

use kimberlite_protocol::checkpoint::Checkpoint;
use kimberlite_protocol::merkle::{inclusion_proof, leaf_hash, root};
use kimberlite_protocol::Hash;

use super::check_inclusion;
use crate::{ErrorCode, VerificationFailure};

fn tree(size: u64) -> (Vec<Hash>, Checkpoint) {
    let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let checkpoint = Checkpoint {
        origin: "test/tenant/1/stream/1".to_owned(),
        size,
        root: root(&leaves),
        extensions: Vec::new(),
    };
    (leaves, checkpoint)
}

fn failure_of(result: crate::Result<()>) -> ErrorCode {
    result.map_or_else(|error| error.code(), |()| panic!("the check passed"))
}

#[test]
fn every_leaf_of_a_tree_is_included() {
    let (leaves, checkpoint) = tree(7);
    for (index, leaf) in leaves.iter().enumerate() {
        let proof = inclusion_proof(&leaves, index as u64).unwrap();
        check_inclusion(leaf, index as u64, &checkpoint, &proof).unwrap();
    }
}

#[test]
fn another_leaf_or_a_changed_proof_is_not_included() {
    let (leaves, checkpoint) = tree(7);
    let mut proof = inclusion_proof(&leaves, 2).unwrap();
    let wrong_leaf = check_inclusion(&leaves[3], 2, &checkpoint, &proof);
    let not_included = ErrorCode::Verification(VerificationFailure::NotIncluded);
    assert_eq!(failure_of(wrong_leaf), not_included);
    proof[0].0[0] ^= 1;
    let changed = check_inclusion(&leaves[2], 2, &checkpoint, &proof);
    assert_eq!(failure_of(changed), not_included);
}

#[test]
fn a_proof_of_the_wrong_shape_is_malformed() {
    let (leaves, checkpoint) = tree(7);
    let proof = inclusion_proof(&leaves, 2).unwrap();
    let malformed = ErrorCode::Verification(VerificationFailure::MalformedProof);
    let short = check_inclusion(&leaves[2], 2, &checkpoint, &proof[1..]);
    assert_eq!(failure_of(short), malformed);
    let outside = check_inclusion(&leaves[2], 7, &checkpoint, &proof);
    assert_eq!(failure_of(outside), malformed);
}
