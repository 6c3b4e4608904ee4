//! Integration tests of the client: verification, trusted state, and the client
//! against a loopback server speaking protocol v5 with the protocol crate.

mod fixtures;
mod store;
mod verify;
