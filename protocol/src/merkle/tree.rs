//! Tree hashing: leaf and node hashes, the empty root and the root of a list of leaves.

use sha2::{Digest, Sha256};

use crate::Hash;

/// Domain-separation prefix of a leaf hash (RFC 6962 section 2.1).
pub const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation prefix of an interior node hash (RFC 6962 section 2.1).
pub const NODE_PREFIX: u8 = 0x01;

/// The leaf hash of `data`: `SHA-256(0x00 || data)`.
#[must_use]
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_PREFIX]);
    hasher.update(data);
    Hash(hasher.finalize().into())
}

/// The interior node hash of two children: `SHA-256(0x01 || left || right)`.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([NODE_PREFIX]);
    hasher.update(left.as_bytes());
    hasher.update(right.as_bytes());
    Hash(hasher.finalize().into())
}

/// The root of the empty tree: `SHA-256("")`.
#[must_use]
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// The Merkle tree hash (RFC 6962 `MTH`) of a list of leaf hashes; the empty list has
/// [`empty_root`].
///
/// Runs in O(n) time and O(log n) extra space: leaves are folded left to right into a
/// stack of perfect subtree roots, which is then folded right to left, exactly the
/// shape `MTH` gives (largest power of two on the left).
#[must_use]
pub fn root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return empty_root();
    }
    // stack[i] is a perfect subtree root; sizes strictly decrease from bottom to top.
    let mut stack: Vec<(Hash, u64)> = Vec::with_capacity(64);
    for leaf in leaves {
        let mut hash = *leaf;
        let mut size = 1u64;
        while let Some(&(left, left_size)) = stack.last() {
            if left_size != size {
                break;
            }
            stack.pop();
            hash = node_hash(&left, &hash);
            size *= 2;
        }
        stack.push((hash, size));
    }
    let mut hashes = stack.into_iter().map(|(hash, _)| hash).rev();
    // The stack is non-empty because `leaves` is.
    let mut acc = hashes.next().unwrap_or_else(empty_root);
    for left in hashes {
        acc = node_hash(&left, &acc);
    }
    acc
}

/// The root of the leaves `leaves[start..start + len]`, or `None` when the range does not
/// lie inside `leaves`.
#[must_use]
pub fn subtree_root(leaves: &[Hash], start: u64, len: u64) -> Option<Hash> {
    let start = usize::try_from(start).ok()?;
    let len = usize::try_from(len).ok()?;
    let end = start.checked_add(len)?;
    leaves.get(start..end).map(root)
}
