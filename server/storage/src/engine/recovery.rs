//! Recovery: rebuild derived state from the snapshot and the WAL after it.
//!
//! Steps (docs/storage.md has the argument):
//! 1. `Wal::open` has already truncated a torn tail (never an acknowledged record:
//!    an append is answered only after its batch's `fdatasync`), or refused to
//!    open on corruption before the tail.
//! 2. Load the snapshot, if any and intact; truncate every stream's indexes to the
//!    length the snapshot vouches for (index writes after it may be partial).
//! 3. Replay every WAL entry after the snapshot: decode, check the chain link
//!    (offset and previous hash), recompute the record hash from the decrypted
//!    payload where the tenant's key still exists, re-apply it to the kernel,
//!    and append it to its stream's indexes. The records of one append are
//!    applied together once its last record (flagged in the stored body) is
//!    read; an append a crash cut short was never acknowledged and is left out
//!    whole, at the end of the log or, after later writes, wherever it lies.
//!
//! If an index turns out shorter than its snapshot says, the snapshot is dropped
//! and the whole log is replayed.

use std::collections::HashMap;

use kimberlite_kernel::{apply_in_place, Command, Effect, State, SQL_LOG_STREAM_ID};
use kimberlite_protocol::record::RecordKind;

use super::complete_appends::CompleteAppends;
use super::error::EngineError;
use super::records::{
    check_plaintext, open_payload, record_kind, Chain, SqlLogPayload, SYSTEM_STREAM,
};
use super::shared::Shared;
use super::snapshot::{self, Snapshot};
use super::stored_record::StoredRecord;
use super::streams::StreamKey;
use super::writer::INDEX_FLUSH_BYTES;

/// What recovery found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// WAL position replay started from (0 without a usable snapshot).
    pub replayed_from_lsn: u64,
    /// WAL entries replayed.
    pub records_replayed: u64,
    /// WAL entries left out: records of appends a crash cut short (never
    /// acknowledged). They stay in the log and are skipped on every replay.
    pub records_discarded: u64,
    /// Bytes of torn tail the WAL dropped at open.
    pub torn_tail_bytes: u64,
    /// Why the snapshot was not used, if it was not.
    pub snapshot_discarded: Option<String>,
}

/// The writer's starting state.
pub(crate) struct Recovered {
    pub(crate) state: State,
    pub(crate) chains: HashMap<StreamKey, Chain>,
    pub(crate) report: RecoveryReport,
}

/// Runs recovery; see the module docs.
pub(crate) fn recover(shared: &Shared, torn_tail_bytes: u64) -> Result<Recovered, EngineError> {
    let mut report = RecoveryReport {
        torn_tail_bytes,
        ..RecoveryReport::default()
    };
    let snapshot = match snapshot::read(shared.vfs.as_ref(), &shared.layout) {
        Ok(snapshot) => snapshot,
        Err(error) => {
            tracing::warn!(%error, "ignoring a damaged snapshot; replaying the whole log");
            report.snapshot_discarded = Some(error.to_string());
            None
        }
    };
    if let Some(snapshot) = snapshot {
        match replay(shared, snapshot, &mut report) {
            Ok(recovered) => return Ok(recovered),
            Err(error @ EngineError::IndexBehindSnapshot { .. }) => {
                tracing::warn!(%error, "indexes behind the snapshot; replaying the whole log");
                report.snapshot_discarded = Some(error.to_string());
                shared.streams.clear();
            }
            Err(error) => return Err(error),
        }
    }
    let empty = Snapshot {
        wal_end_lsn: 0,
        state: State::default(),
        chains: Vec::new(),
    };
    replay(shared, empty, &mut report)
}

/// Replay in progress: the kernel state and chains so far.
struct Replay<'a> {
    shared: &'a Shared,
    state: State,
    chains: HashMap<StreamKey, Chain>,
    report: &'a mut RecoveryReport,
}

fn replay(
    shared: &Shared,
    snapshot: Snapshot,
    report: &mut RecoveryReport,
) -> Result<Recovered, EngineError> {
    let mut chains: HashMap<StreamKey, Chain> = HashMap::new();
    for (key, chain) in snapshot.chains {
        shared.open_stream(key, chain.length)?;
        chains.insert(key, chain);
    }
    // Streams without a record have no chain in the snapshot; they exist all
    // the same (empty), as a replay from the start of the log would open them.
    for tenant in snapshot.state.tenants() {
        for stream in tenant.streams() {
            let key = (tenant.id(), stream.id());
            if !chains.contains_key(&key) {
                shared.open_stream(key, 0)?;
            }
        }
    }
    report.replayed_from_lsn = snapshot.wal_end_lsn;
    report.records_replayed = 0;
    let mut replay = Replay {
        shared,
        state: snapshot.state,
        chains,
        report,
    };
    let mut records = CompleteAppends::new(shared.wal_reader.scan(snapshot.wal_end_lsn));
    for item in records.by_ref() {
        let (lsn, record) = item?;
        replay.apply(lsn, &record)?;
    }
    replay.report.records_discarded = records.discarded();
    let Replay { state, chains, .. } = replay;
    let system_length = chains.get(&SYSTEM_STREAM).map_or(0, |chain| chain.length);
    shared.open_stream(SYSTEM_STREAM, system_length)?;
    for handle in shared.streams.all() {
        let mut indexes = handle.indexes_mut();
        indexes.flush()?;
        let length = indexes.len();
        drop(indexes);
        handle.publish(length);
    }
    shared.publish_catalog(&state);
    Ok(Recovered {
        state,
        chains,
        report: report.clone(),
    })
}

