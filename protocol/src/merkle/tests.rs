//! Unit tests: the generators against literal RFC 6962 `PATH`/`SUBPROOF` recursions,
//! every proof of small trees verified, and the store-facing range helpers.

use super::*;
use crate::Hash;

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

/// RFC 6962 section 2.1: MTH by the recursive definition.
fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => d[0],
        n => {
            let k = split(n);
            node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 section 2.1.1 PATH(m, D[n]).
fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    if d.len() <= 1 {
        return Vec::new();
    }
    let k = split(d.len());
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// RFC 6962 section 2.1.2 SUBPROOF(m, D[n], b).
fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { Vec::new() } else { vec![mth(d)] };
    }
    let k = split(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

#[test]
fn root_matches_recursive_definition() {
    for n in 0..=70 {
        let d = leaves(n);
        assert_eq!(root(&d), mth(&d), "size {n}");
    }
}

#[test]
fn inclusion_proofs_match_rfc_path_and_verify() {
    for n in 1..=40u64 {
        let d = leaves(n);
        let r = root(&d);
        for m in 0..n {
            let proof = inclusion_proof(&d, m).unwrap();
            assert_eq!(proof, path(m as usize, &d), "index {m} size {n}");
            assert_eq!(proof.len(), inclusion_proof_len(m, n).unwrap());
            verify_inclusion(&d[m as usize], m, n, &proof, &r).unwrap();
        }
    }
}

#[test]
fn consistency_proofs_match_rfc_subproof_and_verify() {
    for n in 1..=40u64 {
        let d = leaves(n);
        let new_root = root(&d);
        for m in 1..=n {
            let proof = consistency_proof(&d, m).unwrap();
            let expected = if m == n {
                Vec::new()
            } else {
                subproof(m as usize, &d, true)
            };
            assert_eq!(proof, expected, "old {m} new {n}");
            assert_eq!(proof.len(), consistency_proof_len(m, n).unwrap());
            let old_root = root(&d[..m as usize]);
            verify_consistency(m, n, &old_root, &new_root, &proof).unwrap();
        }
    }
}

#[test]
fn proof_ranges_split_into_aligned_perfect_parts() {
    for n in 1..=80u64 {
        let mut all = vec![SubtreeRange::new(0, n)];
        for m in 0..n {
            all.extend(inclusion_proof_ranges(m, n).unwrap());
        }
        for m in 0..=n {
            all.extend(consistency_proof_ranges(m, n).unwrap());
        }
        let d = leaves(n);
        for range in all {
            let parts = range.perfect_parts();
            assert!(
                parts.iter().all(SubtreeRange::is_perfect),
                "{range:?} -> {parts:?}"
            );
            assert_eq!(parts.iter().map(|p| p.len).sum::<u64>(), range.len);
            let hashes: Vec<Hash> = parts
                .iter()
                .map(|p| subtree_root(&d, p.start, p.len).unwrap())
                .collect();
            assert_eq!(
                root_from_perfect_subtrees(&hashes),
                subtree_root(&d, range.start, range.len),
                "{range:?}"
            );
        }
    }
}

#[test]
fn lengths_handle_extreme_sizes() {
    // The last leaf of 2^64 - 1 leaves sits alone beside 63 perfect subtrees.
    assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX).unwrap(), 63);
    assert_eq!(inclusion_proof_len(0, u64::MAX).unwrap(), 64);
    assert_eq!(inclusion_proof_len(0, 1).unwrap(), 0);
    for (index, size) in [
        (u64::MAX - 1, u64::MAX),
        (0, u64::MAX),
        (1 << 40, (1 << 41) + 3),
    ] {
        let ranges = inclusion_proof_ranges(index, size).unwrap();
        assert_eq!(ranges.len(), inclusion_proof_len(index, size).unwrap());
    }
    // The old tree is the left half, so the proof is the right half's root alone.
    assert_eq!(consistency_proof_len(1 << 63, u64::MAX).unwrap(), 1);
    for (old, new) in [
        (u64::MAX - 1, u64::MAX),
        (1 << 63, u64::MAX),
        (3, u64::MAX),
        (7, 1 << 50),
    ] {
        let ranges = consistency_proof_ranges(old, new).unwrap();
        assert_eq!(
            ranges.len(),
            consistency_proof_len(old, new).unwrap(),
            "{old} {new}"
        );
    }
}

#[test]
fn verification_errors_are_specific() {
    let d = leaves(5);
    let r = root(&d);
    let proof = inclusion_proof(&d, 2).unwrap();
    assert_eq!(
        verify_inclusion(&d[2], 2, 0, &proof, &r),
        Err(ProofError::EmptyTree)
    );
    assert_eq!(
        verify_inclusion(&d[2], 5, 5, &proof, &r),
        Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
    );
    assert_eq!(
        verify_inclusion(&d[2], 2, 5, &proof[1..], &r),
        Err(ProofError::WrongProofLength {
            expected: 3,
            actual: 2
        })
    );
    assert_eq!(
        verify_inclusion(&d[3], 2, 5, &proof, &r),
        Err(ProofError::RootMismatch)
    );
    let old = root(&d[..3]);
    let cproof = consistency_proof(&d, 3).unwrap();
    assert_eq!(
        verify_consistency(5, 3, &r, &old, &cproof),
        Err(ProofError::OldSizeExceedsNewSize {
            old_size: 5,
            new_size: 3
        })
    );
    assert_eq!(
        verify_consistency(3, 5, &r, &r, &cproof),
        Err(ProofError::OldRootMismatch)
    );
    assert_eq!(
        verify_consistency(3, 5, &old, &old, &cproof),
        Err(ProofError::NewRootMismatch)
    );
    assert_eq!(
        verify_consistency(5, 5, &r, &old, &[]),
        Err(ProofError::NewRootMismatch)
    );
    assert_eq!(verify_consistency(0, 5, &empty_root(), &r, &[]), Ok(()));
    assert_eq!(
        verify_consistency(0, 5, &r, &r, &[]),
        Err(ProofError::OldRootMismatch)
    );
    assert_eq!(
        verify_consistency(0, 5, &empty_root(), &r, &cproof),
        Err(ProofError::WrongProofLength {
            expected: 0,
            actual: cproof.len()
        })
    );
}
