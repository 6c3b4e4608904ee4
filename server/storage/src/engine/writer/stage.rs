//! Staging: each request runs through the kernel and, if accepted, becomes
//! records in the batch's buffer (hashed over the plaintext, then sealed).
//!
//! Every function here returns a [`Staging`]: the outer error is fatal for the
//! node, the inner one is the request's own rejection, answered to its caller
//! while the rest of the batch goes ahead. The kernel leaves its state untouched
//! when it rejects, so a rejected request leaves no trace.

use std::sync::Arc;

use kimberlite_kernel::{apply_in_place, changes_state, Command, Effect, TableChange};
use kimberlite_protocol::{Offset, TenantId};

use super::{Batch, Staged, Staging, Writer};
use crate::crypto::DataKey;
use crate::engine::error::EngineError;
use crate::engine::intent::AppendOutcome;
use crate::engine::records::{Chain, NewRecord, RecordKind, SqlLogPayload, SYSTEM_STREAM};
use crate::engine::stored_record::{FIRST_OF_APPEND, LAST_OF_APPEND, WHOLE_APPEND};
use crate::engine::streams::StreamKey;

impl Writer {
    /// The tenant's data key for a write. A tenant the kernel knows, not erased,
    /// without a key file is refused (never written in plaintext); unknown and
    /// erased tenants are left for the kernel to reject with its own error.
    pub(super) fn write_key(&self, tenant_id: TenantId) -> Staging<Option<Arc<DataKey>>> {
        let data_key = self.shared.data_key(tenant_id)?;
        let live = self
            .state
            .tenant(tenant_id)
            .is_some_and(|tenant| !tenant.is_key_erased());
        if data_key.is_none() && live {
            return Ok(Err(EngineError::Corruption(format!(
                "tenant {tenant_id} has no data key file; refusing to write its data"
            ))));
        }
        Ok(Ok(data_key))
    }

    /// Runs an append through the kernel and stages its records.
    pub(super) fn stage_append(
        &mut self,
        batch: &mut Batch,
        key: StreamKey,
        expected_offset: Offset,
        events: &[Vec<u8>],
        timestamp_ns: u64,
    ) -> Staging<AppendOutcome> {
        if let Err(rejected) = self.shared.check_events(events) {
            return Ok(Err(rejected));
        }
        let Ok(count) = u32::try_from(events.len()) else {
            return Ok(Err(EngineError::InvalidRequest(
                "too many events in one append".into(),
            )));
        };
        let data_key = match self.write_key(key.0)? {
            Ok(data_key) => data_key,
            Err(rejected) => return Ok(Err(rejected)),
        };
        let command = Command::AppendEvents {
            tenant_id: key.0,
            stream_id: key.1,
            expected_offset,
            count,
            timestamp_ns,
        };
        let effects = match apply_in_place(&mut self.state, &command) {
            Ok(effects) => effects,
            Err(rejected) => return Ok(Err(rejected.into())),
        };
        let committed_ns = appended_at(&effects).map_or(timestamp_ns, |(_, _, time)| time);
        let chain = self
            .chains
            .entry(key)
            .or_insert_with(|| Chain::genesis(key));
        for (index, payload) in events.iter().enumerate() {
            let mut append_flags = 0;
            if index == 0 {
                append_flags |= FIRST_OF_APPEND;
            }
            if index + 1 == events.len() {
                append_flags |= LAST_OF_APPEND;
            }
            let new = NewRecord {
                timestamp_ns: committed_ns,
                kind: RecordKind::Event,
                payload,
                append_flags,
            };
            let record_hash = batch.builder.push(key, chain, new, data_key.as_deref())?;
            batch.staged.push(Staged {
                key,
                timestamp_ns: committed_ns,
                record_hash,
            });
        }
        Ok(Ok(AppendOutcome {
            first_offset: expected_offset,
            count,
            timestamp_ns: committed_ns,
        }))
    }

