//! Verification-format vectors and property tests (records, Merkle, notes, checkpoints).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly on bad vectors"
)]

#[allow(
    dead_code,
    reason = "the fixtures are shared with the vector generator, which uses other parts"
)]
mod fixtures;
mod negative;
mod properties;
mod reference;
mod vectors;

use std::path::PathBuf;

use kimberlite_protocol::Hash;
use serde_json::Value as Json;

/// Reads and parses a JSON file under the repository's tests/vectors directory.
fn read_vectors(name: &str) -> Json {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("parsing {name}: {error}"))
}

/// The string field `key` of a vector entry.
fn text<'a>(entry: &'a Json, key: &str) -> &'a str {
    entry[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {entry}"))
}

/// The unsigned integer field `key` of a vector entry.
fn number(entry: &Json, key: &str) -> u64 {
    entry[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not a u64 in {entry}"))
}

/// The bytes of the hex field `key`.
fn bytes(entry: &Json, key: &str) -> Vec<u8> {
    hex::decode(text(entry, key)).unwrap_or_else(|error| panic!("{key}: {error}"))
}

/// The hash of the hex field `key`.
fn hash(entry: &Json, key: &str) -> Hash {
    Hash::from_hex(text(entry, key)).unwrap_or_else(|| panic!("{key} is not a hash"))
}

/// The hashes of the hex array field `key`.
fn hashes(entry: &Json, key: &str) -> Vec<Hash> {
    entry[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array"))
        .iter()
        .map(|item| Hash::from_hex(item.as_str().expect("hex string")).expect("a hash"))
        .collect()
}

/// The entries of the array field `key`.
fn entries<'a>(value: &'a Json, key: &str) -> &'a [Json] {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array"))
}
