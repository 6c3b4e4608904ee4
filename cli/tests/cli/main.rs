//! Integration tests of the `kimberlite` binary: the real executable on
//! temporary directories and free loopback ports, one module per concern.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test
// with a clear location, as clippy.toml allows inside the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test loudly"
)]

mod admin;
mod harness;
mod init;
mod repl;
mod serve;
mod verify;
