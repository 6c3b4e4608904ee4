//! Kimberlite storage: segmented hash-chained log, group commit, Merkle store, recovery.
//!
//! Placeholder: this crate is filled in by issue 4. Until then it exports
//! nothing, so nothing can come to depend on an unfinished surface.
