//! Range proofs of every run of every small tree verify, any change to a leaf, a
//! proof hash, the position or the proof's length is refused, and proof sizes stay
//! within `2 log2 n` for huge trees.

use super::*;
use crate::merkle::{inclusion_proof, leaf_hash, root};

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn flip(hash: &Hash) -> Hash {
    let mut bytes = hash.0;
    bytes[7] ^= 0x20;
    Hash(bytes)
}

fn log2_ceil(n: u64) -> usize {
    (64 - (n.max(1) - 1).leading_zeros()) as usize
}

#[test]
fn every_run_of_small_trees_verifies() {
    for size in 1..=33u64 {
        let all = leaves(size);
        let root_hash = root(&all);
        for from in 0..size {
            for to in from + 1..=size {
                let proof = range_proof(&all, from, to).unwrap();
                assert!(
                    proof.len() <= 2 * log2_ceil(size),
                    "size {size} [{from},{to})"
                );
                assert_eq!(proof.len(), range_proof_len(from, to, size).unwrap());
                let run = &all[from as usize..to as usize];
                verify_range(run, from, size, &proof, &root_hash).unwrap();
            }
        }
    }
}

#[test]
fn a_single_leaf_proof_holds_the_inclusion_proof_hashes() {
    // For one leaf the range proof is the RFC 6962 audit path, left to right.
    for size in 1..=20u64 {
        let all = leaves(size);
        for index in 0..size {
            let mut path = inclusion_proof(&all, index).unwrap();
            let mut proof = range_proof(&all, index, index + 1).unwrap();
            path.sort();
            proof.sort();
            assert_eq!(path, proof, "size {size} leaf {index}");
        }
    }
}

#[test]
fn any_changed_leaf_or_proof_hash_is_refused() {
    for size in [1u64, 2, 3, 7, 8, 13, 21] {
        let all = leaves(size);
        let root_hash = root(&all);
        for from in 0..size {
            for to in from + 1..=size {
                let run = &all[from as usize..to as usize];
                let proof = range_proof(&all, from, to).unwrap();
                for i in 0..run.len() {
                    let mut bad = run.to_vec();
                    bad[i] = flip(&bad[i]);
                    let result = verify_range(&bad, from, size, &proof, &root_hash);
                    assert_eq!(result, Err(ProofError::RootMismatch));
                }
                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i] = flip(&bad[i]);
                    let result = verify_range(run, from, size, &bad, &root_hash);
                    assert_eq!(result, Err(ProofError::RootMismatch));
                }
                let other_root = flip(&root_hash);
                let result = verify_range(run, from, size, &proof, &other_root);
                assert_eq!(result, Err(ProofError::RootMismatch));
            }
        }
    }
}

#[test]
fn a_run_moved_reordered_or_shortened_is_refused() {
    let size = 19u64;
    let all = leaves(size);
    let root_hash = root(&all);
    for from in 0..size - 3 {
        let to = from + 3;
        let run = &all[from as usize..to as usize];
        let proof = range_proof(&all, from, to).unwrap();
        // The same leaves claimed one place later.
        assert!(verify_range(run, from + 1, size, &proof, &root_hash).is_err());
        // Two leaves swapped.
        let swapped = [run[1], run[0], run[2]];
        assert!(verify_range(&swapped, from, size, &proof, &root_hash).is_err());
        // A leaf left out: the proof no longer fits the range.
        assert!(verify_range(&run[..2], from, size, &proof, &root_hash).is_err());
    }
}

#[test]
fn wrong_lengths_and_ranges_have_their_own_errors() {
    let all = leaves(10);
    let root_hash = root(&all);
    let proof = range_proof(&all, 2, 6).unwrap();
    let run = &all[2..6];
    let mut short = proof.clone();
    short.pop();
    assert!(matches!(
        verify_range(run, 2, 10, &short, &root_hash),
        Err(ProofError::WrongProofLength { .. })
    ));
    let mut long = proof.clone();
    long.push(root_hash);
    assert!(matches!(
        verify_range(run, 2, 10, &long, &root_hash),
        Err(ProofError::WrongProofLength { .. })
    ));
    assert_eq!(
        verify_range(&[], 2, 10, &[], &root_hash),
        Err(ProofError::EmptyRange { from: 2, to: 2 })
    );
    assert_eq!(
        verify_range(run, 8, 10, &proof, &root_hash),
        Err(ProofError::IndexOutOfRange {
            index: 11,
            size: 10
        })
    );
    assert_eq!(range_proof_ranges(0, 1, 0), Err(ProofError::EmptyTree));
    assert_eq!(
        verify_range(run, u64::MAX - 1, 10, &proof, &root_hash),
        Err(ProofError::TooManyLeaves)
    );
}

#[test]
fn ranges_are_aligned_and_proofs_stay_small_in_huge_trees() {
    for size in [1u64 << 20, (1 << 40) + 12_345, u64::MAX / 3, u64::MAX] {
        for (from, to) in [
            (0, 1),
            (1, 2),
            (size / 2 - 7, size / 2 + 9),
            (size - 1, size),
        ] {
            let ranges = range_proof_ranges(from, to, size).unwrap();
            assert!(ranges.len() <= 2 * log2_ceil(size));
            let mut end = 0;
            for range in &ranges {
                assert!(range.start >= end, "proof ranges are left to right");
                end = range.end();
                assert!(range.end() <= from || range.start >= to);
                assert!(range.perfect_parts().iter().all(SubtreeRange::is_perfect));
            }
        }
    }
}
