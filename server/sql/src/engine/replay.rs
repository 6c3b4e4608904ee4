//! Bringing a tenant's views up to its SQL log: commit times of records
//! that became durable, a rebuild when a record failed or the views are
//! ahead of the log, and the records the views have not seen.

use kimberlite_kernel::SQL_LOG_STREAM_ID;
use kimberlite_protocol::TenantId;
use kimberlite_storage::engine::SqlLogPayload;

use super::slot::{Seen, TenantSlot};
use super::SqlEngine;
use crate::error::SqlError;
use crate::record::SqlRecord;
use crate::store::{LoggedRecord, TenantStore};

/// Records read from the log per batch while catching up.
const CATCH_UP_BATCH: u32 = 512;

impl SqlEngine {
    /// Writes the commit times of records that became durable, rebuilds the
    /// views if a record failed, and otherwise applies the SQL log records
    /// the views have not seen. Answers what readers may see.
    pub(super) fn catch_up(
        &self,
        tenant: TenantId,
        slot: &TenantSlot,
        store: &mut TenantStore,
    ) -> Result<Seen, SqlError> {
        let resolved = slot.flight.take();
        if resolved.broken {
            slot.flight.drain_for_rebuild();
            *store = TenantStore::recreate(store.path())?;
            self.rebuild_if_needed(tenant, store)?;
            return Ok(Seen {
                first_pending: None,
            });
        }
        store.note_commit_times(resolved.timestamps);
        if resolved.first_pending.is_none() {
            self.rebuild_if_needed(tenant, store)?;
        }
        Ok(Seen {
            first_pending: resolved.first_pending,
        })
    }

    /// With no record in flight: applies the SQL log records the store has
    /// not seen. A store ahead of the log (a crash took records it had
    /// applied), or one that fails to apply a record, is rebuilt from scratch.
    pub(super) fn rebuild_if_needed(
        &self,
        tenant: TenantId,
        store: &mut TenantStore,
    ) -> Result<(), SqlError> {
        let length = self.engine.stream_length(tenant, SQL_LOG_STREAM_ID)?;
        if store.next_position() > length {
            *store = TenantStore::recreate(store.path())?;
        }
        match self.replay(tenant, store, length) {
            Ok(()) => Ok(()),
            Err(SqlError::Store(_) | SqlError::CorruptRecord { .. })
                if store.next_position() > 0 =>
            {
                *store = TenantStore::recreate(store.path())?;
                self.replay(tenant, store, length)
            }
            Err(error) => Err(error),
        }
    }

    fn replay(
        &self,
        tenant: TenantId,
        store: &mut TenantStore,
        length: u64,
    ) -> Result<(), SqlError> {
        while store.next_position() < length {
            let from = store.next_position();
            let read = self.engine.read_verified(
                tenant,
                SQL_LOG_STREAM_ID,
                kimberlite_protocol::Offset(from),
                CATCH_UP_BATCH,
                u64::MAX,
                None,
            )?;
            if read.records.is_empty() {
                break;
            }
            let mut batch = Vec::with_capacity(read.records.len());
            for record in read.records {
                let position = record.offset.get();
                let payload = SqlLogPayload::decode(&record.payload)?;
                batch.push(LoggedRecord {
                    position,
                    timestamp_ns: record.timestamp_ns,
                    table_changes: payload.table_changes,
                    record: SqlRecord::decode(&payload.effect, position)?,
                });
            }
            store.apply(&batch)?;
        }
        Ok(())
    }

    /// Rewrites from the log the commit times the file may hold
    /// provisionally (a stop or a crash came between a commit and the
    /// times' arrival); for a store just opened and caught up.
    pub(super) fn settle_provisional_times(
        &self,
        tenant: TenantId,
        store: &mut TenantStore,
    ) -> Result<(), SqlError> {
        let Some(mut from) = store.provisional_from() else {
            return Ok(());
        };
        let end = store.next_position();
        while from < end {
            let read = self.engine.read_verified(
                tenant,
                SQL_LOG_STREAM_ID,
                kimberlite_protocol::Offset(from),
                CATCH_UP_BATCH,
                u64::MAX,
                None,
            )?;
            let times: Vec<(u64, u64)> = read
                .records
                .iter()
                .map(|record| (record.offset.get(), record.timestamp_ns))
                .filter(|(position, _)| *position < end)
                .collect();
            let Some(&(last, _)) = times.last() else {
                break;
            };
            from = last + 1;
            store.note_commit_times(times);
        }
        store.prepare_for_read()
    }
}
