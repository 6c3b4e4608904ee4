//! Errors of Merkle proof generation and verification, one variant per failure.

use thiserror::Error;

/// Why a Merkle proof could not be built or did not verify.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProofError {
    /// An inclusion proof was requested or checked against a tree of size 0, which has
    /// no leaves to include.
    #[error("the tree is empty: no leaf can be included in it")]
    EmptyTree,
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    OldSizeExceedsNewSize {
        /// The older (trusted) tree size.
        old_size: u64,
        /// The newer tree size.
        new_size: u64,
    },
    /// The proof has the wrong number of hashes for the sizes and index it claims.
    #[error("the proof has {actual} hashes where {expected} are needed")]
    WrongProofLength {
        /// The number of hashes the sizes call for.
        expected: usize,
        /// The number of hashes given.
        actual: usize,
    },
    /// The root recomputed from the leaf and the inclusion proof differs from the root.
    #[error("the inclusion proof does not lead to the expected root")]
    RootMismatch,
    /// The old root recomputed from a consistency proof differs from the trusted old root.
    #[error("the consistency proof does not lead to the old root")]
    OldRootMismatch,
    /// The new root recomputed from a consistency proof differs from the new root.
    #[error("the consistency proof does not lead to the new root")]
    NewRootMismatch,
    /// A range proof was asked or checked for no leaves (`from >= to`).
    #[error("the leaf range [{from}, {to}) is empty")]
    EmptyRange {
        /// The first leaf of the range.
        from: u64,
        /// One past the last leaf.
        to: u64,
    },
    /// A list of leaves is too long to be addressed by a `u64` index.
    #[error("the tree has more leaves than a u64 can count")]
    TooManyLeaves,
}
