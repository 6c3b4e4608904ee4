//! The `verify` namespace: the pure checks of `kimberlite::verify` (and the record
//! hash of `kimberlite-protocol`), usable without a connection, e.g. on the shared
//! test vectors or on proofs fetched with `consistencyProof`.

use kimberlite::verify::{
    check_consistency as core_consistency, check_inclusion as core_inclusion,
    open_signed_checkpoint as core_open, parse_verifier_key, stream_origin as core_origin,
};
use kimberlite::{Hash, Offset, StreamId, TenantId};
use kimberlite_protocol::record::{genesis_hash as core_genesis, RecordKind, RecordRef};
use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;

use crate::error::{check, invalid_argument};
use crate::types::{to_hash, Checkpoint};
use crate::values::to_u64;

fn hashes(proof: &[Buffer]) -> napi::Result<Vec<Hash>> {
    proof
        .iter()
        .map(|hash| to_hash(hash, "proof hash"))
        .collect()
}

fn buffer(hash: &Hash) -> Buffer {
    hash.as_bytes().to_vec().into()
}

/// The origin line of a stream's checkpoints under a server's verifier key.
#[napi(namespace = "verify")]
pub fn stream_origin(
    verifier_key: String,
    tenant_id: BigInt,
    stream_id: BigInt,
) -> napi::Result<String> {
    let verifier = check(parse_verifier_key(&verifier_key))?;
    let tenant = TenantId(to_u64(&tenant_id, "tenantId")?);
    let stream = StreamId(to_u64(&stream_id, "streamId")?);
    Ok(core_origin(&verifier, tenant, stream))
}

/// Opens a signed checkpoint note: signature by `verifierKey`, then `origin`.
/// Throws `BadSignature`, `UnknownKey`, `WrongOrigin` or `MalformedProof`.
#[napi(namespace = "verify")]
pub fn open_signed_checkpoint(
    note: String,
    verifier_key: String,
    origin: String,
) -> napi::Result<Checkpoint> {
    let verifier = check(parse_verifier_key(&verifier_key))?;
    Ok(check(core_open(&note, &verifier, &origin))?.into())
}

/// Checks that `checkpoint` extends `trusted` (if any) with a consistency proof.
/// Throws `Rollback`, `Fork` or `MalformedProof`.
#[napi(namespace = "verify")]
pub fn check_consistency(
    trusted: Option<Checkpoint>,
    checkpoint: Checkpoint,
    proof: Vec<Buffer>,
) -> napi::Result<()> {
    let trusted = trusted.as_ref().map(Checkpoint::to_core).transpose()?;
    let checkpoint = checkpoint.to_core()?;
    check(core_consistency(
        trusted.as_ref(),
        &checkpoint,
        &hashes(&proof)?,
    ))
}

/// Checks that the leaf `hash` is at `index` in the tree `checkpoint` commits to.
/// Throws `NotIncluded` or `MalformedProof`.
#[napi(namespace = "verify")]
pub fn check_inclusion(
    hash: Buffer,
    index: BigInt,
    checkpoint: Checkpoint,
    proof: Vec<Buffer>,
) -> napi::Result<()> {
    let leaf = to_hash(&hash, "hash")?;
    let index = to_u64(&index, "index")?;
    let checkpoint = checkpoint.to_core()?;
    check(core_inclusion(&leaf, index, &checkpoint, &hashes(&proof)?))
}

/// A record of a stream, as the hash chain covers it.
#[napi(object)]
pub struct RecordFields {
    /// The tenant owning the stream.
    pub tenant_id: BigInt,
    /// The stream.
    pub stream_id: BigInt,
    /// The record's offset.
    pub offset: BigInt,
    /// The commit time, nanoseconds since the Unix epoch.
    pub timestamp_ns: BigInt,
    /// `Event`, `SqlEffect` or `Catalog`.
    pub kind: String,
    /// The hash of the previous record (the genesis hash at offset 0).
    pub prev_hash: Buffer,
    /// The payload bytes.
    pub payload: Buffer,
}

fn kind(name: &str) -> napi::Result<RecordKind> {
    (0..=u8::MAX)
        .filter_map(RecordKind::from_u8)
        .find(|kind| format!("{kind:?}") == name)
        .ok_or_else(|| invalid_argument(format!("unknown record kind {name:?}")))
}

/// The record hash (RFC 6962 leaf hash of the canonical encoding).
#[napi(namespace = "verify")]
pub fn record_hash(record: RecordFields) -> napi::Result<Buffer> {
    let record = RecordRef {
        tenant_id: TenantId(to_u64(&record.tenant_id, "tenantId")?),
        stream_id: StreamId(to_u64(&record.stream_id, "streamId")?),
        offset: Offset(to_u64(&record.offset, "offset")?),
        timestamp_ns: to_u64(&record.timestamp_ns, "timestampNs")?,
        kind: kind(&record.kind)?,
        prev_hash: to_hash(&record.prev_hash, "prevHash")?,
        payload: &record.payload,
    };
    Ok(buffer(&record.hash()))
}

/// The hash a stream's first record links to.
#[napi(namespace = "verify")]
pub fn genesis_hash(tenant_id: BigInt, stream_id: BigInt) -> napi::Result<Buffer> {
    let tenant = TenantId(to_u64(&tenant_id, "tenantId")?);
    let stream = StreamId(to_u64(&stream_id, "streamId")?);
    Ok(buffer(&core_genesis(tenant, stream)))
}
