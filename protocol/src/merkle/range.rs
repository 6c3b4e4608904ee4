//! Subtree ranges: which leaves a proof hash covers, so a store can supply it.
//!
//! A proof is a list of subtree hashes. Each one is the Merkle tree hash (`MTH`) of a
//! contiguous run of leaves `[start, start + len)`. When `len` is a power of two and
//! `start` a multiple of `len`, the range is a *perfect* subtree whose hash a store can
//! keep on disk. Otherwise its hash is the root of those leaves, which is built from
//! the perfect subtrees listed by [`SubtreeRange::perfect_parts`] with
//! [`root_from_perfect_subtrees`].

use super::tree::node_hash;
use crate::Hash;

/// The leaves `[start, start + len)` of a tree; `len` is at least 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubtreeRange {
    /// Index of the first leaf.
    pub start: u64,
    /// Number of leaves.
    pub len: u64,
}

impl SubtreeRange {
    /// The range `[start, start + len)`.
    #[must_use]
    pub const fn new(start: u64, len: u64) -> Self {
        Self { start, len }
    }

    /// One past the last leaf.
    #[must_use]
    pub const fn end(&self) -> u64 {
        self.start.saturating_add(self.len)
    }

    /// True when the range is a perfect, aligned subtree: `len` is a power of two and
    /// `start` a multiple of it. Its hash is one stored node of the tree.
    #[must_use]
    pub const fn is_perfect(&self) -> bool {
        self.len.is_power_of_two() && self.start % self.len == 0
    }

    /// The perfect subtrees whose hashes make up this range's hash, left to right with
    /// strictly decreasing sizes (one per set bit of `len`, largest first).
    ///
    /// A perfect range yields itself. Every range that [`super::inclusion_proof_ranges`]
    /// or [`super::consistency_proof_ranges`] returns, and every `[0, size)`, starts at a
    /// multiple of the power of two above its length, so each part is aligned, that is,
    /// [`SubtreeRange::is_perfect`] holds for each part.
    #[must_use]
    pub fn perfect_parts(&self) -> Vec<SubtreeRange> {
        let mut parts = Vec::with_capacity(self.len.count_ones() as usize);
        let mut start = self.start;
        let mut remaining = self.len;
        while remaining > 0 {
            let size = 1u64 << (63 - remaining.leading_zeros());
            parts.push(SubtreeRange::new(start, size));
            start = start.saturating_add(size);
            remaining -= size;
        }
        parts
    }
}

/// Combines the hashes of a range's [`SubtreeRange::perfect_parts`], in the same order,
/// into the range's hash: `node(h0, node(h1, ... node(h_{k-2}, h_{k-1})))`.
///
/// This is how RFC 6962 `MTH` shapes a tree whose size is not a power of two: the
/// largest perfect subtree on the left, the rest on the right. Returns `None` for an
/// empty list.
#[must_use]
pub fn root_from_perfect_subtrees(hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(
        rest.iter()
            .rev()
            .fold(*last, |acc, left| node_hash(left, &acc)),
    )
}
