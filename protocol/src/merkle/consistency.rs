//! Consistency proofs (RFC 9162 section 2.1.4): generation, the ranges they cover, verification.

use super::error::ProofError;
use super::inclusion::split_point;
use super::range::SubtreeRange;
use super::tree::{empty_root, node_hash, subtree_root};
use crate::Hash;

/// The number of hashes in the consistency proof from a tree of `old_size` to one of
/// `new_size`: 0 when `old_size` is 0 or equals `new_size`.
///
/// # Errors
/// [`ProofError::OldSizeExceedsNewSize`].
pub fn consistency_proof_len(old_size: u64, new_size: u64) -> Result<usize, ProofError> {
    check_sizes(old_size, new_size)?;
    if old_size == 0 || old_size == new_size {
        return Ok(0);
    }
    // The proof is the suffix, above the level of old_size's lowest set bit, of the
    // inclusion proof of leaf old_size - 1, plus that subtree's own hash unless it is
    // the whole old tree.
    let index = old_size - 1;
    let shift = old_size.trailing_zeros();
    let inner = 64 - (index ^ (new_size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    let seed = usize::from(!old_size.is_power_of_two());
    Ok(seed + (inner.saturating_sub(shift) + border) as usize)
}

/// The subtree ranges whose hashes form the consistency proof from `old_size` to
/// `new_size`, in proof order, as RFC 9162 `SUBPROOF` defines them. Empty when
/// `old_size` is 0 or equals `new_size`.
///
/// The store supplies, for each range, the Merkle tree hash of those leaves: the stored
/// node itself for a perfect range, otherwise [`super::root_from_perfect_subtrees`] over
/// the stored hashes of [`SubtreeRange::perfect_parts`].
///
/// # Errors
/// [`ProofError::OldSizeExceedsNewSize`].
pub fn consistency_proof_ranges(
    old_size: u64,
    new_size: u64,
) -> Result<Vec<SubtreeRange>, ProofError> {
    check_sizes(old_size, new_size)?;
    let mut ranges = Vec::with_capacity(65);
    if old_size == 0 || old_size == new_size {
        return Ok(ranges);
    }
    let (mut start, mut len, mut old) = (0u64, new_size, old_size);
    // `whole_old_tree` is RFC 9162's flag b: true while the subtree at hand is still
    // the entire old tree, whose root the verifier already has.
    let mut whole_old_tree = true;
    while old != len {
        let k = split_point(len);
        if old <= k {
            ranges.push(SubtreeRange::new(start + k, len - k));
            len = k;
        } else {
            ranges.push(SubtreeRange::new(start, k));
            start += k;
            old -= k;
            len -= k;
            whole_old_tree = false;
        }
    }
    if !whole_old_tree {
        ranges.push(SubtreeRange::new(start, len));
    }
    ranges.reverse();
    Ok(ranges)
}

/// The consistency proof from the first `old_size` leaves to the tree of all `leaves`.
///
/// # Errors
/// [`ProofError::OldSizeExceedsNewSize`] when `old_size` exceeds the number of leaves,
/// [`ProofError::TooManyLeaves`] on a platform where the length does not fit a `u64`.
pub fn consistency_proof(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, ProofError> {
    let new_size = u64::try_from(leaves.len()).map_err(|_| ProofError::TooManyLeaves)?;
    consistency_proof_ranges(old_size, new_size)?
        .into_iter()
        .map(|range| subtree_root(leaves, range.start, range.len))
        .collect::<Option<Vec<_>>>()
        .ok_or(ProofError::TooManyLeaves)
}

/// Checks that the tree of `new_size` with `new_root` extends the tree of `old_size`
/// with `old_root`, using the RFC 9162 section 2.1.4.2 algorithm.
///
/// Equal sizes need an empty proof and equal roots. An old size of 0 needs an empty
/// proof and `old_root` equal to [`empty_root`]; any new tree extends the empty one.
///
/// # Errors
/// [`ProofError::OldSizeExceedsNewSize`], [`ProofError::WrongProofLength`],
/// [`ProofError::OldRootMismatch`] when the proof does not lead to `old_root`, and
/// [`ProofError::NewRootMismatch`] when it does not lead to `new_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    let expected = consistency_proof_len(old_size, new_size)?;
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    if old_size == 0 && *old_root != empty_root() {
        return Err(ProofError::OldRootMismatch);
    }
    if old_size == new_size {
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::NewRootMismatch)
        };
    }
    if old_size == 0 {
        return Ok(());
    }
    let (seed, path) = if old_size.is_power_of_two() {
        (*old_root, proof)
    } else {
        // Not empty: the expected length is at least 1 here.
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => {
                return Err(ProofError::WrongProofLength {
                    expected,
                    actual: 0,
                })
            }
        }
    };
    let mut node_index = old_size - 1;
    let mut last_index = new_size - 1;
    while node_index & 1 == 1 {
        node_index >>= 1;
        last_index >>= 1;
    }
    let (mut old_hash, mut new_hash) = (seed, seed);
    for sibling in path {
        if last_index == 0 {
            return Err(ProofError::WrongProofLength {
                expected,
                actual: proof.len(),
            });
        }
        if node_index & 1 == 1 || node_index == last_index {
            old_hash = node_hash(sibling, &old_hash);
            new_hash = node_hash(sibling, &new_hash);
            while node_index & 1 == 0 && node_index != 0 {
                node_index >>= 1;
                last_index >>= 1;
            }
        } else {
            new_hash = node_hash(&new_hash, sibling);
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
    if old_hash != *old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if new_hash != *new_root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}

fn check_sizes(old_size: u64, new_size: u64) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldSizeExceedsNewSize { old_size, new_size });
    }
    Ok(())
}