impl Replay<'_> {
    /// Checks one record's chain link, re-applies it to the kernel and indexes it.
    fn apply(&mut self, lsn: u64, record: &StoredRecord) -> Result<(), EngineError> {
        let key = (record.tenant_id, record.stream_id);
        let chain = match self.chains.get(&key) {
            Some(chain) => *chain,
            None => {
                self.shared.open_stream(key, 0)?;
                Chain::genesis(key)
            }
        };
        if record.offset.get() != chain.length || record.prev_hash != chain.head {
            return Err(EngineError::Corruption(format!(
                "WAL entry at position {lsn}: record {} of stream {}/{} does not link to the \
                 chain (expected offset {} after hash {})",
                record.offset, key.0, key.1, chain.length, chain.head
            )));
        }
        let plaintext = plaintext_if_readable(self.shared, record)?;
        replay_record(self.shared, &mut self.state, record, plaintext.as_deref())?;
        let handle = self.shared.open_stream(key, chain.length)?;
        let mut indexes = handle.indexes_mut();
        indexes.append_record(lsn, record.timestamp_ns, record.record_hash)?;
        indexes.flush_if_over(INDEX_FLUSH_BYTES)?;
        drop(indexes);
        let next = Chain {
            length: chain.length + 1,
            head: record.record_hash,
            timestamp_ns: record.timestamp_ns,
        };
        self.chains.insert(key, next);
        self.report.records_replayed += 1;
        Ok(())
    }
}

/// The record's plaintext, checked against its hash; `None` after crypto-erasure.
fn plaintext_if_readable(
    shared: &Shared,
    record: &StoredRecord,
) -> Result<Option<Vec<u8>>, EngineError> {
    let data_key = if record.tenant_id.get() == 0 {
        None
    } else {
        match shared.keys.tenant_key(record.tenant_id)? {
            Some(data_key) => Some(data_key),
            None => return Ok(None),
        }
    };
    let plaintext = open_payload(record, data_key.as_deref())?;
    check_plaintext(record, &plaintext)?;
    Ok(Some(plaintext))
}

/// Re-applies one record to the kernel state.
fn replay_record(
    shared: &Shared,
    state: &mut State,
    record: &StoredRecord,
    plaintext: Option<&[u8]>,
) -> Result<(), EngineError> {
    let key = (record.tenant_id, record.stream_id);
    let command = match record_kind(record)? {
        RecordKind::Catalog if key == SYSTEM_STREAM => {
            let bytes = plaintext.unwrap_or_default();
            postcard::from_bytes::<Command>(bytes).map_err(|error| {
                EngineError::Corruption(format!("catalog record {}: {error}", record.offset))
            })?
        }
        RecordKind::SqlEffect if key.1 == SQL_LOG_STREAM_ID => Command::RecordSqlEffect {
            tenant_id: key.0,
            timestamp_ns: record.timestamp_ns,
            table_changes: match plaintext {
                Some(bytes) => SqlLogPayload::decode(bytes)?.table_changes,
                None => Vec::new(),
            },
        },
        RecordKind::Event => Command::AppendEvents {
            tenant_id: key.0,
            stream_id: key.1,
            expected_offset: record.offset,
            count: 1,
            timestamp_ns: record.timestamp_ns,
        },
        other => {
            return Err(EngineError::Corruption(format!(
                "record {} of stream {}/{} has kind {other:?}, which does not belong there",
                record.offset, key.0, key.1
            )))
        }
    };
    let effects = apply_in_place(state, &command).map_err(|error| {
        EngineError::Corruption(format!(
            "record {} of stream {}/{} is rejected on replay: {error}",
            record.offset, key.0, key.1
        ))
    })?;
    for effect in effects {
        match effect {
            Effect::TenantCreated { tenant_id } => {
                shared.open_stream((tenant_id, SQL_LOG_STREAM_ID), 0)?;
            }
            Effect::StreamCreated {
                tenant_id,
                stream_id,
                existed: false,
            } => {
                shared.open_stream((tenant_id, stream_id), 0)?;
            }
            Effect::DestroyTenantKey { tenant_id } => shared.keys.destroy_tenant_key(tenant_id)?,
            _ => {}
        }
    }
    Ok(())
}
