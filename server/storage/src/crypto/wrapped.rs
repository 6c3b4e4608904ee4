//! The wrapped form of a tenant data key, as stored in `keys/tenants/<id>.key`.
//!
//! ```text
//!  0   8  magic "KMBTKEY1"
//!  8   8  tenant id (big-endian)
//! 16  12  nonce
//! 28  48  AES-256-GCM(KEK, nonce, data key, AAD) = 32-byte ciphertext + 16-byte tag
//!         AAD = "kimberlite/tenant-key/v1" || tenant id (big-endian)
//! ```

use std::path::Path;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Nonce as GcmNonce};
use kimberlite_protocol::TenantId;
use zeroize::Zeroizing;

use super::data_key::{DATA_KEY_BYTES, NONCE_BYTES, TAG_BYTES};
use super::error::CryptoError;
use super::random_bytes;

/// Magic bytes opening a wrapped key file.
pub const WRAPPED_KEY_MAGIC: [u8; 8] = *b"KMBTKEY1";
/// Size of a wrapped key file.
pub const WRAPPED_KEY_BYTES: usize = 8 + 8 + NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES;
/// Prefix of the associated data binding a wrapped key to its tenant.
pub const WRAP_AAD_PREFIX: &[u8] = b"kimberlite/tenant-key/v1";

const _: () = assert!(WRAPPED_KEY_BYTES == 76);

/// The associated data of `tenant`'s wrapped key.
fn aad(tenant: TenantId) -> [u8; WRAP_AAD_PREFIX.len() + 8] {
    let mut aad = [0u8; WRAP_AAD_PREFIX.len() + 8];
    aad[..WRAP_AAD_PREFIX.len()].copy_from_slice(WRAP_AAD_PREFIX);
    aad[WRAP_AAD_PREFIX.len()..].copy_from_slice(&tenant.get().to_be_bytes());
    aad
}

/// Wraps a data key under the key encryption key.
pub(crate) fn wrap(
    kek: &Aes256Gcm,
    tenant: TenantId,
    key: &[u8; DATA_KEY_BYTES],
) -> Result<[u8; WRAPPED_KEY_BYTES], CryptoError> {
    let mut nonce = [0u8; NONCE_BYTES];
    random_bytes(&mut nonce)?;
    let aad = aad(tenant);
    let ciphertext = kek
        .encrypt(
            &GcmNonce::from(nonce),
            Payload {
                msg: key,
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::SealFailed)?;
    let mut file = [0u8; WRAPPED_KEY_BYTES];
    file[0..8].copy_from_slice(&WRAPPED_KEY_MAGIC);
    file[8..16].copy_from_slice(&tenant.get().to_be_bytes());
    file[16..28].copy_from_slice(&nonce);
    file[28..].copy_from_slice(&ciphertext);
    Ok(file)
}

/// Unwraps `tenant`'s data key from the bytes of its key file at `path`.
pub(crate) fn unwrap(
    kek: &Aes256Gcm,
    tenant: TenantId,
    file: &[u8],
    path: &Path,
) -> Result<Zeroizing<[u8; DATA_KEY_BYTES]>, CryptoError> {
    let invalid = |reason| CryptoError::InvalidKeyFile {
        path: path.to_path_buf(),
        reason,
    };
    if file.len() != WRAPPED_KEY_BYTES {
        return Err(invalid("a wrapped key file holds exactly 76 bytes"));
    }
    if file[0..8] != WRAPPED_KEY_MAGIC {
        return Err(invalid("bad magic"));
    }
    if file[8..16] != tenant.get().to_be_bytes() {
        return Err(invalid("the file names another tenant"));
    }
    let aad = aad(tenant);
    let nonce =
        GcmNonce::try_from(&file[16..28]).map_err(|_| invalid("the nonce has the wrong length"))?;
    let plaintext = Zeroizing::new(
        kek.decrypt(
            &nonce,
            Payload {
                msg: &file[28..],
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::UnwrapFailed {
            tenant: tenant.get(),
        })?,
    );
    let mut key = Zeroizing::new([0u8; DATA_KEY_BYTES]);
    if plaintext.len() != DATA_KEY_BYTES {
        return Err(invalid("the wrapped key has the wrong length"));
    }
    key.copy_from_slice(&plaintext);
    Ok(key)
}
