//! The plain objects calls return (and `Checkpoint`, which the verification functions
//! also take), converted from the `kimberlite` types.

use kimberlite::verify::Checkpoint as CoreCheckpoint;
use kimberlite::{ApiKeyCreated as CoreKeyCreated, ApiKeyInfo as CoreKeyInfo, Hash};
use kimberlite::{ReadResult as CoreReadResult, VerifiedRead as CoreVerifiedRead};
use kimberlite::{ServerInfo as CoreServerInfo, TenantInfo as CoreTenantInfo};
use kimberlite_protocol::record::RecordKind;
use napi::bindgen_prelude::{BigInt, BigUint64Array, Buffer, Either, Null, Object, ToNapiValue};
use napi::bindgen_prelude::{Uint32Array, Uint8Array};
use napi::{sys, Env, JsValue};
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

/// The answer of `read` as the addon hands it to index.js, which builds the
/// `ReadResult` of index.d.ts (dts-header.d.ts) from it. Every payload sits in one
/// buffer so that an answer costs a handful of N-API values on the event loop rather
/// than several per event; index.js gives each event a view into `payloads`. Not a
/// `#[napi(object)]`, which would declare it in index.d.ts: `ToNapiValue` below makes
/// the same plain object (`{ payloads, ends, nextOffset }`).
pub struct PackedRead {
    /// The event payloads, in offset order, back to back.
    pub payloads: Buffer,
    /// Where each payload ends in `payloads`; the first starts at 0.
    pub ends: Uint32Array,
    /// The offset after the last event, `null` when none was read.
    pub next_offset: MaybeBig,
}

impl PackedRead {
    /// Packs the core's answer.
    pub fn new(read: CoreReadResult) -> napi::Result<Self> {
        let (payloads, ends) = pack_payloads(read.events.iter().map(Vec::as_slice))?;
        Ok(Self {
            payloads,
            ends,
            next_offset: maybe_big(read.next_offset.map(|offset| offset.0)),
        })
    }
}

/// The answer of `readVerified` as the addon hands it to index.js, which builds the
/// `VerifiedRead` of index.d.ts from it: record `i` is `offsets[i]`,
/// `timestampsNs[i]`, kind `kinds[i]` (a `RecordKind` byte, named by
/// `recordKinds()`) and the payload before `ends[i]`, as in `PackedRead`; converted
/// like it, with the fields' names in camel case.
pub struct PackedVerifiedRead {
    /// The record payloads, in offset order, back to back.
    pub payloads: Buffer,
    /// Where each payload ends in `payloads`; the first starts at 0.
    pub ends: Uint32Array,
    /// Each record's offset in its stream.
    pub offsets: BigUint64Array,
    /// Each record's commit time, nanoseconds since the Unix epoch.
    pub timestamps_ns: BigUint64Array,
    /// Each record's kind, as its protocol byte.
    pub kinds: Uint8Array,
    /// The offset after the last record, `null` when none was read.
    pub next_offset: MaybeBig,
    /// The signed checkpoint the records were verified against, now trusted.
    pub checkpoint: Checkpoint,
}

impl PackedVerifiedRead {
    /// Packs the core's answer.
    pub fn new(read: CoreVerifiedRead) -> napi::Result<Self> {
        let events = &read.events;
        let (payloads, ends) = pack_payloads(events.iter().map(|event| event.payload.as_slice()))?;
        let offsets: Vec<u64> = events.iter().map(|event| event.offset.0).collect();
        let timestamps_ns: Vec<u64> = events.iter().map(|event| event.timestamp_ns).collect();
        let kinds: Vec<u8> = events.iter().map(|event| event.kind.as_u8()).collect();
        Ok(Self {
            payloads,
            ends,
            offsets: offsets.into(),
            timestamps_ns: timestamps_ns.into(),
            kinds: kinds.into(),
            next_offset: maybe_big(read.next_offset.map(|offset| offset.0)),
            checkpoint: read.checkpoint.into(),
        })
    }
}

impl ToNapiValue for PackedRead {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let mut object = Object::new(&Env::from_raw(env))?;
        object.set("payloads", value.payloads)?;
        object.set("ends", value.ends)?;
        object.set("nextOffset", value.next_offset)?;
        Ok(object.raw())
    }
}

impl ToNapiValue for PackedVerifiedRead {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let mut object = Object::new(&Env::from_raw(env))?;
        object.set("payloads", value.payloads)?;
        object.set("ends", value.ends)?;
        object.set("offsets", value.offsets)?;
        object.set("timestampsNs", value.timestamps_ns)?;
        object.set("kinds", value.kinds)?;
        object.set("nextOffset", value.next_offset)?;
        object.set("checkpoint", value.checkpoint)?;
        Ok(object.raw())
    }
}

/// The payloads back to back, and where each ends.
fn pack_payloads<'a, I>(payloads: I) -> napi::Result<(Buffer, Uint32Array)>
where
    I: Iterator<Item = &'a [u8]> + Clone,
{
    let size_bytes = payloads.clone().map(<[u8]>::len).sum();
    let mut bytes = Vec::with_capacity(size_bytes);
    let mut ends = Vec::with_capacity(payloads.size_hint().0);
    for payload in payloads {
        bytes.extend_from_slice(payload);
        let end = u32::try_from(bytes.len()).map_err(|_| {
            invalid_argument("a read must answer less than 4 GiB; ask for fewer bytes")
        })?;
        ends.push(end);
    }
    Ok((bytes.into(), ends.into()))
}

/// The names of the record kinds (`kind` of a verified event), indexed by their
/// protocol byte: index.js names the `kinds` of a `PackedVerifiedRead` with them.
#[napi(skip_typescript)]
#[must_use]
pub fn record_kinds() -> Vec<String> {
    (0..=u8::MAX)
        .map_while(RecordKind::from_u8)
        .map(|kind| format!("{kind:?}"))
        .collect()
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
