//! Inclusion proofs of a run of consecutive leaves, built together.
//!
//! The proofs of neighbouring leaves share most of their hashes: above the
//! run's own subtrees every leaf of the run has the same siblings. Built one
//! by one, each proof costs O(log n) reads of 32 bytes; built together, the
//! nodes the run's leaves wrote (a contiguous stretch of `tree.hashes`, see
//! [`tree_layout`](super::super::tree_layout)) come in ONE read, and every
//! other node is read once for the whole run. A run of `k` leaves costs about
//! `log2 n + 1` reads instead of `k log2 n`.

use std::collections::HashMap;

use kimberlite_protocol::merkle::{
    empty_root, inclusion_proof_ranges, root_from_perfect_subtrees, SubtreeRange,
};
use kimberlite_protocol::{Hash, HASH_LEN};

use super::super::error::IndexError;
use super::super::tree_layout::{node_count, node_position};
use super::{HashTree, HASH_BYTES};

/// Stored hashes of one proof batch: a stretch read at once, the rest memoized.
struct NodeReader<'a> {
    tree: &'a HashTree,
    /// Position (in hashes) of the first hash of `stretch`.
    first: u64,
    stretch: Vec<u8>,
    memo: HashMap<SubtreeRange, Hash>,
}

impl NodeReader<'_> {
    fn perfect(&mut self, range: SubtreeRange) -> Result<Hash, IndexError> {
        let position = node_position(range.start, range.len.trailing_zeros());
        let at = position
            .checked_sub(self.first)
            .and_then(|index| usize::try_from(index * HASH_BYTES).ok())
            .and_then(|start| self.stretch.get(start..start + HASH_LEN));
        if let Some(bytes) = at {
            let mut hash = [0u8; HASH_LEN];
            hash.copy_from_slice(bytes);
            return Ok(Hash(hash));
        }
        if let Some(hash) = self.memo.get(&range) {
            return Ok(*hash);
        }
        let hash = self.tree.read_perfect(range)?;
        self.memo.insert(range, hash);
        Ok(hash)
    }

    fn range(&mut self, range: SubtreeRange) -> Result<Hash, IndexError> {
        if range.is_perfect() {
            return self.perfect(range);
        }
        if let Some(hash) = self.memo.get(&range) {
            return Ok(*hash);
        }
        let parts = range
            .perfect_parts()
            .into_iter()
            .map(|part| self.perfect(part))
            .collect::<Result<Vec<_>, _>>()?;
        let hash = root_from_perfect_subtrees(&parts).unwrap_or_else(empty_root);
        self.memo.insert(range, hash);
        Ok(hash)
    }
}

impl HashTree {
    /// The RFC 6962 inclusion proofs of leaves `from..to` in the tree of size
    /// `size`, in leaf order; each equals [`HashTree::inclusion_proof`]'s.
    pub fn inclusion_proofs(
        &self,
        from: u64,
        to: u64,
        size: u64,
    ) -> Result<Vec<Vec<Hash>>, IndexError> {
        self.check_size(size)?;
        if to > size || from > to {
            return Err(IndexError::OutOfRange {
                what: "leaf",
                requested: to.max(from),
                length: size,
            });
        }
        let first = node_count(from);
        let count = node_count(to) - first;
        let bytes = usize::try_from(count * HASH_BYTES).unwrap_or(usize::MAX);
        let mut stretch = vec![0u8; bytes];
        self.file.read_exact_at(&mut stretch, first * HASH_BYTES)?;
        let mut reader = NodeReader {
            tree: self,
            first,
            stretch,
            memo: HashMap::new(),
        };
        (from..to)
            .map(|index| {
                inclusion_proof_ranges(index, size)?
                    .into_iter()
                    .map(|range| reader.range(range))
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
