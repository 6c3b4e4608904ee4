//! Verification-format vectors and property tests (records, Merkle, notes, checkpoints).
