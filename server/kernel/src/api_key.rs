//! API keys in the catalog: who may use a tenant, stored as salted hashes.
//!
//! The kernel never sees a secret. The shell draws the key id, the salt and the
//! secret, hashes the secret and puts only the salt and the hash on the command,
//! so the catalog (and the log it is replayed from) holds nothing that grants
//! access. Comparing a presented secret against the hash is the shell's job, in
//! constant time.

use kimberlite_protocol::TenantId;
use serde::{Deserialize, Serialize};

/// Identifies one API key, node-wide. Chosen by the shell (it arrives on
/// [`Command::CreateApiKey`](crate::Command::CreateApiKey)), never by the kernel.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct ApiKeyId(pub u64);

impl ApiKeyId {
    /// The raw `u64` value.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// One API key, bound to one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub(crate) id: ApiKeyId,
    pub(crate) tenant_id: TenantId,
    pub(crate) label: String,
    pub(crate) salt: Vec<u8>,
    pub(crate) secret_hash: Vec<u8>,
    pub(crate) created_ns: u64,
    pub(crate) revoked_ns: Option<u64>,
}

impl ApiKey {
    /// The key's id.
    #[must_use]
    pub const fn id(&self) -> ApiKeyId {
        self.id
    }

    /// The one tenant this key may use.
    #[must_use]
    pub const fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    /// A human label ("ci", "reporting"); may be empty.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The salt the shell hashed the secret with.
    #[must_use]
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The salted hash of the secret, as the shell computed it.
    #[must_use]
    pub fn secret_hash(&self) -> &[u8] {
        &self.secret_hash
    }

    /// When the key was created, ns since the Unix epoch.
    #[must_use]
    pub const fn created_ns(&self) -> u64 {
        self.created_ns
    }

    /// When the key was revoked, if it was.
    #[must_use]
    pub const fn revoked_ns(&self) -> Option<u64> {
        self.revoked_ns
    }

    /// Whether the key still grants access (it has not been revoked).
    #[must_use]
    pub const fn is_active(&self) -> bool {
        self.revoked_ns.is_none()
    }
}
