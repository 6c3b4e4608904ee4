//! Node.js bindings of the Kimberlite client: the native addon behind the npm package
//! `@kimberlite/client`.
//!
//! Every class wraps a handle of the `kimberlite` crate (`core/`): the addon converts
//! arguments and results between JavaScript and Rust and nothing else. Hashing,
//! proofs and the protocol stay in `kimberlite` and `kimberlite-protocol`. Calls run
//! as futures on napi's tokio runtime, so every method returns a Promise and the
//! event loop never waits for the network. 64-bit values (ids, offsets, sizes) are
//! `bigint`; payloads are `Buffer` (any `Uint8Array` is accepted).

// napi-derive registers exported functions with node only outside `cfg(test)`; the
// test build of this cdylib (clippy --all-targets) would see them as unused.
#![cfg_attr(test, allow(dead_code))]

mod client;
mod error;
mod options;
mod subscription;
mod types;
mod values;
mod verify;
