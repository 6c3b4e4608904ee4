//! Why a key or cipher operation failed. Messages never contain key material.

use std::io;
use std::path::PathBuf;

/// Why a key or cipher operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// An I/O call on a key file failed.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A key file exists already; keys are never overwritten.
    #[error("{path}: key file exists already", path = path.display())]
    AlreadyExists {
        /// The key file.
        path: PathBuf,
    },
    /// A key file has the wrong size or format.
    #[error("{path}: invalid key file: {reason}", path = path.display())]
    InvalidKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// A wrapped tenant key failed authentication: wrong master key, or the file
    /// was altered or belongs to another tenant.
    #[error("tenant {tenant}'s data key does not unwrap (wrong master key or altered file)")]
    UnwrapFailed {
        /// The tenant.
        tenant: u64,
    },
    /// The tenant has no data key.
    #[error("tenant {tenant} has no data key")]
    KeyNotFound {
        /// The tenant.
        tenant: u64,
    },
    /// The tenant's data key was destroyed (crypto-erasure).
    #[error("tenant {tenant}'s data key was destroyed (crypto-erasure)")]
    KeyErased {
        /// The tenant.
        tenant: u64,
    },
    /// A sealed payload failed authentication: altered ciphertext, nonce or
    /// associated data, or the wrong key.
    #[error("sealed payload failed authentication")]
    OpenFailed,
    /// Encryption failed (the payload is too large for AES-GCM).
    #[error("payload could not be sealed")]
    SealFailed,
    /// HKDF refused to derive a key (cannot happen for 32-byte outputs).
    #[error("key derivation failed")]
    KeyDerivation,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

impl CryptoError {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: &std::path::Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
