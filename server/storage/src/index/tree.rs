//! `tree.hashes`: a stream's RFC 6962 Merkle tree, stored so that roots and
//! proofs at any size cost O(log n) reads.
//!
//! The layout is in [`tree_layout`](super::tree_layout). Appending a leaf writes
//! its hash and the hashes of the perfect subtrees it completes (two hashes per
//! leaf on average). Memory holds only the right-edge frontier: the roots of the
//! perfect subtrees that make up the current tree, at most 64 hashes.
//!
//! The hashing and the shape of every proof are `kimberlite_protocol::merkle`'s,
//! the same code clients verify with: it names the leaf ranges a proof needs,
//! and this file only reads the stored hashes that make up each range.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use kimberlite_protocol::merkle::{
    consistency_proof_ranges, empty_root, inclusion_proof_ranges, node_hash, range_proof_ranges,
    root_from_perfect_subtrees, SubtreeRange,
};
use kimberlite_protocol::{Hash, HASH_LEN};

use super::append_file::{AppendFile, FileSync};
use super::error::IndexError;
use super::tree_layout::{leaves_for_node_count, node_count, node_position};
use crate::io::Vfs;

mod batch;

const HASH_BYTES: u64 = HASH_LEN as u64;

/// Stored hashes kept in memory at most, per tree (about 10 KiB).
const CACHED_HASHES: usize = 256;

/// A stream's stored Merkle tree.
#[derive(Debug)]
pub struct HashTree {
    file: AppendFile,
    leaves: u64,
    /// Roots of the perfect subtrees of the current tree, largest (leftmost)
    /// first: one per set bit of `leaves`.
    frontier: Vec<Hash>,
    /// Stored hashes read lately, by position. A proof reads about 2 log2 n
    /// stored hashes, one small read each, and the proofs of successive reads
    /// of a stream share most of them (the upper levels). A stored hash never
    /// changes while its position is in the tree, so the cache is only emptied
    /// when the tree is cut (positions past the cut are written again) and when
    /// it is full.
    cache: Mutex<HashMap<u64, Hash>>,
}

impl HashTree {
    /// Opens or creates the tree at `path`. Hashes past the last whole tree (a
    /// leaf whose parents were not written yet) are dropped.
    pub fn open(vfs: &Arc<dyn Vfs>, path: PathBuf) -> Result<Self, IndexError> {
        let file = AppendFile::open(vfs, path)?;
        let leaves = leaves_for_node_count(file.len() / HASH_BYTES);
        let mut tree = Self {
            file,
            leaves: 0,
            frontier: Vec::new(),
            cache: Mutex::new(HashMap::new()),
        };
        tree.cut_to(leaves)?;
        Ok(tree)
    }

