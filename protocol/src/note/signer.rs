//! Signing notes with an Ed25519 key under a key name.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};

use super::error::NoteError;
use super::verifier::NoteVerifier;
use super::{check_text, is_valid_key_name, key_id, MAX_NOTE_BYTES, SIGNATURE_LINE_PREFIX};

/// Signs note texts with one Ed25519 key under one key name.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret key.
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer for `key` under `name`.
    ///
    /// # Errors
    /// [`NoteError::InvalidKeyName`] when the name is empty or holds white space, `+` or
    /// a control character.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        let key_id = key_id(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// Signs `text` and returns the whole note: the text, a blank line and one
    /// signature line.
    ///
    /// # Errors
    /// [`NoteError::TextMissingFinalNewline`], [`NoteError::ControlCharacter`],
    /// [`NoteError::TooManyLines`] or [`NoteError::NoteTooLarge`].
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let mut signature = Vec::with_capacity(68);
        signature.extend_from_slice(&self.key_id.to_be_bytes());
        signature.extend_from_slice(&self.key.sign(text.as_bytes()).to_bytes());
        let note = format!(
            "{text}\n{SIGNATURE_LINE_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(signature)
        );
        if note.len() > MAX_NOTE_BYTES {
            return Err(NoteError::NoteTooLarge {
                size: note.len(),
                limit: MAX_NOTE_BYTES,
            });
        }
        Ok(note)
    }

    /// The verifier key string, `<name>+<8 hex digits>+<base64(0x01 || public key)>`.
    #[must_use]
    pub fn verifier_key(&self) -> String {
        self.verifier().verifier_key()
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier::from_parts(self.name.clone(), self.key_id, self.key.verifying_key())
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
}
