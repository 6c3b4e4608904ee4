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

/// Checks the run `from..to` of `tree(size)` with `proofs`, as `check_records`
/// does, and each record alone with `check_inclusion`; both must agree.
fn run_and_alone(size: u64, from: u64, leaves: &[Hash], proofs: &[Vec<Hash>]) -> Option<ErrorCode> {
    let (_, checkpoint) = tree(size);
    let run = leaves
        .iter()
        .zip(proofs)
        .enumerate()
        .map(|(i, (leaf, proof))| (from + i as u64, leaf, proof.as_slice()));
    let together = super::run::check_run_inclusion(&checkpoint, run).err();
    let alone = leaves
        .iter()
        .zip(proofs)
        .enumerate()
        .find_map(|(i, (leaf, proof))| {
            check_inclusion(leaf, from + i as u64, &checkpoint, proof).err()
        });
    assert_eq!(
        together.as_ref().map(crate::Error::code),
        alone.as_ref().map(crate::Error::code),
        "size {size}, from {from}: {together:?} / {alone:?}"
    );
    together.map(|error| error.code())
}

#[test]
fn runs_are_checked_like_each_record_alone_whatever_is_changed() {
    for size in [1u64, 2, 3, 5, 8, 13] {
        let (all, _) = tree(size);
        for from in 0..size {
            for to in [from + 1, (from + 4).min(size), size] {
                let leaves = all[from as usize..to as usize].to_vec();
                let proofs: Vec<Vec<Hash>> = (from..to)
                    .map(|index| inclusion_proof(&all, index).unwrap())
                    .collect();
                assert_eq!(run_and_alone(size, from, &leaves, &proofs), None);
                for victim in 0..leaves.len() {
                    let mut changed = leaves.clone();
                    changed[victim].0[0] ^= 1;
                    assert!(run_and_alone(size, from, &changed, &proofs).is_some());
                    for position in 0..proofs[victim].len() {
                        let mut bent = proofs.clone();
                        bent[victim][position].0[31] ^= 1;
                        assert!(run_and_alone(size, from, &leaves, &bent).is_some());
                    }
                    let mut short = proofs.clone();
                    if short[victim].pop().is_some() {
                        let code = run_and_alone(size, from, &leaves, &short);
                        let malformed = VerificationFailure::MalformedProof;
                        assert_eq!(code, Some(ErrorCode::Verification(malformed)));
                    }
                }
            }
        }
    }
}
