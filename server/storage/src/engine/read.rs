//! Reads: events, verified events with proofs, checkpoints, time lookups.
//!
//! Every read runs on the caller's thread against the files, and sees a stream
//! only up to its published durable length.

use std::sync::Arc;

use kimberlite_protocol::checkpoint::{sign_checkpoint, timestamp_extension, Checkpoint};
use kimberlite_protocol::checkpoint::checkpoint_origin;
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

use super::error::EngineError;
use super::records::open_payload;
use super::stored_record::StoredRecord;
use super::streams::StreamHandle;
use super::Engine;

/// Events read from a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadBatch {
    /// Payloads in offset order.
    pub events: Vec<Vec<u8>>,
    /// `from_offset + events.len()`, or `None` when nothing was read.
    pub next_offset: Option<Offset>,
}

/// One record of a verified read, with what a client needs to check it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRecord {
    /// Position in the stream.
    pub offset: Offset,
    /// Commit timestamp.
    pub timestamp_ns: u64,
    /// Record kind byte.
    pub kind: u8,
    /// Hash of the previous record.
    pub prev_hash: Hash,
    /// Plaintext payload.
    pub payload: Vec<u8>,
    /// RFC 6962 inclusion proof at the checkpoint's size.
    pub inclusion_proof: Vec<Hash>,
}

/// A verified read: records, the signed checkpoint they are proven against and,
/// on request, a consistency proof from the client's trusted size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRead {
    /// The signed checkpoint note.
    pub checkpoint: String,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The records.
    pub records: Vec<VerifiedRecord>,
    /// Consistency proof from the trusted size, when one was given.
    pub consistency_proof: Option<Vec<Hash>>,
}

impl Engine {
    pub(crate) fn handle(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
    ) -> Result<Arc<StreamHandle>, EngineError> {
        let catalog = self.shared.catalog();
        if tenant_id.get() == 0 || catalog.tenant(tenant_id).is_none() {
            return Err(EngineError::TenantNotFound(tenant_id.get()));
        }
        self.shared.streams.get((tenant_id, stream_id)).ok_or(EngineError::StreamNotFound {
            tenant: tenant_id.get(),
            stream: stream_id.get(),
        })
    }

    /// Reads the stored record at `offset`, which must be below the durable length.
    fn stored_record(
        &self,
        handle: &StreamHandle,
        offset: u64,
    ) -> Result<StoredRecord, EngineError> {
        let entry = handle.indexes().offsets_get(offset)?;
        let Some((lsn, _timestamp)) = entry else {
            return Err(EngineError::Corruption(format!(
                "stream {}/{}: offset index has no entry {offset}",
                handle.tenant_id, handle.stream_id
            )));
        };
        let body = self.shared.wal_reader.read(lsn)?;
        let record = StoredRecord::decode(&body).map_err(|error| {
            EngineError::Corruption(format!("WAL entry at position {lsn}: {error}"))
        })?;
        if record.tenant_id != handle.tenant_id
            || record.stream_id != handle.stream_id
            || record.offset.get() != offset
        {
            return Err(EngineError::Corruption(format!(
                "WAL entry at position {lsn} is not record {offset} of stream {}/{}",
                handle.tenant_id, handle.stream_id
            )));
        }
        Ok(record)
    }

    fn checked_from(handle: &StreamHandle, from: u64) -> Result<u64, EngineError> {
        let length = handle.committed();
        if from > length {
            return Err(EngineError::OutOfRange { what: "offset", requested: from, length });
        }
        Ok(length)
    }

    /// Reads events from `from_offset` while the bytes read so far are below
    /// `max_bytes` (so the last event may cross it), as protocol v5 specifies.
    pub fn read(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> Result<ReadBatch, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let length = Self::checked_from(&handle, from_offset.get())?;
        let data_key = self.shared.data_key(tenant_id)?;
        let mut events = Vec::new();
        let mut bytes = 0u64;
        let mut offset = from_offset.get();
        while offset < length && bytes < max_bytes {
            let record = self.stored_record(&handle, offset)?;
            let payload = open_payload(&record, data_key.as_deref())?;
            bytes += payload.len() as u64;
            events.push(payload);
            offset += 1;
        }
        let next_offset = (!events.is_empty()).then_some(Offset(offset));
        Ok(ReadBatch { events, next_offset })
    }

