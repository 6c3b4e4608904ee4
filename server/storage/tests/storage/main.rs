//! Integration tests of kimberlite-storage: one binary, one module per concern.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test
// with a clear location, as clippy.toml allows inside the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cached_reads;
mod crypto;
mod engine;
mod engine_crash;
mod fault;
mod index;
mod model;
mod sim_regressions;
mod verify;
mod wal;
mod wal_crash;
