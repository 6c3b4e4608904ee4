//! RFC 6962 / RFC 9162 Merkle tree hashing, inclusion proofs and consistency proofs.
//!
//! Leaves are record hashes (`SHA-256(0x00 || canonical record)`), interior nodes are
//! `SHA-256(0x01 || left || right)` and the root of the empty tree is `SHA-256("")`, so
//! any standard transparency-log verifier checks our proofs. Generation works from the
//! leaf hashes; a store that keeps perfect subtree hashes instead uses
//! [`inclusion_proof_ranges`] and [`consistency_proof_ranges`] to learn which subtree
//! hashes a proof needs and reads them itself. Verification never panics and reports
//! each kind of malformed input with its own [`ProofError`] variant.

mod consistency;
mod error;
mod inclusion;
mod range;
mod range_proof;
mod tree;

pub use consistency::{
    consistency_proof, consistency_proof_len, consistency_proof_ranges, verify_consistency,
};
pub use error::ProofError;
pub use inclusion::{
    inclusion_proof, inclusion_proof_len, inclusion_proof_ranges, verify_inclusion,
};
pub use range::{root_from_perfect_subtrees, SubtreeRange};
pub use range_proof::{range_proof, range_proof_len, range_proof_ranges, verify_range};
pub(crate) use tree::LEAF_PREFIX;
pub use tree::{empty_root, leaf_hash, node_hash, root, subtree_root};

#[cfg(test)]
mod tests;
