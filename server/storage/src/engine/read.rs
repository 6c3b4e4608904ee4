//! Reads: events by offset and the time-travel lookup.
//!
//! Every read runs on the caller's thread against the files, and sees a stream
//! only up to its published durable length.

use std::sync::Arc;

use kimberlite_protocol::{Offset, StreamId, TenantId};

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
        self.shared
            .streams
            .get((tenant_id, stream_id))
            .ok_or(EngineError::StreamNotFound {
                tenant: tenant_id.get(),
                stream: stream_id.get(),
            })
    }

    /// Reads the stored record at `offset`, which must be below the durable length.
    pub(crate) fn stored_record(
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

    pub(crate) fn checked_from(handle: &StreamHandle, from: u64) -> Result<u64, EngineError> {
        let length = handle.committed();
        if from > length {
            return Err(EngineError::OutOfRange {
                what: "offset",
                requested: from,
                length,
            });
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
        Ok(ReadBatch {
            events,
            next_offset,
        })
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
        let found = found.filter(|offset| *offset < length);
        self.confirm_time_lookup(&handle, timestamp_ns, found, length)?;
        Ok(found.map(Offset))
    }

    /// The time index is derived: its answer is confirmed with the commit times
    /// of the records in the log (checksummed), which never decrease. Record
    /// `found` must be at or before the time and the next record after it, so
    /// two reads prove the answer; a damaged index entry is an error, never a
    /// wrong position.
    fn confirm_time_lookup(
        &self,
        handle: &StreamHandle,
        timestamp_ns: u64,
        found: Option<u64>,
        length: u64,
    ) -> Result<(), EngineError> {
        let next = found.map_or(0, |offset| offset + 1);
        let found_ok = match found {
            Some(offset) => self.stored_record(handle, offset)?.timestamp_ns <= timestamp_ns,
            None => true,
        };
        let next_ok =
            next >= length || self.stored_record(handle, next)?.timestamp_ns > timestamp_ns;
        if found_ok && next_ok {
            return Ok(());
        }
        Err(EngineError::Corruption(format!(
            "stream {}/{}: the time index answers {found:?} for time {timestamp_ns}, which the \
             commit times in the log contradict (offsets.idx is damaged; deleting the stream's \
             index files makes the next start rebuild them)",
            handle.tenant_id, handle.stream_id
        )))
    }
}
