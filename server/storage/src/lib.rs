//! Kimberlite storage: segmented hash-chained log, group commit, Merkle store, recovery.
//!
//! Work in progress (issue 4): modules land one by one.

pub mod crypto;
pub mod engine;
pub mod index;
pub mod io;
pub mod wal;
