//! Integration tests of kimberlite-sql over a real storage engine: the
//! sqllogictest conformance files in tests/slt, the docs/sql.md examples, and
//! scenarios written in Rust (the seed example, rebuild after the SQLite
//! files are deleted, value mapping, isolation between tenants).

mod harness;
mod scenarios;
mod slt;
