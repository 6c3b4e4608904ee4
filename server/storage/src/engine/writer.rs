//! The writer thread: group commit.
//!
//! Every write of the node passes through this one thread. It takes everything
//! queued (up to a byte budget), runs each request through the kernel, builds the
//! records (hash over the plaintext, then seal), writes the whole batch with one
//! write and one `fdatasync`, then indexes the records, publishes the new lengths
//! and answers. So concurrent appenders share one sync, and an answer is sent only
//! once its records are durable.
//!
//! A failed write or sync is fatal: the node's durable state is then unknown, so
//! every pending and later request fails until a restart recovers from disk.

use std::collections::HashMap;
use std::sync::Arc;

use kimberlite_kernel::{apply, Command, Effect, State};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

use super::completion::Completion;
use super::error::EngineError;
use super::intent::{AppendOutcome, Intent};
use super::records::{Chain, RecordBuilder, RecordKind, SqlLogPayload, SYSTEM_STREAM};
use super::shared::Shared;
use super::snapshot;
use super::streams::StreamKey;
use crate::wal::Wal;

/// A record staged in the current batch.
struct Staged {
    key: StreamKey,
    timestamp_ns: u64,
    record_hash: Hash,
}

/// An answer to send once the batch is durable.
enum Reply {
    Append(Completion<AppendOutcome>, Result<AppendOutcome, EngineError>),
    Catalog(Completion<Vec<Effect>>, Result<Vec<Effect>, EngineError>),
    Snapshot(Completion<()>),
}

/// State owned by the writer thread.
pub(crate) struct Writer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) wal: Wal,
    /// The kernel state including everything written so far.
    pub(crate) state: State,
    /// Length and last hash of every stream, the system stream included.
    pub(crate) chains: HashMap<StreamKey, Chain>,
    pub(crate) bytes_since_snapshot: u64,
}

impl Writer {
    /// Runs until the queue is closed and drained.
    pub(crate) fn run(mut self) {
        while let Some(intents) = self.shared.take_batch() {
            if let Err(error) = self.commit_batch(intents) {
                tracing::error!(%error, "storage failure: the node stops accepting writes");
                self.shared.fail(error.to_string());
            }
        }
        if self.shared.failure().is_none() {
            if let Err(error) = self.write_snapshot() {
                tracing::error!(%error, "could not write the final snapshot");
            }
        }
    }

    /// Processes one batch. An `Err` is fatal; rejected requests are answered
    /// with their error and do not make the batch fail.
    fn commit_batch(&mut self, intents: Vec<Intent>) -> Result<(), EngineError> {
        let timestamp_ns = self.shared.clock.now_ns();
        let mut builder = RecordBuilder::default();
        let mut staged = Vec::new();
        let mut replies = Vec::with_capacity(intents.len());
        let mut catalog_changed = false;
        let mut after_sync = Vec::new();

        for intent in intents {
            match intent {
                Intent::Append { tenant_id, stream_id, expected_offset, events, completion } => {
                    let result = self.stage_append(
                        &mut builder,
                        &mut staged,
                        (tenant_id, stream_id),
                        expected_offset,
                        &events,
                        timestamp_ns,
                    )?;
                    replies.push(Reply::Append(completion, result));
                }
                Intent::Catalog { build, completion } => {
                    let result = build(&self.state, timestamp_ns).and_then(|command| {
                        self.stage_catalog(&mut builder, &mut staged, command, timestamp_ns)
                    });
                    let result = match result {
                        Ok(Ok(effects)) => {
                            catalog_changed = true;
                            after_sync.extend(effects.iter().cloned());
                            Ok(effects)
                        }
                        Ok(Err(rejected)) => Err(rejected),
                        Err(fatal_or_rejected) => Err(fatal_or_rejected),
                    };
                    replies.push(Reply::Catalog(completion, result));
                }
                Intent::SqlEffect { tenant_id, table_changes, effect, completion } => {
                    let result = self.stage_sql(
                        &mut builder,
                        &mut staged,
                        tenant_id,
                        table_changes,
                        effect,
                        timestamp_ns,
                    )?;
                    catalog_changed |= result.is_ok();
                    replies.push(Reply::Append(completion, result));
                }
                Intent::Snapshot { completion } => replies.push(Reply::Snapshot(completion)),
            }
        }

        let wants_snapshot = replies.iter().any(|reply| matches!(reply, Reply::Snapshot(_)));
        if !staged.is_empty() {
            let bodies: Vec<&[u8]> = builder.bodies().collect();
            let lsns = self.wal.append(&bodies)?;
            self.wal.sync()?;
            self.bytes_since_snapshot += builder.total_bytes() as u64;
            self.index(&staged, &lsns)?;
        }
        for effect in &after_sync {
            self.apply_effect_after_sync(effect)?;
        }
        if catalog_changed {
            self.shared.publish_catalog(&self.state);
        }
        if wants_snapshot || self.bytes_since_snapshot >= self.shared.config.snapshot_interval_bytes
        {
            self.write_snapshot()?;
        }
        for reply in replies {
            match reply {
                Reply::Append(completion, result) => completion.complete(result),
                Reply::Catalog(completion, result) => completion.complete(result),
                Reply::Snapshot(completion) => completion.complete(Ok(())),
            }
        }
        if !staged.is_empty() {
            self.shared.notify_commits(staged.iter().map(|record| record.key));
        }
        Ok(())
    }

