//! Integration tests of the client: verification, trusted state, and the client
//! against a loopback server speaking protocol v5 with the protocol crate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail the test loudly, which is their job"
)]

mod audit;
mod blocking;
mod calls;
mod engine;
mod facades;
mod fixtures;
mod harness;
mod isolation;
mod real_server;
mod robustness;
mod scan;
mod scenarios;
mod store;
mod tamper;
mod tls;
mod verified;
mod verify;
mod verify_range;
