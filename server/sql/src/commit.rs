//! Appending a statement's record and applying it to the views.
//!
//! A statement that only changes rows is *pipelined*: under the tenant's
//! statement lock its record is queued for the log at the next position and
//! applied to the views (with a provisional commit time); the lock is then
//! released and the statement waits for durability before it answers. So the
//! statements of many connections share one group commit, while the views still
//! take the records in log order (positions are assigned under the lock and the
//! engine stages records in the order they were queued).
//!
//! Why the views may run ahead of the log: they are a cache rebuilt from the
//! log. Readers see only the positions before the first record in flight
//! ([`Flight`]), nobody is answered before their record is durable, a record
//! that fails marks the views for a rebuild from the log, and after a crash
//! the views are ahead of the log and are rebuilt on open. Records that only
//! change rows can fail only when the node stops or the tenant is erased,
//! which fails every later record as well, so no statement is ever answered
//! on the strength of a record that was not written.
//!
//! Statements that change the catalog (and the audit record of `SET
//! RETENTION`) wait for durability under the lock instead: the kernel checks
//! them (retention, names) and may refuse them, and later statements must be
//! planned against the outcome.

use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use kimberlite_kernel::TableChange;
use kimberlite_protocol::TenantId;
use kimberlite_storage::engine::{AppendOutcome, Completion, Engine, EngineError};

use crate::engine::TenantSlot;
use crate::error::SqlError;
use crate::record::SqlRecord;
use crate::store::{LoggedRecord, TenantStore};

/// A record to append: its catalog changes and effect.
pub struct Pending {
    /// Catalog changes for the kernel.
    pub table_changes: Vec<TableChange>,
    /// The resolved effect, audit metadata included.
    pub record: SqlRecord,
}

impl Pending {
    /// Whether the record only changes rows (and so may be pipelined).
    pub fn only_rows(&self) -> bool {
        self.table_changes
            .iter()
            .all(|change| matches!(change, TableChange::RowChanges { .. }))
    }
}

/// Waits for a pipelined record to become durable.
pub struct Durable {
    receiver: mpsc::Receiver<Result<AppendOutcome, EngineError>>,
    position: u64,
}

impl Durable {
    /// Blocks until the record is durable; its position.
    pub fn wait(self) -> Result<u64, SqlError> {
        match self.receiver.recv() {
            Ok(Ok(outcome)) if outcome.first_offset.get() == self.position => Ok(self.position),
            Ok(Ok(outcome)) => Err(SqlError::Store(format!(
                "the SQL log record landed at {} instead of {}; the views are rebuilt",
                outcome.first_offset.get(),
                self.position
            ))),
            Ok(Err(error)) => Err(SqlError::from_engine(error)),
            Err(_) => Err(SqlError::from_engine(EngineError::Stopped)),
        }
    }
}

/// Queues `pending` at the next position and applies it to the views; the
/// caller releases the lock, then waits on the returned [`Durable`].
pub fn pipeline(
    engine: &Engine,
    tenant: TenantId,
    slot: &TenantSlot,
    store: &mut TenantStore,
    pending: Pending,
) -> Result<(u64, Durable), SqlError> {
    let effect = pending.record.encode()?;
    let position = store.next_position();
    let (sender, receiver) = mpsc::sync_channel(1);
    let flight = slot.flight.clone();
    flight.begin(position);
    let completion = Completion::callback(move |result| {
        flight.resolve(position, &result);
        let _ = sender.send(result);
    });
    engine.submit_sql_effect(tenant, pending.table_changes.clone(), effect, completion);
    let durable = Durable { receiver, position };
    let logged = LoggedRecord {
        position,
        timestamp_ns: provisional_time(),
        table_changes: pending.table_changes,
        record: pending.record,
    };
    if let Err(error) = store.apply(std::slice::from_ref(&logged)) {
        slot.flight.mark_broken();
        return Err(error);
    }
    store.mark_provisional(position);
    Ok((position, durable))
}

/// Appends `pending` and waits for durability while holding the lock, then
/// applies it to the views at the position the log gave it.
pub fn append_now(
    engine: &Engine,
    tenant: TenantId,
    slot: &TenantSlot,
    store: &mut TenantStore,
    pending: Pending,
) -> Result<u64, SqlError> {
    let effect = pending.record.encode()?;
    let outcome = engine
        .append_sql_effect(tenant, pending.table_changes.clone(), effect)
        .map_err(SqlError::from_engine)?;
    let position = outcome.first_offset.get();
    let logged = LoggedRecord {
        position,
        timestamp_ns: outcome.timestamp_ns,
        table_changes: pending.table_changes,
        record: pending.record,
    };
    if position != store.next_position() {
        // An earlier record in flight failed: the log, not the views, is right.
        slot.flight.mark_broken();
        return Ok(position);
    }
    store
        .apply(std::slice::from_ref(&logged))
        .inspect_err(|_| {
            slot.flight.mark_broken();
        })?;
    Ok(position)
}

/// The commit time the views show until the record's real one is known.
fn provisional_time() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
        })
}
