//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys.
//!
//! A note is a UTF-8 text ending in a newline, a blank line, and one or more signature
//! lines: U+2014 EM DASH, a space, the key name, a space, `base64(key id || signature)`
//! and a newline. The key id is the first four bytes of
//! `SHA-256(key name || 0x0A || 0x01 || public key)`, big-endian. A verifier key is
//! written `<name>+<key id as 8 hex digits>+base64(0x01 || public key)`.
//!
//! ```
//! use ed25519_dalek::SigningKey;
//! use kimberlite_protocol::note::{open_note, NoteSigner, NoteVerifier};
//!
//! let signer = NoteSigner::new("example.com/log", SigningKey::from_bytes(&[7; 32]))?;
//! let note = signer.sign("hello\n")?;
//! let verifier = NoteVerifier::from_verifier_key(&signer.verifier_key())?;
//! let opened = open_note(&note, &[verifier])?;
//! assert_eq!(opened.text, "hello\n");
//! # Ok::<(), kimberlite_protocol::note::NoteError>(())
//! ```
//!
//! Opening a note is strict: control characters other than newline, a missing blank
//! line, a malformed signature line, a note over [`MAX_NOTE_BYTES`], more than
//! [`MAX_TEXT_LINES`] text lines or [`MAX_SIGNATURES`] signatures are each rejected
//! with their own [`NoteError`]. Signatures by unknown keys (name and key id not both
//! matching a known verifier) are ignored, as the specification requires; every
//! signature by a known key must verify, and at least one must be present.

mod error;
mod open;
mod signer;
mod verifier;

pub use error::NoteError;
pub use open::{open_note, NoteSignature, VerifiedNote};
pub use signer::NoteSigner;
pub use verifier::NoteVerifier;

use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in key ids and verifier keys.
pub const ED25519_SIGNATURE_TYPE: u8 = 0x01;

/// The start of every signature line: U+2014 EM DASH and a space.
pub const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";

/// The largest note accepted or produced, in bytes.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

/// The most text lines a note may have.
pub const MAX_TEXT_LINES: usize = 1024;

/// The most signature lines a note may have (the specification asks for at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// The key id of an Ed25519 key: the first four bytes, big-endian, of
/// `SHA-256(name || 0x0A || 0x01 || public key)`.
#[must_use]
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', ED25519_SIGNATURE_TYPE]);
    hasher.update(public_key);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// True when `name` may name a key: non-empty, with no Unicode white space, no `+` and
/// no control character (a note cannot carry one).
#[must_use]
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// Checks the rules a note text must meet before it is signed: a final newline, no
/// control character but newline, at most [`MAX_TEXT_LINES`] lines.
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::TextMissingFinalNewline);
    }
    check_characters(text)?;
    if text.bytes().filter(|&b| b == b'\n').count() > MAX_TEXT_LINES {
        return Err(NoteError::TooManyLines {
            limit: MAX_TEXT_LINES,
        });
    }
    Ok(())
}

/// Rejects ASCII control characters other than newline, as the specification requires.
fn check_characters(text: &str) -> Result<(), NoteError> {
    match text.bytes().position(|b| b < 0x20 && b != b'\n') {
        Some(position) => Err(NoteError::ControlCharacter { position }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
