//! The plain objects calls return (and `Checkpoint`, which the verification functions
//! also take), converted from the `kimberlite` types.

use kimberlite::verify::Checkpoint as CoreCheckpoint;
use kimberlite::{ApiKeyCreated as CoreKeyCreated, ApiKeyInfo as CoreKeyInfo, Hash};
use kimberlite::{ServerInfo as CoreServerInfo, TenantInfo as CoreTenantInfo};
use napi::bindgen_prelude::{BigInt, Buffer, Either, Null};
use napi_derive::napi;

use crate::error::invalid_argument;
use crate::values::{big, to_u64, SqlValue};

/// An optional 64-bit value: a `bigint`, or `null`.
pub type MaybeBig = Either<BigInt, Null>;

/// `Some(offset)` as a `bigint`, `None` as `null`.
pub fn maybe_big(value: Option<u64>) -> MaybeBig {
    value.map_or(Either::B(Null), |value| Either::A(big(value)))
}

/// A 32-byte hash from a `Buffer`.
pub fn to_hash(bytes: &[u8], name: &str) -> napi::Result<Hash> {
    Hash::from_slice(bytes).ok_or_else(|| invalid_argument(format!("{name} must be 32 bytes")))
}

/// A signed tree head of one stream.
#[napi(object)]
pub struct Checkpoint {
    /// `<server identity>/tenant/<tenant>/stream/<stream>`.
    pub origin: String,
    /// The number of records in the tree.
    pub size: BigInt,
    /// The RFC 6962 root hash (32 bytes).
    pub root: Buffer,
    /// Extension lines of the checkpoint body.
    pub extensions: Vec<String>,
}

impl From<CoreCheckpoint> for Checkpoint {
    fn from(checkpoint: CoreCheckpoint) -> Self {
        Self {
            origin: checkpoint.origin,
            size: big(checkpoint.size),
            root: checkpoint.root.as_bytes().to_vec().into(),
            extensions: checkpoint.extensions,
        }
    }
}

impl Checkpoint {
    /// The core checkpoint this object describes.
    pub fn to_core(&self) -> napi::Result<CoreCheckpoint> {
        Ok(CoreCheckpoint {
            origin: self.origin.clone(),
            size: to_u64(&self.size, "checkpoint size")?,
            root: to_hash(&self.root, "checkpoint root")?,
            extensions: self.extensions.clone(),
        })
    }
}

/// The answer of `read`: events from the offset asked.
#[napi(object)]
pub struct ReadResult {
    /// The event payloads, in offset order.
    pub events: Vec<Buffer>,
    /// The offset after the last event, `null` when none was read.
    #[napi(ts_type = "bigint | null")]
    pub next_offset: MaybeBig,
}

/// One record of a verified read.
#[napi(object)]
pub struct VerifiedEvent {
    /// The record's offset in its stream.
    pub offset: BigInt,
    /// The server's commit time, nanoseconds since the Unix epoch.
    pub timestamp_ns: BigInt,
    /// What the record holds: `Event`, `SqlEffect` or `Catalog`.
    pub kind: String,
    /// The event bytes, proven to be in the stream.
    pub payload: Buffer,
}

/// The answer of `readVerified`.
#[napi(object)]
pub struct VerifiedRead {
    /// The records read, each verified.
    pub events: Vec<VerifiedEvent>,
    /// The offset after the last record, `null` when none was read.
    #[napi(ts_type = "bigint | null")]
    pub next_offset: MaybeBig,
    /// The signed checkpoint the records were verified against, now trusted.
    pub checkpoint: Checkpoint,
}

/// The answer of `query` and `queryAt`.
#[napi(object)]
pub struct QueryResult {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<SqlValue>>,
}

/// The answer of `execute`.
#[napi(object)]
pub struct ExecuteResult {
    /// Rows the statement changed.
    pub rows_affected: BigInt,
    /// The log position of the change (usable with `queryAt`).
    pub log_offset: BigInt,
}

/// What the server says about itself.
#[napi(object)]
pub struct ServerInfo {
    /// The server's version.
    pub server_version: String,
    /// The protocol version (5).
    pub protocol_version: u32,
    /// The C2SP verifier key that signs checkpoints.
    pub signing_key: String,
    /// The extensions offered.
    pub capabilities: Vec<String>,
}

impl From<CoreServerInfo> for ServerInfo {
    fn from(info: CoreServerInfo) -> Self {
        Self {
            server_version: info.server_version,
            protocol_version: u32::from(info.protocol_version),
            signing_key: info.signing_key,
            capabilities: info.capabilities,
        }
    }
}

/// A tenant.
#[napi(object)]
pub struct TenantInfo {
    /// The tenant id.
    pub id: BigInt,
    /// Its name.
    pub name: String,
}

impl From<CoreTenantInfo> for TenantInfo {
    fn from(info: CoreTenantInfo) -> Self {
        Self {
            id: big(info.id.0),
            name: info.name,
        }
    }
}

/// A new API key: the secret is shown only once.
#[napi(object)]
pub struct ApiKeyCreated {
    /// The key's id (for revocation).
    pub key_id: String,
    /// The secret to pass as `apiKey`.
    pub secret: String,
}

impl From<CoreKeyCreated> for ApiKeyCreated {
    fn from(created: CoreKeyCreated) -> Self {
        Self {
            key_id: created.key_id,
            secret: created.secret,
        }
    }
}

/// An API key, without its secret.
#[napi(object)]
pub struct ApiKeyInfo {
    /// The key's id.
    pub key_id: String,
    /// Its label.
    pub label: String,
    /// Creation time, nanoseconds since the Unix epoch.
    pub created_ns: BigInt,
    /// Whether it has been revoked.
    pub revoked: bool,
}

impl From<CoreKeyInfo> for ApiKeyInfo {
    fn from(info: CoreKeyInfo) -> Self {
        Self {
            key_id: info.key_id,
            label: info.label,
            created_ns: big(info.created_ns),
            revoked: info.revoked,
        }
    }
}