    /// Runs an append through the kernel and stages its records. The outer
    /// `Err` is fatal; the inner one is a rejection for the caller.
    fn stage_append(
        &mut self,
        builder: &mut RecordBuilder,
        staged: &mut Vec<Staged>,
        key: StreamKey,
        expected_offset: Offset,
        events: &[Vec<u8>],
        timestamp_ns: u64,
    ) -> Result<Result<AppendOutcome, EngineError>, EngineError> {
        if let Err(rejected) = self.shared.check_events(events) {
            return Ok(Err(rejected));
        }
        let Ok(count) = u32::try_from(events.len()) else {
            return Ok(Err(EngineError::InvalidRequest("too many events in one append".into())));
        };
        let command = Command::AppendEvents {
            tenant_id: key.0,
            stream_id: key.1,
            expected_offset,
            count,
            timestamp_ns,
        };
        let data_key = match self.shared.data_key(key.0) {
            Ok(data_key) => data_key,
            Err(rejected) => return Ok(Err(rejected)),
        };
        let effects = match apply(&mut self.state, &command) {
            Ok(effects) => effects,
            Err(rejected) => return Ok(Err(rejected.into())),
        };
        let committed_ns = effects
            .iter()
            .find_map(|effect| match effect {
                Effect::Append { timestamp_ns, .. } => Some(*timestamp_ns),
                _ => None,
            })
            .unwrap_or(timestamp_ns);
        let chain = self.chains.entry(key).or_insert_with(|| Chain::genesis(key));
        for payload in events {
            let record_hash = builder.push(
                key,
                chain,
                committed_ns,
                RecordKind::Event,
                payload,
                data_key.as_deref(),
            )?;
            staged.push(Staged { key, timestamp_ns: committed_ns, record_hash });
        }
        Ok(Ok(AppendOutcome { first_offset: expected_offset, count, timestamp_ns: committed_ns }))
    }

    /// Applies a catalog command and stages its record in the system stream.
    fn stage_catalog(
        &mut self,
        builder: &mut RecordBuilder,
        staged: &mut Vec<Staged>,
        command: Command,
        timestamp_ns: u64,
    ) -> Result<Result<Vec<Effect>, EngineError>, EngineError> {
        if let Command::CreateTenant { tenant_id, .. } = &command {
            if tenant_id.get() == 0 {
                return Ok(Err(EngineError::InvalidRequest(
                    "tenant id 0 is reserved for the node's own catalog".into(),
                )));
            }
            if self.state.tenant(*tenant_id).is_none() {
                self.shared.keys.create_tenant_key(*tenant_id)?;
            }
        }
        let effects = match apply(&mut self.state, &command) {
            Ok(effects) => effects,
            Err(rejected) => return Ok(Err(rejected.into())),
        };
        self.open_created_streams(&effects)?;
        if effects.iter().all(|effect| matches!(effect, Effect::StreamCreated { existed: true, .. }))
        {
            // An idempotent repeat changes nothing, so there is nothing to log.
            return Ok(Ok(effects));
        }
        let payload = postcard::to_allocvec(&command)
            .map_err(|error| EngineError::Corruption(format!("encoding a command: {error}")))?;
        let chain = self.chains.entry(SYSTEM_STREAM).or_insert_with(|| Chain::genesis(SYSTEM_STREAM));
        let record_hash =
            builder.push(SYSTEM_STREAM, chain, timestamp_ns, RecordKind::Catalog, &payload, None)?;
        staged.push(Staged { key: SYSTEM_STREAM, timestamp_ns, record_hash });
        Ok(Ok(effects))
    }

