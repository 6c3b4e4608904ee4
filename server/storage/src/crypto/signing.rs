//! The node's Ed25519 signing key file (`keys/signing.key`: the 32-byte seed only,
//! 0600).

use std::path::Path;

use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use super::error::CryptoError;
use super::key_file::{read_secret, write_atomically};
use super::random_bytes;
use crate::io::Vfs;

/// Bytes of an Ed25519 seed.
pub const SEED_BYTES: usize = 32;

/// Creates and loads the node's signing key file. The key itself is an
/// [`ed25519_dalek::SigningKey`], which zeroizes its secret on drop.
#[derive(Clone, Copy, Debug)]
pub struct SigningKeyFile;

impl SigningKeyFile {
    /// Creates a new random signing key and writes its seed to `path`
    /// atomically. Fails if the file exists.
    pub fn create(vfs: &dyn Vfs, path: &Path) -> Result<SigningKey, CryptoError> {
        let mut seed = Zeroizing::new([0u8; SEED_BYTES]);
        random_bytes(seed.as_mut())?;
        write_atomically(vfs, path, seed.as_ref(), false)?;
        Ok(SigningKey::from_bytes(&seed))
    }

    /// Loads the signing key from `path`.
    pub fn load(vfs: &dyn Vfs, path: &Path) -> Result<SigningKey, CryptoError> {
        let invalid = |reason| CryptoError::InvalidKeyFile {
            path: path.to_path_buf(),
            reason,
        };
        let stored = read_secret(vfs, path)?.ok_or_else(|| invalid("missing"))?;
        if stored.len() != SEED_BYTES {
            return Err(invalid("a signing key file holds exactly the 32-byte seed"));
        }
        let mut seed = Zeroizing::new([0u8; SEED_BYTES]);
        seed.copy_from_slice(&stored);
        Ok(SigningKey::from_bytes(&seed))
    }
}
