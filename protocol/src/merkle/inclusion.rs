//! Inclusion proofs (RFC 9162 section 2.1.3): generation, the ranges they cover, verification.

use super::error::ProofError;
use super::range::SubtreeRange;
use super::tree::{node_hash, subtree_root};
use crate::Hash;

/// The largest power of two strictly below `n`, for `n >= 2`.
pub(super) const fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The number of hashes in the inclusion proof of leaf `index` in a tree of `size`.
///
/// # Errors
/// [`ProofError::EmptyTree`] when `size` is 0, [`ProofError::IndexOutOfRange`] when
/// `index >= size`.
pub fn inclusion_proof_len(index: u64, size: u64) -> Result<usize, ProofError> {
    check_index(index, size)?;
    // Levels where the paths to `index` and to the last leaf have diverged each add
    // one sibling; above that, each set bit of the remaining index adds a left sibling.
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    Ok((inner + border) as usize)
}

/// The subtree ranges whose hashes form the inclusion proof of leaf `index` in a tree of
/// `size`, in proof order (the sibling nearest the leaf first), as RFC 9162 `PATH`
/// defines them.
///
/// The store supplies, for each range, the Merkle tree hash of those leaves: the stored
/// node itself for a perfect range, otherwise [`super::root_from_perfect_subtrees`] over
/// the stored hashes of [`SubtreeRange::perfect_parts`].
///
/// # Errors
/// [`ProofError::EmptyTree`] or [`ProofError::IndexOutOfRange`].
pub fn inclusion_proof_ranges(index: u64, size: u64) -> Result<Vec<SubtreeRange>, ProofError> {
    check_index(index, size)?;
    let mut ranges = Vec::with_capacity(64);
    let (mut start, mut len, mut target) = (0u64, size, index);
    while len > 1 {
        let k = split_point(len);
        if target < k {
            ranges.push(SubtreeRange::new(start + k, len - k));
            len = k;
        } else {
            ranges.push(SubtreeRange::new(start, k));
            start += k;
            target -= k;
            len -= k;
        }
    }
    ranges.reverse();
    Ok(ranges)
}

/// The inclusion proof of leaf `index` in the tree of `leaves`.
///
/// # Errors
/// [`ProofError::EmptyTree`], [`ProofError::IndexOutOfRange`], or
/// [`ProofError::TooManyLeaves`] on a platform where the length does not fit a `u64`.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    let size = u64::try_from(leaves.len()).map_err(|_| ProofError::TooManyLeaves)?;
    inclusion_proof_ranges(index, size)?
        .into_iter()
        .map(|range| subtree_root(leaves, range.start, range.len))
        .collect::<Option<Vec<_>>>()
        .ok_or(ProofError::TooManyLeaves)
}

/// Checks that `leaf` is the leaf at `index` of the tree of `size` with `root`, using
/// the RFC 9162 section 2.1.3.2 algorithm.
///
/// # Errors
/// [`ProofError::EmptyTree`] when `size` is 0, [`ProofError::IndexOutOfRange`],
/// [`ProofError::WrongProofLength`] when `proof` does not have exactly the number of
/// hashes the index and size call for, and [`ProofError::RootMismatch`] when the
/// recomputed root differs from `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let expected = inclusion_proof_len(index, size)?;
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let mut node_index = index;
    let mut last_index = size - 1;
    let mut hash = *leaf;
    for sibling in proof {
        if last_index == 0 {
            return Err(ProofError::WrongProofLength {
                expected,
                actual: proof.len(),
            });
        }
        if node_index & 1 == 1 || node_index == last_index {
            hash = node_hash(sibling, &hash);
            while node_index & 1 == 0 && node_index != 0 {
                node_index >>= 1;
                last_index >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        node_index >>= 1;
        last_index >>= 1;
    }
    if last_index != 0 {
        return Err(ProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    if hash != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

fn check_index(index: u64, size: u64) -> Result<(), ProofError> {
    if size == 0 {
        return Err(ProofError::EmptyTree);
    }
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    Ok(())
}
