//! Wire vectors and property tests (frames, messages, prefixes, extensions).

#![allow(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly on bad vectors"
)]

#[allow(
    dead_code,
    reason = "the catalogue is shared with the vector generator, which uses all of it"
)]
mod catalog;
mod frames;
mod prefixes;
mod properties;
mod reference;
mod strategies;
mod vectors;

use std::path::PathBuf;

/// A file under the repository's tests/vectors directory.
fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name)
}

/// Reads and parses a JSON vector file.
fn read_vectors(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(vector_path(name))
        .unwrap_or_else(|error| panic!("reading {name}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("parsing {name}: {error}"))
}

/// A string field of a JSON object.
fn field<'a>(entry: &'a serde_json::Value, key: &str) -> &'a str {
    entry[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string field {key} in {entry}"))
}

/// Hex text to bytes.
fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap_or_else(|error| panic!("bad hex {text}: {error}"))
}