    /// Applies a catalog command and stages its record in the system stream.
    pub(super) fn stage_catalog(
        &mut self,
        batch: &mut Batch,
        command: &Command,
        timestamp_ns: u64,
    ) -> Staging<Vec<Effect>> {
        if let Command::CreateTenant { tenant_id, .. } = command {
            // The key exists before the record that needs it is durable; a key
            // left by a crash in between is reused when the tenant is created.
            if tenant_id.get() != 0 && self.state.tenant(*tenant_id).is_none() {
                self.shared.keys.ensure_tenant_key(*tenant_id)?;
            }
        }
        let effects = match apply_in_place(&mut self.state, command) {
            Ok(effects) => effects,
            Err(rejected) => return Ok(Err(rejected.into())),
        };
        if !changes_state(&effects) {
            return Ok(Ok(effects)); // an idempotent repeat: nothing to log
        }
        self.open_created_streams(&effects)?;
        let payload = postcard::to_allocvec(command)
            .map_err(|error| EngineError::Failed(format!("encoding a command: {error}")))?;
        let chain = self
            .chains
            .entry(SYSTEM_STREAM)
            .or_insert_with(|| Chain::genesis(SYSTEM_STREAM));
        // The system stream's times must not go back even if the clock does.
        let committed_ns = timestamp_ns.max(chain.timestamp_ns);
        let new = NewRecord {
            timestamp_ns: committed_ns,
            kind: RecordKind::Catalog,
            payload: &payload,
            append_flags: WHOLE_APPEND,
        };
        let record_hash = batch.builder.push(SYSTEM_STREAM, chain, new, None)?;
        batch.staged.push(Staged {
            key: SYSTEM_STREAM,
            timestamp_ns: committed_ns,
            record_hash,
        });
        batch.catalog_changed = true;
        batch.after_sync.extend(effects.iter().cloned());
        Ok(Ok(effects))
    }

    /// Applies a SQL effect and stages its record in the tenant's SQL log.
    pub(super) fn stage_sql(
        &mut self,
        batch: &mut Batch,
        tenant_id: TenantId,
        table_changes: Vec<TableChange>,
        effect: Vec<u8>,
        timestamp_ns: u64,
    ) -> Staging<AppendOutcome> {
        let data_key = match self.write_key(tenant_id)? {
            Ok(data_key) => data_key,
            Err(rejected) => return Ok(Err(rejected)),
        };
        let payload = SqlLogPayload {
            table_changes,
            effect,
        };
        let encoded = match payload.encode() {
            Ok(encoded) => encoded,
            Err(rejected) => return Ok(Err(rejected)),
        };
        let command = Command::RecordSqlEffect {
            tenant_id,
            timestamp_ns,
            table_changes: payload.table_changes,
        };
        let effects = match apply_in_place(&mut self.state, &command) {
            Ok(effects) => effects,
            Err(rejected) => return Ok(Err(rejected.into())),
        };
        let Some((key, offset, committed_ns)) = appended_at(&effects) else {
            return Err(EngineError::Failed(
                "a SQL effect produced no append".into(),
            ));
        };
        let chain = self
            .chains
            .entry(key)
            .or_insert_with(|| Chain::genesis(key));
        let new = NewRecord {
            timestamp_ns: committed_ns,
            kind: RecordKind::SqlEffect,
            payload: &encoded,
            append_flags: WHOLE_APPEND,
        };
        let record_hash = batch.builder.push(key, chain, new, data_key.as_deref())?;
        batch.staged.push(Staged {
            key,
            timestamp_ns: committed_ns,
            record_hash,
        });
        Ok(Ok(AppendOutcome {
            first_offset: offset,
            count: 1,
            timestamp_ns: committed_ns,
        }))
    }

    /// Opens the indexes of streams a catalog command created.
    pub(super) fn open_created_streams(&mut self, effects: &[Effect]) -> Result<(), EngineError> {
        for effect in effects {
            let key = match effect {
                Effect::TenantCreated { tenant_id } => {
                    (*tenant_id, kimberlite_kernel::SQL_LOG_STREAM_ID)
                }
                Effect::StreamCreated {
                    tenant_id,
                    stream_id,
                    existed: false,
                } => (*tenant_id, *stream_id),
                _ => continue,
            };
            self.shared.open_stream(key, 0)?;
            self.chains
                .entry(key)
                .or_insert_with(|| Chain::genesis(key));
        }
        Ok(())
    }
}

/// The stream, first offset and commit time of the `Append` effect, if any.
fn appended_at(effects: &[Effect]) -> Option<(StreamKey, Offset, u64)> {
    effects.iter().find_map(|effect| match effect {
        Effect::Append {
            tenant_id,
            stream_id,
            first_offset,
            timestamp_ns,
            ..
        } => Some(((*tenant_id, *stream_id), *first_offset, *timestamp_ns)),
        _ => None,
    })
}
