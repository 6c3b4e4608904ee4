//! Where each perfect subtree hash lives in `tree.hashes`: pure arithmetic.
//!
//! The file stores, 32 bytes each, the hash of every *perfect aligned subtree* of
//! the stream's RFC 6962 tree (a leaf, or a node over leaves
//! `[s, s + 2^h)` with `s` a multiple of `2^h`), in post-order: appending leaf `i`
//! writes its leaf hash, then the hash of every subtree that leaf completes, from
//! the smallest up. For leaves 0..4 the file holds
//!
//! ```text
//! position: 0    1    2        3    4    5        6
//! hash:     L0   L1   N[0,2)   L2   L3   N[2,4)   N[0,4)
//! ```
//!
//! A tree of `n` leaves has `2n - popcount(n)` stored hashes, so the file is about
//! 64 bytes per record, and each position is a closed formula: no pointers, no
//! per-level files, and a file cut at any whole tree size is a valid smaller
//! tree. Every RFC 6962 subtree that is not perfect is the fold of at most
//! `log2 n` perfect ones, which is what makes roots and proofs O(log n) reads.
//! Memory: nothing here allocates; positions are computed, never looked up.

/// Number of hashes stored for a tree of `leaves` leaves.
#[must_use]
pub const fn node_count(leaves: u64) -> u64 {
    2 * leaves - leaves.count_ones() as u64
}

/// Position (in hashes) of the perfect subtree of height `height` whose first
/// leaf is `start` (`start` must be a multiple of `2^height`).
#[must_use]
pub const fn node_position(start: u64, height: u32) -> u64 {
    let last_leaf = start + (1u64 << height) - 1;
    // The last leaf's hash comes first, then the `height` subtrees it completes.
    node_count(last_leaf) + height as u64
}

/// The largest tree size whose hashes fit in `count` stored hashes.
#[must_use]
pub fn leaves_for_node_count(count: u64) -> u64 {
    // node_count is increasing and node_count(n) >= n, so the answer is in
    // [0, count]; binary search for the last n with node_count(n) <= count.
    let (mut low, mut high) = (0u64, count.saturating_add(1));
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if node_count(middle) <= count {
            low = middle;
        } else {
            high = middle;
        }
    }
    low
}

#[cfg(test)]
mod tests;
