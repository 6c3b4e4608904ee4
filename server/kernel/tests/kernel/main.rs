//! Integration tests of kimberlite-kernel: property tests over generated command
//! sequences (determinism of replay, agreement of the two apply forms, and a
//! model of stream lengths, offsets and commit times).
//!
//! One test binary for the crate; each concern is a module.

#![allow(
    clippy::expect_used,
    reason = "helpers outside #[test] functions fail the test loudly if encoding breaks"
)]

mod generate;
mod model;
mod replay;
