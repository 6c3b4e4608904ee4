//! Re-signing checkpoint notes with a key the proxy generated, under the same
//! key name, so only the key differs from the server's.

use ed25519_dalek::SigningKey;
use kimberlite_protocol::note::NoteSigner;

/// Signs notes with one random Ed25519 key.
pub(crate) struct Resigner {
    key: SigningKey,
}

impl Resigner {
    /// A signer with a fresh random key.
    pub(crate) fn generate() -> Self {
        Self {
            key: SigningKey::from_bytes(&rand::random::<[u8; 32]>()),
        }
    }

    /// `note` with its signatures replaced by one of this key, under the name of
    /// the note's first signature; `None` when the note does not parse.
    pub(crate) fn resign(&self, note: &str) -> Option<String> {
        let split = note.find("\n\n")?;
        let (text, signatures) = (&note[..=split], &note[split + 2..]);
        let name = signatures.lines().next()?.split(' ').nth(1)?;
        let signer = NoteSigner::new(name, self.key.clone()).ok()?;
        signer.sign(text).ok()
    }
}
