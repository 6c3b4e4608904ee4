//! Building and opening stored records: hash over the plaintext, then seal.
//!
//! Every record of every stream is made here, so the chain rule lives in one
//! place: a record's `prev_hash` is the hash of the stream's previous record, or
//! the stream's genesis value at offset 0, and its hash is the RFC 6962 leaf hash
//! of its canonical encoding (see docs/format.md).

use kimberlite_kernel::TableChange;
use kimberlite_protocol::record::{encode_record, genesis_hash, record_hash, RecordRef};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};
use serde::{Deserialize, Serialize};

use super::error::EngineError;
use super::stored_record::{Sealing, StoredRecord};
use super::streams::StreamKey;
use crate::crypto::DataKey;

pub use kimberlite_protocol::record::RecordKind;

/// The node's own catalog log: tenant 0, stream 0. Its records are the catalog
/// commands, replayed through the kernel on recovery.
pub const SYSTEM_STREAM: StreamKey = (TenantId(0), StreamId(0));

/// The length, head and last commit time of a stream's hash chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// Records in the stream.
    pub length: u64,
    /// Hash of the last record, or the genesis value of an empty stream.
    pub head: Hash,
    /// Commit time of the last record (0 for an empty stream). Commit times
    /// never decrease along a stream: the time index relies on it.
    pub timestamp_ns: u64,
}

impl Chain {
    /// The chain of an empty stream.
    #[must_use]
    pub fn genesis(key: StreamKey) -> Self {
        Self {
            length: 0,
            head: genesis_hash(key.0, key.1),
            timestamp_ns: 0,
        }
    }
}

/// The payload of a record in a tenant's SQL log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SqlLogPayload {
    /// Catalog changes of the statement, replayed through the kernel.
    pub table_changes: Vec<TableChange>,
    /// The statement's resolved effect, opaque to storage.
    pub effect: Vec<u8>,
}

impl SqlLogPayload {
    /// postcard bytes.
    pub fn encode(&self) -> Result<Vec<u8>, EngineError> {
        postcard::to_allocvec(self)
            .map_err(|error| EngineError::InvalidRequest(format!("SQL effect: {error}")))
    }

    /// Decodes a payload written by [`encode`](Self::encode).
    pub fn decode(bytes: &[u8]) -> Result<Self, EngineError> {
        postcard::from_bytes(bytes)
            .map_err(|error| EngineError::Corruption(format!("SQL log record: {error}")))
    }
}

/// Computes the canonical hash of a record from its plaintext.
#[must_use]
pub fn canonical_hash(
    key: StreamKey,
    offset: Offset,
    timestamp_ns: u64,
    kind: RecordKind,
    prev_hash: &Hash,
    payload: &[u8],
    scratch: &mut Vec<u8>,
) -> Hash {
    scratch.clear();
    encode_record(
        &RecordRef {
            tenant_id: key.0,
            stream_id: key.1,
            offset,
            timestamp_ns,
            kind,
            prev_hash: *prev_hash,
            payload,
        },
        scratch,
    );
    record_hash(scratch)
}

/// What the writer knows of a record before the chain places it.
#[derive(Clone, Copy, Debug)]
pub struct NewRecord<'a> {
    /// Commit timestamp.
    pub timestamp_ns: u64,
    /// What the payload holds.
    pub kind: RecordKind,
    /// The plaintext payload.
    pub payload: &'a [u8],
    /// Where the record stands in its append (see [`super::stored_record`]).
    pub append_flags: u8,
}

/// Accumulates the encoded bodies of one batch.
#[derive(Debug, Default)]
pub struct RecordBuilder {
    buffer: Vec<u8>,
    ranges: Vec<std::ops::Range<usize>>,
    scratch: Vec<u8>,
}

