//! The comparison harness, kept from rotting: a smoke version of every workload
//! (about a second each) against an in-process Kimberlite server with SQL and a
//! SQLite file, then the report written from it. PostgreSQL is not needed here;
//! `bench/compare` runs the full comparison with it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail the test loudly, which is their job"
)]

mod report;
mod smoke;
