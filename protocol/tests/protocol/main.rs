//! Integration tests of kimberlite-protocol: the shared vectors in tests/vectors
//! (ours and the independent references) and property tests.
//!
//! One test binary for the crate; each concern is a module.

mod formats;
mod wire;