impl RecordBuilder {
    /// Builds the next record of `chain`'s stream, advances the chain and returns
    /// the record's hash. Tenant records must be sealed: a missing key for a
    /// tenant other than the node's own is an error, never a plaintext write.
    pub fn push(
        &mut self,
        key: StreamKey,
        chain: &mut Chain,
        new: NewRecord<'_>,
        data_key: Option<&DataKey>,
    ) -> Result<Hash, EngineError> {
        let NewRecord {
            timestamp_ns,
            kind,
            payload,
            append_flags,
        } = new;
        if timestamp_ns < chain.timestamp_ns {
            return Err(EngineError::Failed(format!(
                "record {} of stream {}/{} would go back in time ({timestamp_ns} < {})",
                chain.length, key.0, key.1, chain.timestamp_ns
            )));
        }
        let offset = Offset(chain.length);
        let hash = canonical_hash(
            key,
            offset,
            timestamp_ns,
            kind,
            &chain.head,
            payload,
            &mut self.scratch,
        );
        let mut record = StoredRecord {
            tenant_id: key.0,
            stream_id: key.1,
            offset,
            timestamp_ns,
            kind: kind.as_u8(),
            prev_hash: chain.head,
            record_hash: hash,
            append_flags,
            sealing: Sealing::Plaintext,
            payload: Vec::new(),
        };
        match (key.0.get(), data_key) {
            (0, _) => record.payload = payload.to_vec(),
            (_, Some(data_key)) => {
                let (nonce, ciphertext) = data_key.seal(&record.associated_data(), payload)?;
                record.sealing = Sealing::AesGcm { nonce };
                record.payload = ciphertext;
            }
            (tenant, None) => {
                return Err(EngineError::Failed(format!(
                    "no data key for tenant {tenant}: refusing to write its payload unsealed"
                )))
            }
        }
        let start = self.buffer.len();
        record.encode_into(&mut self.buffer);
        self.ranges.push(start..self.buffer.len());
        chain.length += 1;
        chain.head = hash;
        chain.timestamp_ns = timestamp_ns;
        Ok(hash)
    }

    /// The encoded bodies, in order.
    pub fn bodies(&self) -> impl Iterator<Item = &[u8]> {
        self.ranges.iter().map(|range| &self.buffer[range.clone()])
    }

    /// Total encoded bytes.
    #[must_use]
    pub fn total_bytes(&self) -> usize {
        self.buffer.len()
    }
}

/// Decrypts a stored record's payload. `None` for the key means the tenant's key
/// was destroyed.
pub fn open_payload(
    record: &StoredRecord,
    data_key: Option<&DataKey>,
) -> Result<Vec<u8>, EngineError> {
    match (record.sealing, data_key) {
        (Sealing::Plaintext, _) => Ok(record.payload.clone()),
        (Sealing::AesGcm { nonce }, Some(data_key)) => {
            Ok(data_key.open(&record.associated_data(), &nonce, &record.payload)?)
        }
        (Sealing::AesGcm { .. }, None) => Err(EngineError::Erased(record.tenant_id.get())),
    }
}

/// The canonical hash of a stored record whose payload is `plaintext` (the
/// value its stored `record_hash` must have).
#[must_use]
pub fn recompute_hash(
    record: &StoredRecord,
    kind: RecordKind,
    plaintext: &[u8],
    scratch: &mut Vec<u8>,
) -> Hash {
    canonical_hash(
        (record.tenant_id, record.stream_id),
        record.offset,
        record.timestamp_ns,
        kind,
        &record.prev_hash,
        plaintext,
        scratch,
    )
}

/// Checks that a plaintext matches the record hash stored beside it.
pub fn check_plaintext(record: &StoredRecord, plaintext: &[u8]) -> Result<(), EngineError> {
    let kind = record_kind(record)?;
    let hash = recompute_hash(record, kind, plaintext, &mut Vec::new());
    if hash == record.record_hash {
        Ok(())
    } else {
        Err(EngineError::Corruption(format!(
            "record {} of stream {}/{}: payload does not match its stored hash",
            record.offset, record.tenant_id, record.stream_id
        )))
    }
}

/// The kind of a stored record; an unknown kind byte is corruption.
pub fn record_kind(record: &StoredRecord) -> Result<RecordKind, EngineError> {
    RecordKind::from_u8(record.kind).ok_or_else(|| {
        EngineError::Corruption(format!(
            "record {} of stream {}/{} has unknown kind {}",
            record.offset, record.tenant_id, record.stream_id, record.kind
        ))
    })
}