    /// Applies a SQL effect and stages its record in the tenant's SQL log.
    fn stage_sql(
        &mut self,
        builder: &mut RecordBuilder,
        staged: &mut Vec<Staged>,
        tenant_id: TenantId,
        table_changes: Vec<kimberlite_kernel::TableChange>,
        effect: Vec<u8>,
        timestamp_ns: u64,
    ) -> Result<Result<AppendOutcome, EngineError>, EngineError> {
        let data_key = match self.shared.data_key(tenant_id) {
            Ok(data_key) => data_key,
            Err(rejected) => return Ok(Err(rejected)),
        };
        let command = Command::RecordSqlEffect {
            tenant_id,
            timestamp_ns,
            table_changes: table_changes.clone(),
        };
        let effects = match apply(&mut self.state, &command) {
            Ok(effects) => effects,
            Err(rejected) => return Ok(Err(rejected.into())),
        };
        let (key, offset, committed_ns) = effects
            .iter()
            .find_map(|effect| match effect {
                Effect::Append { tenant_id, stream_id, first_offset, timestamp_ns, .. } => {
                    Some(((*tenant_id, *stream_id), *first_offset, *timestamp_ns))
                }
                _ => None,
            })
            .unwrap_or(((tenant_id, StreamId(0)), Offset(0), timestamp_ns));
        let payload = SqlLogPayload { table_changes, effect }.encode()?;
        let chain = self.chains.entry(key).or_insert_with(|| Chain::genesis(key));
        let record_hash = builder.push(
            key,
            chain,
            committed_ns,
            RecordKind::SqlEffect,
            &payload,
            data_key.as_deref(),
        )?;
        staged.push(Staged { key, timestamp_ns: committed_ns, record_hash });
        Ok(Ok(AppendOutcome { first_offset: offset, count: 1, timestamp_ns: committed_ns }))
    }

    /// Opens the indexes of streams a catalog command created.
    fn open_created_streams(&mut self, effects: &[Effect]) -> Result<(), EngineError> {
        for effect in effects {
            let key = match effect {
                Effect::TenantCreated { tenant_id } => (*tenant_id, StreamId(0)),
                Effect::StreamCreated { tenant_id, stream_id, existed: false } => {
                    (*tenant_id, *stream_id)
                }
                _ => continue,
            };
            self.shared.open_stream(key, 0)?;
            self.chains.entry(key).or_insert_with(|| Chain::genesis(key));
        }
        Ok(())
    }

    /// Side effects that must wait until the command's record is durable.
    fn apply_effect_after_sync(&self, effect: &Effect) -> Result<(), EngineError> {
        if let Effect::DestroyTenantKey { tenant_id } = effect {
            self.shared.keys.destroy_tenant_key(*tenant_id)?;
        }
        Ok(())
    }

    /// Adds durable records to their streams' indexes, then publishes lengths.
    fn index(&mut self, staged: &[Staged], lsns: &[u64]) -> Result<(), EngineError> {
        let mut touched: HashMap<StreamKey, (std::sync::Arc<super::streams::StreamHandle>, u64)> =
            HashMap::new();
        for (record, lsn) in staged.iter().zip(lsns) {
            let entry = match touched.get_mut(&record.key) {
                Some(entry) => entry,
                None => {
                    let handle = self.shared.open_stream(record.key, 0)?;
                    touched.entry(record.key).or_insert((handle, 0))
                }
            };
            entry.0.indexes_mut().append_record(*lsn, record.timestamp_ns, record.record_hash)?;
            entry.1 += 1;
        }
        for (handle, _) in touched.values() {
            let mut indexes = handle.indexes_mut();
            indexes.flush()?;
            let length = indexes.len();
            drop(indexes);
            handle.publish(length);
        }
        Ok(())
    }

    /// Makes the indexes durable, then records the state they correspond to.
    pub(crate) fn write_snapshot(&mut self) -> Result<(), EngineError> {
        for handle in self.shared.streams.all() {
            handle.indexes_mut().sync()?;
        }
        snapshot::write(
            self.shared.vfs.as_ref(),
            &self.shared.layout,
            &snapshot::Snapshot {
                wal_end_lsn: self.wal.end_lsn(),
                state: self.state.clone(),
                chains: self.chains.iter().map(|(key, chain)| (*key, *chain)).collect(),
            },
        )?;
        self.bytes_since_snapshot = 0;
        Ok(())
    }
}
