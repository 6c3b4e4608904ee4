//! The 32-byte SHA-256 digest used for record hashes, Merkle nodes and roots.
//!
//! On the wire a [`Hash`] is 32 raw bytes with no length prefix (serde treats a
//! fixed array as a tuple), so a proof of `k` hashes costs `1 + 32k` bytes.

use serde::{Deserialize, Serialize};

/// Length of a [`Hash`] in bytes.
pub const HASH_LEN: usize = 32;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash(pub [u8; HASH_LEN]);

impl Hash {
    /// The digest bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Lower-case hex, 64 characters.
    #[must_use]
    pub fn to_hex(&self) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(HASH_LEN * 2);
        for byte in self.0 {
            // Writing to a String cannot fail.
            let _ = write!(out, "{byte:02x}");
        }
        out
    }

    /// Parses 64 hex digits (either case). Returns `None` for anything else.
    #[must_use]
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != HASH_LEN * 2 {
            return None;
        }
        let mut out = [0u8; HASH_LEN];
        for (index, pair) in bytes.chunks_exact(2).enumerate() {
            let high = (pair[0] as char).to_digit(16)?;
            let low = (pair[1] as char).to_digit(16)?;
            // Both digits are below 16, so the value fits a byte.
            out[index] = u8::try_from(high * 16 + low).ok()?;
        }
        Some(Self(out))
    }

    /// Builds a hash from a slice; `None` unless it is exactly 32 bytes long.
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; HASH_LEN]>::try_from(bytes).ok().map(Self)
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl std::fmt::Display for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