    /// Number of leaves.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.leaves
    }

    /// Whether the tree has no leaves.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.leaves == 0
    }

    /// Appends a leaf (a record hash) and the subtrees it completes.
    pub fn append(&mut self, leaf: Hash) {
        self.file.append(leaf.as_bytes());
        let mut hash = leaf;
        let mut height = 0;
        // Each set low bit of the old size is a perfect subtree the new leaf's
        // subtree now pairs with, from the smallest up.
        while height < u64::BITS && self.leaves & (1u64 << height) != 0 {
            let Some(left) = self.frontier.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            self.file.append(hash.as_bytes());
            height += 1;
        }
        self.frontier.push(hash);
        self.leaves += 1;
    }

    /// The leaf hash at `index`.
    pub fn leaf(&self, index: u64) -> Result<Hash, IndexError> {
        if index >= self.leaves {
            return Err(IndexError::OutOfRange {
                what: "leaf",
                requested: index,
                length: self.leaves,
            });
        }
        self.read_perfect(SubtreeRange::new(index, 1))
    }

    /// The current root (no reads: folded from the frontier).
    #[must_use]
    pub fn root(&self) -> Hash {
        root_from_perfect_subtrees(&self.frontier).unwrap_or_else(empty_root)
    }

    /// The root of the tree of the first `size` leaves. O(log n) reads.
    pub fn root_at(&self, size: u64) -> Result<Hash, IndexError> {
        self.check_size(size)?;
        if size == self.leaves {
            return Ok(self.root());
        }
        if size == 0 {
            return Ok(empty_root());
        }
        self.range_hash(SubtreeRange::new(0, size))
    }

    /// The RFC 6962 inclusion proof of leaf `index` in the tree of size `size`,
    /// from the leaf's sibling up. O(log n) reads: every range of the proof is
    /// one stored node except at most one, the fold of O(log n) stored nodes.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, IndexError> {
        self.check_size(size)?;
        if index >= size {
            return Err(IndexError::OutOfRange {
                what: "leaf",
                requested: index,
                length: size,
            });
        }
        inclusion_proof_ranges(index, size)?
            .into_iter()
            .map(|range| self.range_hash(range))
            .collect()
    }

    /// The RFC 6962 consistency proof from size `old_size` to `new_size`: empty
    /// when `old_size` is 0 or equals `new_size`. O(log n) reads.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, IndexError> {
        self.check_size(new_size)?;
        consistency_proof_ranges(old_size, new_size)?
            .into_iter()
            .map(|range| self.range_hash(range))
            .collect()
    }

    /// The range proof of leaves `from..to` in the tree of size `size`: about
    /// `2 log2 size` stored nodes, whatever the length of the run.
    pub fn range_proof(&self, from: u64, to: u64, size: u64) -> Result<Vec<Hash>, IndexError> {
        self.check_size(size)?;
        range_proof_ranges(from, to, size)?
            .into_iter()
            .map(|range| self.range_hash(range))
            .collect()
    }

    /// Drops every leaf from `size` on, with the subtrees that contain them.
    pub fn truncate(&mut self, size: u64) -> Result<(), IndexError> {
        if size >= self.leaves {
            return Ok(());
        }
        self.cut_to(size)
    }

    /// Bytes of hashes appended but not written to the file yet.
    #[must_use]
    pub fn pending_bytes(&self) -> usize {
        self.file.pending_len()
    }

    /// Writes pending hashes to the file (not synced).
    pub fn flush(&mut self) -> Result<(), IndexError> {
        self.file.flush()
    }

    /// Flushes and makes the file durable.
    pub fn sync(&mut self) -> Result<(), IndexError> {
        self.file.sync()
    }

    /// Flushes; returns the sync to run later (see [`StreamIndexes::flush_for_sync`]).
    ///
    /// [`StreamIndexes::flush_for_sync`]: super::StreamIndexes::flush_for_sync
    pub(crate) fn flush_for_sync(&mut self) -> Result<FileSync, IndexError> {
        self.file.flush_for_sync()
    }

    fn cut_to(&mut self, size: u64) -> Result<(), IndexError> {
        self.cache
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.file.truncate(node_count(size) * HASH_BYTES)?;
        self.leaves = size;
        self.frontier = if size == 0 {
            Vec::new()
        } else {
            SubtreeRange::new(0, size)
                .perfect_parts()
                .into_iter()
                .map(|part| self.read_perfect(part))
                .collect::<Result<_, _>>()?
        };
        Ok(())
    }

    fn check_size(&self, size: u64) -> Result<(), IndexError> {
        if size > self.leaves {
            return Err(IndexError::OutOfRange {
                what: "tree size",
                requested: size,
                length: self.leaves,
            });
        }
        Ok(())
    }

    /// Reads the stored hash of a perfect aligned range.
    fn read_perfect(&self, range: SubtreeRange) -> Result<Hash, IndexError> {
        debug_assert!(range.is_perfect(), "{range:?} is not a stored subtree");
        let position = node_position(range.start, range.len.trailing_zeros());
        if let Some(hash) = self.cached(position) {
            return Ok(hash);
        }
        let mut bytes = [0u8; HASH_LEN];
        self.file.read_exact_at(&mut bytes, position * HASH_BYTES)?;
        let hash = Hash(bytes);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHED_HASHES {
            cache.clear();
        }
        cache.insert(position, hash);
        Ok(hash)
    }

    fn cached(&self, position: u64) -> Option<Hash> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(&position).copied()
    }

    /// MTH of a range whose parts are aligned (every range a proof asks for, and
    /// every prefix): one read per perfect part, then their right fold.
    fn range_hash(&self, range: SubtreeRange) -> Result<Hash, IndexError> {
        if range.is_perfect() {
            return self.read_perfect(range);
        }
        let parts: Vec<Hash> = range
            .perfect_parts()
            .into_iter()
            .map(|part| self.read_perfect(part))
            .collect::<Result<_, _>>()?;
        Ok(root_from_perfect_subtrees(&parts).unwrap_or_else(empty_root))
    }
}
