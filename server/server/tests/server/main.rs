//! Integration tests of the server over real TCP on 127.0.0.1, against an
//! in-memory backend.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail the test loudly, which is their job"
)]

mod auth;
mod engine;
mod handshake;
mod harness;
mod limits;
mod malformed;
mod memory;
mod metrics;
mod requests;
mod shutdown;
mod sql;
mod subscriptions;
mod tls;
