//! Errors of signed-note keys, signing and opening, one variant per failure.

use thiserror::Error;

/// Why a key, a text or a note was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NoteError {
    /// A key name is empty or holds white space, `+` or a control character.
    #[error("invalid key name {0:?}")]
    InvalidKeyName(String),
    /// A verifier key is not `name+hexid+base64key`.
    #[error("malformed verifier key: {0}")]
    MalformedVerifierKey(&'static str),
    /// A verifier key names a signature type other than Ed25519 (0x01).
    #[error("unsupported signature type 0x{0:02x}")]
    UnsupportedSignatureType(u8),
    /// A verifier key's public key is not a valid Ed25519 point.
    #[error("invalid Ed25519 public key")]
    InvalidPublicKey,
    /// A verifier key's public key has small order: any signature would pass for it.
    #[error("weak Ed25519 public key")]
    WeakPublicKey,
    /// A verifier key's key id does not match its name and public key.
    #[error("key id {found:08x} does not match the key (expected {expected:08x})")]
    KeyIdMismatch {
        /// The id computed from name and key.
        expected: u32,
        /// The id written in the verifier key.
        found: u32,
    },
    /// The text to sign, or a note's text, does not end in a newline.
    #[error("note text does not end with a newline")]
    TextMissingFinalNewline,
    /// An ASCII control character other than newline.
    #[error("control character at byte {position}")]
    ControlCharacter {
        /// Byte position in the text or note.
        position: usize,
    },
    /// The note is larger than the limit.
    #[error("note of {size} bytes exceeds the limit of {limit}")]
    NoteTooLarge {
        /// The note's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The text has more lines than the limit.
    #[error("note text has more than {limit} lines")]
    TooManyLines {
        /// The limit.
        limit: usize,
    },
    /// The note has more signature lines than the limit.
    #[error("note has more than {limit} signatures")]
    TooManySignatures {
        /// The limit.
        limit: usize,
    },
    /// No blank line followed by signature lines ending in a newline.
    #[error("note has no signature block after a blank line")]
    MissingSignatureBlock,
    /// A signature line does not start with the em dash and space, or lacks the space
    /// between key name and signature.
    #[error("malformed signature line {line}")]
    MalformedSignatureLine {
        /// 1-based index of the line in the signature block.
        line: usize,
    },
    /// A signature line's key name is invalid.
    #[error("invalid key name in signature line {line}")]
    InvalidSignatureKeyName {
        /// 1-based index of the line in the signature block.
        line: usize,
    },
    /// A signature is not canonical standard base64 of at least 5 bytes.
    #[error("signature line {line} is not base64 of a key id and a signature")]
    InvalidSignatureEncoding {
        /// 1-based index of the line in the signature block.
        line: usize,
    },
    /// A signature by a known key does not verify.
    #[error("signature by {name} (key id {key_id:08x}) does not verify")]
    BadSignature {
        /// The key name.
        name: String,
        /// The key id.
        key_id: u32,
    },
    /// No signature is by a known key.
    #[error("note has no signature by a known key")]
    NoKnownSignature,
}