    /// Reads up to `max_events` records (and about `max_bytes`) from
    /// `from_offset` with inclusion proofs against a fresh signed checkpoint,
    /// and a consistency proof from `trusted_size` when given.
    pub fn read_verified(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_offset: Offset,
        max_events: u32,
        max_bytes: u64,
        trusted_size: Option<u64>,
    ) -> Result<VerifiedRead, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let size = Self::checked_from(&handle, from_offset.get())?;
        if let Some(trusted) = trusted_size {
            if trusted > size {
                return Err(EngineError::OutOfRange {
                    what: "trusted size",
                    requested: trusted,
                    length: size,
                });
            }
        }
        let checkpoint = self.signed_checkpoint(&handle, size)?;
        let data_key = self.shared.data_key(tenant_id)?;
        let mut records = Vec::new();
        let mut bytes = 0u64;
        let mut offset = from_offset.get();
        while offset < size && bytes < max_bytes && records.len() < max_events as usize {
            let record = self.stored_record(&handle, offset)?;
            let payload = open_payload(&record, data_key.as_deref())?;
            let inclusion_proof = handle.indexes().inclusion_proof(offset, size)?;
            bytes += payload.len() as u64;
            records.push(VerifiedRecord {
                offset: record.offset,
                timestamp_ns: record.timestamp_ns,
                kind: record.kind,
                prev_hash: record.prev_hash,
                payload,
                inclusion_proof,
            });
            offset += 1;
        }
        let consistency_proof = match trusted_size {
            Some(trusted) if trusted > 0 && trusted < size => {
                Some(handle.indexes().consistency_proof(trusted, size)?)
            }
            Some(_) => Some(Vec::new()),
            None => None,
        };
        Ok(VerifiedRead { checkpoint, size, records, consistency_proof })
    }

    /// A signed checkpoint of the stream at `size` (its durable length if `None`).
    pub fn checkpoint(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        size: Option<u64>,
    ) -> Result<String, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let length = handle.committed();
        let size = size.unwrap_or(length);
        if size > length {
            return Err(EngineError::OutOfRange { what: "tree size", requested: size, length });
        }
        self.signed_checkpoint(&handle, size)
    }

    fn signed_checkpoint(&self, handle: &StreamHandle, size: u64) -> Result<String, EngineError> {
        let indexes = handle.indexes();
        let root = indexes.root_at(size)?;
        let mut extensions = Vec::new();
        if size > 0 {
            if let Some((_, timestamp_ns)) = indexes.offsets_get(size - 1)? {
                extensions.push(timestamp_extension(timestamp_ns));
            }
        }
        drop(indexes);
        let checkpoint = Checkpoint {
            origin: checkpoint_origin(&self.shared.config.identity, handle.tenant_id, handle.stream_id),
            size,
            root,
            extensions,
        };
        sign_checkpoint(&checkpoint, &self.shared.signer)
            .map_err(|error| EngineError::Failed(format!("signing a checkpoint: {error}")))
    }

    /// An RFC 6962 consistency proof between two sizes of the stream.
    pub fn consistency_proof(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let length = handle.committed();
        if new_size > length {
            return Err(EngineError::OutOfRange { what: "tree size", requested: new_size, length });
        }
        if old_size == 0 || old_size > new_size {
            return Err(EngineError::InvalidRequest(format!(
                "a consistency proof needs 0 < old size <= new size, got {old_size} and {new_size}"
            )));
        }
        Ok(handle.indexes().consistency_proof(old_size, new_size)?)
    }

    /// The last offset of the stream committed at or before `timestamp_ns`, or
    /// `None` if the stream had no record then. Time travel's index.
    pub fn offset_at_timestamp(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        timestamp_ns: u64,
    ) -> Result<Option<Offset>, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let length = handle.committed();
        let found = handle.indexes().last_at_or_before(timestamp_ns)?;
        Ok(found.filter(|offset| *offset < length).map(Offset))
    }
}
