//! Integration tests of kimberlite-sql over a real storage engine: the
//! sqllogictest conformance files in tests/slt, the docs/sql.md examples, and
//! scenarios written in Rust (the seed example, rebuild after the SQLite
//! files are deleted, value mapping, isolation between tenants).

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test
// with a clear location, as clippy.toml allows inside the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
mod scenarios;
mod slt;
