//! A tenant's data key and AES-256-GCM sealing of payloads under it.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce as GcmNonce};
use zeroize::Zeroizing;

use super::error::CryptoError;
use super::{nonce_bytes, random_bytes};

/// Bytes of a data key.
pub const DATA_KEY_BYTES: usize = 32;
/// Bytes of a nonce: 96 random bits per sealed payload.
pub const NONCE_BYTES: usize = 12;
/// Bytes the GCM tag adds to a ciphertext.
pub const TAG_BYTES: usize = 16;

// The cipher's AES key schedule and GHASH key must be wiped on drop: this compiles
// only while the `zeroize` feature of `aes-gcm` is on (see the root Cargo.toml).
const _: fn() = || {
    fn zeroized_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroized_on_drop::<Aes256Gcm>();
};

/// A nonce of a sealed payload.
pub type Nonce = [u8; NONCE_BYTES];

/// A tenant's data key, ready to seal and open payloads. The cipher state is
/// zeroized on drop; `Debug` shows nothing secret.
pub struct DataKey {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// A fresh random key from the operating system's CSPRNG, with its bytes
    /// (for wrapping); the caller keeps them only as long as needed.
    pub(crate) fn generate() -> Result<(Self, Zeroizing<[u8; DATA_KEY_BYTES]>), CryptoError> {
        let mut bytes = Zeroizing::new([0u8; DATA_KEY_BYTES]);
        random_bytes(bytes.as_mut())?;
        Ok((Self::from_bytes(&bytes), bytes))
    }

    /// A key from its 32 bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; DATA_KEY_BYTES]) -> Self {
        Self {
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }

    /// Encrypts `plaintext` bound to `aad` under a fresh random nonce. Returns the
    /// nonce and the ciphertext (plaintext length + 16-byte tag).
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<(Nonce, Vec<u8>), CryptoError> {
        let mut nonce = [0u8; NONCE_BYTES];
        nonce_bytes(&mut nonce)?;
        let ciphertext = self
            .cipher
            .encrypt(
                &GcmNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::SealFailed)?;
        Ok((nonce, ciphertext))
    }

    /// Decrypts and authenticates a payload sealed by [`seal`](Self::seal) with the
    /// same `aad`.
    pub fn open(
        &self,
        aad: &[u8],
        nonce: &Nonce,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.cipher
            .decrypt(
                &GcmNonce::from(*nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::OpenFailed)
    }
}
