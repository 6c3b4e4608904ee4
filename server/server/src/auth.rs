//! Authentication: the admin token, API keys and who may use which tenant.
//!
//! An API key token reads `kmb1.<key id>.<secret>`, the secret being 64 hex
//! digits drawn from the operating system's generator. The backend stores only
//! a random 16-byte salt and `SHA-256(salt || secret)`; a presented token is
//! hashed the same way and compared in constant time. The admin token is
//! compared in constant time too, over SHA-256 digests so that its length does
//! not leak either.

#[cfg(test)]
mod tests;

use kimberlite_protocol::TenantId;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::backend::{ApiKeyRecord, NewApiKey};
use crate::config::AdminToken;

/// The prefix of every API key token.
pub const API_KEY_PREFIX: &str = "kmb1";
const SALT_LEN: usize = 16;
const SECRET_LEN: usize = 32;

/// Who a connection acts as once its handshake succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The administrator: every tenant, and tenant and key administration.
    Admin,
    /// An API key: its one tenant.
    ApiKey {
        /// The key's id.
        key_id: u64,
        /// The tenant it may use.
        tenant_id: TenantId,
    },
    /// Development mode, authentication off: anything goes.
    Development,
}

impl Identity {
    /// Whether this identity may act for `tenant_id`.
    #[must_use]
    pub fn may_use(&self, tenant_id: TenantId) -> bool {
        match self {
            Self::Admin | Self::Development => true,
            Self::ApiKey { tenant_id: own, .. } => *own == tenant_id,
        }
    }

    /// Whether this identity may administer tenants and keys.
    #[must_use]
    pub const fn is_admin(&self) -> bool {
        matches!(self, Self::Admin | Self::Development)
    }
}

/// The parts of an API key token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedToken<'a> {
    /// The key id.
    pub key_id: u64,
    /// The secret part.
    pub secret: &'a str,
}

/// Splits `kmb1.<id>.<secret>`; None if the token does not have that shape.
#[must_use]
pub fn parse_api_key_token(token: &str) -> Option<ParsedToken<'_>> {
    let mut parts = token.splitn(3, '.');
    let (Some(API_KEY_PREFIX), Some(id), Some(secret)) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let key_id = id.parse().ok()?;
    (!secret.is_empty()).then_some(ParsedToken { key_id, secret })
}

/// `SHA-256(salt || secret)`, the digest stored for an API key.
#[must_use]
pub fn api_key_digest(salt: &[u8], secret: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(secret.as_bytes());
    hasher.finalize().to_vec()
}

/// Whether `secret` matches the stored key; false for a revoked key. The
/// digests are compared in constant time.
#[must_use]
pub fn verify_api_key(record: &ApiKeyRecord, secret: &str) -> bool {
    let presented = api_key_digest(&record.salt, secret);
    let matches: bool = presented.ct_eq(&record.secret_hash).into();
    matches && !record.revoked
}

/// Whether `token` is the admin token, compared in constant time.
#[must_use]
pub fn is_admin_token(admin: &AdminToken, token: &str) -> bool {
    let expected = Sha256::digest(admin.expose().as_bytes());
    let presented = Sha256::digest(token.as_bytes());
    expected.ct_eq(&presented).into()
}

/// A new key's stored form and its secret (shown to the user once).
#[derive(Clone, Debug)]
pub struct GeneratedKey {
    /// What the backend stores.
    pub stored: NewApiKey,
    /// The secret part of the token.
    pub secret: String,
}

/// Draws a salt and a secret for a new key of `tenant_id`.
#[must_use]
pub fn generate_api_key(tenant_id: TenantId, label: String) -> GeneratedKey {
    let mut salt = vec![0u8; SALT_LEN];
    let mut secret_bytes = [0u8; SECRET_LEN];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut secret_bytes);
    let secret = hex::encode(secret_bytes);
    let secret_hash = api_key_digest(&salt, &secret);
    GeneratedKey {
        stored: NewApiKey {
            tenant_id,
            label,
            salt,
            secret_hash,
        },
        secret,
    }
}

/// The token a client sends for key `key_id` with `secret`.
#[must_use]
pub fn api_key_token(key_id: u64, secret: &str) -> String {
    format!("{API_KEY_PREFIX}.{key_id}.{secret}")
}
