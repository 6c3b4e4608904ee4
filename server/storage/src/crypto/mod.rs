//! Keys and encryption at rest.
//!
//! ```text
//! master key (keys/master.key, 32 random bytes)
//!   -> KEK = HKDF-SHA256(master, salt "kimberlite", info "kimberlite/kek/v1")
//!        -> wraps each tenant data key (AES-256-GCM, AAD "kimberlite/tenant-key/v1" || tenant)
//!             -> seals each record payload (AES-256-GCM, 96-bit random nonce)
//! ```
//!
//! ```
//! use std::{path::Path, sync::Arc};
//! use kimberlite_protocol::TenantId;
//! use kimberlite_storage::crypto::{KeyStore, MasterKey};
//! use kimberlite_storage::io::{fault::FaultVfs, Vfs};
//!
//! let vfs = Arc::new(FaultVfs::new(0));
//! vfs.create_dir_all(Path::new("/db/keys"))?;
//! let master = MasterKey::create(vfs.as_ref(), Path::new("/db/keys/master.key"))?;
//! let keys = KeyStore::open(vfs.clone(), Path::new("/db/keys"), &master)?;
//! let key = keys.create_tenant_key(TenantId(7))?;
//! let (nonce, sealed) = key.seal(b"context", b"secret payload")?;
//! assert_eq!(key.open(b"context", &nonce, &sealed)?, b"secret payload");
//! keys.destroy_tenant_key(TenantId(7))?;
//! assert!(keys.data_key(TenantId(7)).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Secrets are zeroized when dropped (key bytes, and the AES key schedules and
//! GHASH keys inside the ciphers), are written only through atomic, synced file
//! replacement with 0600 permissions, and never appear in `Debug` output, errors
//! or logs. Keys come from the operating system's CSPRNG; nonces come from a
//! per-thread ChaCha12 generator seeded (and regularly reseeded) from it, so
//! sealing a record makes no system call.

mod data_key;
mod error;
mod key_file;
mod key_store;
mod master;
mod signing;
#[cfg(test)]
mod tests;
mod wrapped;

pub use data_key::{DataKey, Nonce, DATA_KEY_BYTES, NONCE_BYTES, TAG_BYTES};
pub use error::CryptoError;
pub use key_store::KeyStore;
pub use master::{MasterKey, KEK_INFO, KEK_SALT, MASTER_KEY_BYTES};
pub use signing::{SigningKeyFile, SEED_BYTES};
pub use wrapped::{WRAPPED_KEY_BYTES, WRAPPED_KEY_MAGIC, WRAP_AAD_PREFIX};

use rand::rngs::OsRng;
use rand::RngCore;

/// Fills `buf` from the operating system's CSPRNG.
fn random_bytes(buf: &mut [u8]) -> Result<(), CryptoError> {
    OsRng
        .try_fill_bytes(buf)
        .map_err(|error| CryptoError::Random(error.to_string()))
}

/// Fills `buf` with nonce bytes from the thread's CSPRNG (`rand::thread_rng`:
/// ChaCha12 seeded from the operating system and reseeded every 64 KiB of
/// output). Random 96-bit nonces from a CSPRNG are what AES-GCM's random-nonce
/// construction asks for; a `getrandom` call per record cost a system call on
/// every append.
fn nonce_bytes(buf: &mut [u8]) -> Result<(), CryptoError> {
    rand::thread_rng()
        .try_fill_bytes(buf)
        .map_err(|error| CryptoError::Random(error.to_string()))
}
