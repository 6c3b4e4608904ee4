//! Payloads of Kimberlite's extension requests and responses (indices 64 and up).
//!
//! A server advertises them in `HandshakeResponse.capabilities`; a client opts in
//! with `EnableExtensions` (see [`crate::capability`]). docs/protocol.md gives the
//! byte layout and a hex example of each.

use serde::{Deserialize, Serialize};

use super::bytes;
use crate::hash::Hash;
use crate::ids::{Offset, StreamId, TenantId};

/// Request #64: the capabilities the client wants on this connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableExtensionsRequest {
    /// Capability names such as `kmb.verify/1`.
    pub capabilities: Vec<String>,
}

/// Response #64: the subset of the requested capabilities now enabled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionsEnabledResponse {
    /// Enabled capability names.
    pub capabilities: Vec<String>,
}

/// Response #65: what the server is and how to check what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfoResponse {
    /// The server software's version, e.g. `0.1.0`.
    pub server_version: String,
    /// The wire protocol version (5).
    pub protocol_version: u16,
    /// The checkpoint signer's verifier key, `name+keyid+base64` (C2SP signed note).
    pub signing_key: String,
    /// The capabilities the server supports.
    pub capabilities: Vec<String>,
}

/// Request #66: read records with proofs against a signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadVerifiedRequest {
    /// The stream read.
    pub stream_id: StreamId,
    /// The first offset returned.
    pub from_offset: Offset,
    /// Records are added while the payload bytes so far are below this.
    pub max_bytes: u64,
    /// The tree size the client already trusts, to get a consistency proof.
    pub trusted_size: Option<u64>,
}

/// One record of a [`ReadVerifiedResponse`] with what is needed to hash it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedRecord {
    /// The record's offset, which is its leaf index.
    pub offset: Offset,
    /// When the record was appended, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// The record kind (see docs/format.md).
    pub kind: u8,
    /// The hash of the previous record (zero for offset 0).
    pub prev_hash: Hash,
    /// The event bytes.
    #[serde(with = "bytes::single")]
    pub payload: Vec<u8>,
    /// Audit path from the leaf to the checkpoint's root.
    pub inclusion_proof: Vec<Hash>,
}

/// Response #66.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadVerifiedResponse {
    /// The signed note the proofs lead to.
    pub checkpoint: String,
    /// The records read, in order.
    pub records: Vec<VerifiedRecord>,
    /// From `trusted_size` to the checkpoint's size; empty without `trusted_size`.
    pub consistency_proof: Vec<Hash>,
    /// The offset after the last record, or None when no record was read.
    pub next_offset: Option<Offset>,
}

/// One record of a [`VerifiedRangeResponse`]: a [`VerifiedRecord`] without a
/// proof of its own, since the response proves the whole run at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeRecord {
    /// The record's offset, which is its leaf index.
    pub offset: Offset,
    /// When the record was appended, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// The record kind (see docs/format.md).
    pub kind: u8,
    /// The hash of the previous record (zero for offset 0).
    pub prev_hash: Hash,
    /// The event bytes.
    #[serde(with = "bytes::single")]
    pub payload: Vec<u8>,
}

/// Response #74 (`kmb.verify/2`): the answer to a `ReadVerifiedRange`, whose
/// request has the fields of [`ReadVerifiedRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedRangeResponse {
    /// The signed note the proof leads to.
    pub checkpoint: String,
    /// The records read, in order, at consecutive offsets from the one asked.
    pub records: Vec<RangeRecord>,
    /// The range proof of the records' hashes in the checkpoint's tree
    /// ([`crate::merkle::range_proof`]); empty when no record was read.
    pub range_proof: Vec<Hash>,
    /// From `trusted_size` to the checkpoint's size; empty without `trusted_size`.
    pub consistency_proof: Vec<Hash>,
    /// The offset after the last record, or None when no record was read.
    pub next_offset: Option<Offset>,
}

/// Request #67.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetCheckpointRequest {
    /// The stream.
    pub stream_id: StreamId,
}

/// Response #67.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointResponse {
    /// The latest signed checkpoint, as signed-note text.
    pub checkpoint: String,
}

/// Request #68.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProofRequest {
    /// The stream.
    pub stream_id: StreamId,
    /// The older tree size.
    pub from_size: u64,
    /// The newer tree size.
    pub to_size: u64,
}

/// Response #68.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProofResponse {
    /// The RFC 6962 consistency proof.
    pub proof: Vec<Hash>,
}

/// Request #69 (admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTenantRequest {
    /// The id of the new tenant.
    pub tenant_id: TenantId,
    /// A display name.
    pub name: String,
}

/// Response #69.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantCreatedResponse {
    /// The tenant created.
    pub tenant_id: TenantId,
}

/// One tenant in a [`TenantsResponse`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantInfo {
    /// The tenant's id.
    pub id: TenantId,
    /// Its display name.
    pub name: String,
}

/// Response #70.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantsResponse {
    /// Every tenant, by id.
    pub tenants: Vec<TenantInfo>,
}

/// Request #71 (admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateApiKeyRequest {
    /// The tenant the key may act for.
    pub tenant_id: TenantId,
    /// A label for people.
    pub label: String,
}

/// Response #71. The secret is shown once; the server keeps only a digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyCreatedResponse {
    /// The key's public id.
    pub key_id: String,
    /// The token to send in `Handshake.auth_token`.
    pub secret: String,
}

/// Request #72 (admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeApiKeyRequest {
    /// The key revoked.
    pub key_id: String,
}

/// Response #72.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRevokedResponse {
    /// False if the key was already revoked.
    pub revoked: bool,
}

/// Request #73 (admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListApiKeysRequest {
    /// The tenant whose keys are listed.
    pub tenant_id: TenantId,
}

/// One key in an [`ApiKeysResponse`]; never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    /// The key's public id.
    pub key_id: String,
    /// Its label.
    pub label: String,
    /// When it was created, nanoseconds since the Unix epoch.
    pub created_ns: u64,
    /// Whether it has been revoked.
    pub revoked: bool,
}

/// Response #73.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeysResponse {
    /// The tenant's keys.
    pub keys: Vec<ApiKeyInfo>,
}
