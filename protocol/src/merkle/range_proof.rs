//! Range proofs: one proof for a run of consecutive leaves (our extension,
//! `kmb.verify/2`; docs/protocol.md, "ReadVerifiedRange").
//!
//! The inclusion proofs of the leaves `[from, to)` of one tree share almost every
//! hash. A range proof carries each shared hash once: walking the tree as RFC 6962
//! `MTH` splits it (largest power of two on the left), every node that holds no
//! leaf of the range contributes its hash, in left-to-right order; every node
//! inside the range is recomputed by the verifier from the leaves it received; a
//! node that straddles a boundary of the range is split further. At most two nodes
//! per level lie outside the range, so a proof has at most `2 log2 size` hashes
//! whatever the length of the run, and checking it costs one node hash per leaf
//! plus one per proof hash.
//!
//! A verifier that accepts a range proof has recomputed the tree's root from
//! exactly the leaves it holds at exactly the positions `[from, to)`, so it accepts
//! precisely what checking every leaf's RFC 6962 inclusion proof would accept.

use super::error::ProofError;
use super::inclusion::split_point;
use super::range::SubtreeRange;
use super::tree::{node_hash, subtree_root};
use crate::Hash;

/// The subtree ranges whose hashes form the range proof of leaves `[from, to)` in a
/// tree of `size`, in proof order (left to right).
///
/// A store supplies each range's Merkle tree hash as for
/// [`super::inclusion_proof_ranges`]: every range is aligned, so its
/// [`SubtreeRange::perfect_parts`] are stored nodes.
///
/// # Errors
/// [`ProofError::EmptyTree`] when `size` is 0, [`ProofError::EmptyRange`] when
/// `from >= to`, [`ProofError::IndexOutOfRange`] when `to > size`.
pub fn range_proof_ranges(from: u64, to: u64, size: u64) -> Result<Vec<SubtreeRange>, ProofError> {
    check_range(from, to, size)?;
    let mut ranges = Vec::with_capacity(2 * 64);
    collect(SubtreeRange::new(0, size), from, to, &mut ranges);
    Ok(ranges)
}

/// The number of hashes in the range proof of `[from, to)` in a tree of `size`.
///
/// # Errors
/// As [`range_proof_ranges`].
pub fn range_proof_len(from: u64, to: u64, size: u64) -> Result<usize, ProofError> {
    range_proof_ranges(from, to, size).map(|ranges| ranges.len())
}

/// The range proof of leaves `[from, to)` of the tree of `leaves`.
///
/// # Errors
/// As [`range_proof_ranges`], or [`ProofError::TooManyLeaves`] on a platform where
/// the length does not fit a `u64`.
pub fn range_proof(leaves: &[Hash], from: u64, to: u64) -> Result<Vec<Hash>, ProofError> {
    let size = u64::try_from(leaves.len()).map_err(|_| ProofError::TooManyLeaves)?;
    range_proof_ranges(from, to, size)?
        .into_iter()
        .map(|range| subtree_root(leaves, range.start, range.len))
        .collect::<Option<Vec<_>>>()
        .ok_or(ProofError::TooManyLeaves)
}

/// Checks that `leaves` are the leaves `[from, from + leaves.len())` of the tree of
/// `size` with `root`, given their range proof.
///
/// # Errors
/// [`ProofError::EmptyTree`], [`ProofError::EmptyRange`] (no leaves),
/// [`ProofError::IndexOutOfRange`] (the run passes the end of the tree),
/// [`ProofError::WrongProofLength`] when `proof` does not have exactly the number of
/// hashes the range and size call for, and [`ProofError::RootMismatch`] when the
/// recomputed root differs from `root`.
pub fn verify_range(
    leaves: &[Hash],
    from: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let count = u64::try_from(leaves.len()).map_err(|_| ProofError::TooManyLeaves)?;
    let to = from.checked_add(count).ok_or(ProofError::TooManyLeaves)?;
    let expected = range_proof_len(from, to, size)?;
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let mut rebuild = Rebuild {
        from,
        to,
        leaves,
        proof: proof.iter(),
    };
    // The length was checked against the same walk, so the walk finds every hash
    // it takes and leaves none; `None` cannot happen but is refused all the same.
    let computed = rebuild.node(SubtreeRange::new(0, size));
    match computed {
        Some(hash) if rebuild.proof.len() == 0 && hash == *root => Ok(()),
        Some(_) if rebuild.proof.len() == 0 => Err(ProofError::RootMismatch),
        _ => Err(ProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        }),
    }
}

/// Appends the ranges of `node`'s proof for `[from, to)`, left to right.
fn collect(node: SubtreeRange, from: u64, to: u64, out: &mut Vec<SubtreeRange>) {
    if node.end() <= from || node.start >= to {
        out.push(node);
    } else if from <= node.start && node.end() <= to {
        // Inside the range: the verifier recomputes it.
    } else {
        // Straddles a boundary, so it holds at least two leaves and can be split.
        let k = split_point(node.len);
        collect(SubtreeRange::new(node.start, k), from, to, out);
        collect(
            SubtreeRange::new(node.start + k, node.len - k),
            from,
            to,
            out,
        );
    }
}

/// The verifier's walk: the same recursion as [`collect`], taking proof hashes for
/// nodes outside the range and hashing leaves for nodes inside it.
struct Rebuild<'a> {
    from: u64,
    to: u64,
    leaves: &'a [Hash],
    proof: std::slice::Iter<'a, Hash>,
}

impl Rebuild<'_> {
    fn node(&mut self, node: SubtreeRange) -> Option<Hash> {
        if node.end() <= self.from || node.start >= self.to {
            return self.proof.next().copied();
        }
        if node.len == 1 {
            let index = usize::try_from(node.start - self.from).ok()?;
            return self.leaves.get(index).copied();
        }
        let k = split_point(node.len);
        let left = self.node(SubtreeRange::new(node.start, k))?;
        let right = self.node(SubtreeRange::new(node.start + k, node.len - k))?;
        Some(node_hash(&left, &right))
    }
}

fn check_range(from: u64, to: u64, size: u64) -> Result<(), ProofError> {
    if size == 0 {
        return Err(ProofError::EmptyTree);
    }
    if from >= to {
        return Err(ProofError::EmptyRange { from, to });
    }
    if to > size {
        return Err(ProofError::IndexOutOfRange {
            index: to - 1,
            size,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
