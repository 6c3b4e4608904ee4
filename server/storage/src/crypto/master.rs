//! The node's master key (`keys/master.key`: 32 random bytes, 0600) and the key
//! encryption key derived from it.

use std::path::Path;

use aes_gcm::{Aes256Gcm, KeyInit};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::error::CryptoError;
use super::key_file::{read_secret, write_atomically};
use super::random_bytes;
use crate::io::Vfs;

/// Bytes of the master key.
pub const MASTER_KEY_BYTES: usize = 32;
/// HKDF salt of the key encryption key.
pub const KEK_SALT: &[u8] = b"kimberlite";
/// HKDF info of the key encryption key.
pub const KEK_INFO: &[u8] = b"kimberlite/kek/v1";

/// The node's master key. Zeroized on drop; its `Debug` shows nothing secret.
pub struct MasterKey {
    bytes: Zeroizing<[u8; MASTER_KEY_BYTES]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// Creates a new random master key and writes it to `path` atomically (0600
    /// on a real file system). Fails if the file exists: keys are never
    /// overwritten.
    pub fn create(vfs: &dyn Vfs, path: &Path) -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_BYTES]);
        random_bytes(bytes.as_mut())?;
        write_atomically(vfs, path, bytes.as_ref(), false)?;
        Ok(Self { bytes })
    }

    /// Loads the master key from `path`.
    pub fn load(vfs: &dyn Vfs, path: &Path) -> Result<Self, CryptoError> {
        let invalid = |reason| CryptoError::InvalidKeyFile {
            path: path.to_path_buf(),
            reason,
        };
        let stored = read_secret(vfs, path)?.ok_or_else(|| invalid("missing"))?;
        if stored.len() != MASTER_KEY_BYTES {
            return Err(invalid("a master key file holds exactly 32 bytes"));
        }
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_BYTES]);
        bytes.copy_from_slice(&stored);
        Ok(Self { bytes })
    }

    /// A master key from raw bytes (tests and tools).
    #[must_use]
    pub fn from_bytes(bytes: [u8; MASTER_KEY_BYTES]) -> Self {
        Self {
            bytes: Zeroizing::new(bytes),
        }
    }

    /// The key encryption key: HKDF-SHA256(master, salt "kimberlite", info
    /// "kimberlite/kek/v1"), as an AES-256-GCM cipher.
    pub(crate) fn key_encryption_cipher(&self) -> Result<Aes256Gcm, CryptoError> {
        let mut kek = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(Some(KEK_SALT), self.bytes.as_ref())
            .expand(KEK_INFO, kek.as_mut())
            .map_err(|_| CryptoError::KeyDerivation)?;
        Ok(Aes256Gcm::new((&*kek).into()))
    }
}
