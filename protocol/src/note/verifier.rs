//! Verifier keys: parsing `name+hexid+base64key` and checking Ed25519 signatures.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};

use super::error::NoteError;
use super::{is_valid_key_name, key_id, ED25519_SIGNATURE_TYPE};

/// A known key that signatures of notes are checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// A verifier for `key` under `name`.
    ///
    /// # Errors
    /// [`NoteError::InvalidKeyName`], or [`NoteError::WeakPublicKey`] for a small-order
    /// key.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        if key.is_weak() {
            return Err(NoteError::WeakPublicKey);
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, key.as_bytes()),
            key,
        })
    }

    /// A verifier from parts already known to agree (a signer's own key).
    pub(super) const fn from_parts(name: String, key_id: u32, key: VerifyingKey) -> Self {
        Self { name, key_id, key }
    }

    /// Parses a verifier key `<name>+<8 hex digits>+<base64(0x01 || 32-byte key)>`.
    ///
    /// # Errors
    /// [`NoteError::MalformedVerifierKey`], [`NoteError::InvalidKeyName`],
    /// [`NoteError::UnsupportedSignatureType`], [`NoteError::InvalidPublicKey`],
    /// [`NoteError::WeakPublicKey`] or [`NoteError::KeyIdMismatch`].
    pub fn from_verifier_key(text: &str) -> Result<Self, NoteError> {
        let (name, rest) = text
            .split_once('+')
            .ok_or(NoteError::MalformedVerifierKey("no '+'"))?;
        let (id_hex, key_base64) = rest
            .split_once('+')
            .ok_or(NoteError::MalformedVerifierKey("no second '+'"))?;
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NoteError::MalformedVerifierKey(
                "key id is not 8 hex digits",
            ));
        }
        let found = u32::from_str_radix(id_hex, 16)
            .map_err(|_| NoteError::MalformedVerifierKey("key id is not 8 hex digits"))?;
        let bytes = STANDARD
            .decode(key_base64)
            .map_err(|_| NoteError::MalformedVerifierKey("key is not standard base64"))?;
        let (&signature_type, public) = bytes
            .split_first()
            .ok_or(NoteError::MalformedVerifierKey("empty key"))?;
        if signature_type != ED25519_SIGNATURE_TYPE {
            return Err(NoteError::UnsupportedSignatureType(signature_type));
        }
        let public: &[u8; 32] = public
            .try_into()
            .map_err(|_| NoteError::MalformedVerifierKey("Ed25519 key is not 32 bytes"))?;
        let key = VerifyingKey::from_bytes(public).map_err(|_| NoteError::InvalidPublicKey)?;
        let verifier = Self::new(name, key)?;
        if verifier.key_id != found {
            return Err(NoteError::KeyIdMismatch {
                expected: verifier.key_id,
                found,
            });
        }
        Ok(verifier)
    }

    /// The verifier key string, `<name>+<8 hex digits>+<base64(0x01 || key)>`.
    #[must_use]
    pub fn verifier_key(&self) -> String {
        let mut bytes = Vec::with_capacity(33);
        bytes.push(ED25519_SIGNATURE_TYPE);
        bytes.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            STANDARD.encode(bytes)
        )
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    #[must_use]
    pub const fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The Ed25519 public key.
    #[must_use]
    pub const fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// True when `signature` (64 bytes) is this key's valid signature of `text`, checked
    /// with Ed25519 strict verification (canonical encodings, no small-order points).
    #[must_use]
    pub fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|signature| self.key.verify_strict(text, &signature).is_ok())
    }
}
