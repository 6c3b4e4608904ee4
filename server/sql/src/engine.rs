//! [`SqlEngine`]: statements of each tenant are planned one at a time under
//! the tenant's lock, records reach the log in that order (see `commit.rs` for
//! how writes share group commits), reads go to the tenant's SQLite views, and
//! the views catch up with the SQL log whenever they are behind it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use kimberlite_kernel::{Command, SQL_LOG_STREAM_ID};
use kimberlite_protocol::{TenantId, Value};
use kimberlite_storage::engine::{Engine, EngineError, SqlLogPayload};
use sqlparser::ast::Statement;

use crate::audit::AuditInfo;
use crate::catalog_views::{describe, history, show_streams, show_tables};
use crate::commit::{append_now, pipeline, Durable, Pending};
use crate::error::SqlError;
use crate::flight::Flight;
use crate::front::{LiteralRows, ParseCache, Parsed, TimeTravel};
use crate::output::QueryOutput;
use crate::query::{explain, query_rows};
use crate::record::SqlRecord;
use crate::rewrite::Visibility;
use crate::store::{LoggedRecord, TenantStore};
use crate::write::plan;

/// Records read from the log per batch while catching up.
const CATCH_UP_BATCH: u32 = 512;

/// Who runs a statement and what their client can decode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SqlContext {
    /// The request's audit metadata, recorded with every change.
    pub audit: AuditInfo,
    /// Whether the client opted in to the extension value kinds; if not,
    /// results use the five plain v5 kinds.
    pub extended_values: bool,
}

/// The SQL engine of a node: one SQLite view store per tenant over the
/// storage engine's SQL logs.
#[derive(Debug)]
pub struct SqlEngine {
    engine: Arc<Engine>,
    directory: PathBuf,
    slots: Mutex<HashMap<TenantId, Arc<TenantSlot>>>,
    parsed: ParseCache,
}

/// One tenant's views and the records it has in flight.
#[derive(Debug)]
pub struct TenantSlot {
    store: Mutex<TenantStore>,
    /// Records queued for the log but not yet durable.
    pub flight: Arc<Flight>,
}

impl TenantSlot {
    /// Takes the tenant's statement lock.
    fn lock_store(&self) -> MutexGuard<'_, TenantStore> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits the views' open transaction before a read.
    fn prepare_for_read(&self, store: &mut TenantStore) -> Result<(), SqlError> {
        store
            .prepare_for_read()
            .inspect_err(|_| self.flight.mark_broken())
    }

    /// Commits the views' open transaction unless records still in flight
    /// may add to it (their statements settle in turn). A failed commit
    /// leaves the views behind the log, so they are marked for a rebuild;
    /// the log, not the views, answers for the statements.
    fn settle(&self, store: &mut TenantStore) {
        if !store.should_commit(!self.flight.is_idle()) {
            return;
        }
        if let Err(error) = store.commit() {
            tracing::warn!(%error, "SQL view commit failed; the views are rebuilt from the log");
            self.flight.mark_broken();
        }
    }

    /// After a statement's record is durable: commits the views' open
    /// transaction if that was the last record in flight, unless another
    /// statement holds the lock (it settles the transaction itself).
    fn settle_after_durable(&self) {
        if !self.flight.is_idle() {
            return;
        }
        if let Ok(mut store) = self.store.try_lock() {
            self.settle(&mut store);
        }
    }
}

/// What readers may see: the log positions before `limit`.
#[derive(Clone, Copy, Debug)]
struct Seen {
    /// The first position in flight, if any.
    first_pending: Option<u64>,
}

impl Seen {
    /// The durable length as the views know it.
    fn length(self, store: &TenantStore) -> u64 {
        self.first_pending.unwrap_or_else(|| store.next_position())
    }

    /// What a query "on the current rows" reads.
    fn current(self) -> Visibility {
        match self.first_pending {
            None => Visibility::Current,
            Some(first) => Visibility::At(i64::try_from(first).unwrap_or(i64::MAX) - 1),
        }
    }
}

impl SqlEngine {
    /// Opens the view stores in `directory` (created if missing) and brings
    /// every tenant's views up to its SQL log, rebuilding missing files.
    pub fn open(engine: Arc<Engine>, directory: impl Into<PathBuf>) -> Result<Self, SqlError> {
        let directory = directory.into();
        std::fs::create_dir_all(&directory).map_err(|error| SqlError::Store(error.to_string()))?;
        let sql = Self {
            engine,
            directory,
            slots: Mutex::new(HashMap::new()),
            parsed: ParseCache::default(),
        };
        let catalog = sql.engine.catalog();
        for tenant in catalog.tenants() {
            if tenant.id().get() == 0 || tenant.sql_log().is_none() {
                continue;
            }
            match sql.slot(tenant.id()) {
                Ok(_) | Err(SqlError::Engine(EngineError::Erased(_))) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(sql)
    }

    /// Runs one statement for `tenant`: a query answers rows; a write is
    /// checked, appended to the SQL log as one record, applied to the views
    /// and answered with its row count and log position once it is durable.
    pub fn execute(
        &self,
        tenant: TenantId,
        sql: &str,
        params: &[Value],
        context: &SqlContext,
    ) -> Result<QueryOutput, SqlError> {
        let parsed = self.parsed.parse(sql)?;
        let slot = self.slot(tenant)?;
        let mut store = slot.lock_store();
        let seen = self.catch_up(tenant, &slot, &mut store)?;
        let extended = context.extended_values;
        let writes = matches!(&*parsed, Parsed::Sql { statement, .. }
            if !matches!(**statement, Statement::Query(_) | Statement::Explain { .. }));
        if !writes {
            slot.prepare_for_read(&mut store)?;
        }
        match &*parsed {
            Parsed::ShowTables => Ok(show_tables(&store)),
            Parsed::ShowStreams => show_streams(&self.engine, tenant),
            Parsed::Describe(table) => describe(&store, table),
            Parsed::History(table) => history(&store, table, seen.first_pending, extended),
            Parsed::SetRetention {
                table,
                min_history_ns,
            } => self.set_retention(tenant, &slot, &mut store, table, *min_history_ns, context),
            Parsed::Sql {
                statement,
                time,
                rows,
            } => {
                let visibility = match time {
                    None => seen.current(),
                    Some(time) => self.visibility(tenant, &store, seen, *time)?,
                };
                match &**statement {
                    Statement::Query(query) => {
                        query_rows(&store, (**query).clone(), params, visibility, extended)
                    }
                    Statement::Explain { statement, .. } => {
                        explain(&store, (**statement).clone(), params, visibility)
                    }
                    other if time.is_none() => {
                        let request = WriteRequest {
                            statement: other,
                            rows: rows.as_ref(),
                            params,
                            context,
                        };
                        self.write(tenant, &slot, store, seen, &request)
                    }
                    _ => Err(SqlError::InvalidRequest(
                        "AS OF / AT OFFSET apply to queries only".into(),
                    )),
                }
            }
        }
    }

    /// Runs a query over the state at SQL log `position` (including the
    /// record there). A position beyond the log is `PositionAhead`.
    pub fn query_at(
        &self,
        tenant: TenantId,
        sql: &str,
        params: &[Value],
        position: u64,
        context: &SqlContext,
    ) -> Result<QueryOutput, SqlError> {
        let parsed = self.parsed.parse(sql)?;
        let slot = self.slot(tenant)?;
        let mut store = slot.lock_store();
        let seen = self.catch_up(tenant, &slot, &mut store)?;
        slot.prepare_for_read(&mut store)?;
        let visibility = self.visibility(tenant, &store, seen, TimeTravel::Offset(position))?;
        match &*parsed {
            Parsed::Sql {
                statement,
                time: None,
                ..
            } => match &**statement {
                Statement::Query(query) => {
                    let query = (**query).clone();
                    query_rows(&store, query, params, visibility, context.extended_values)
                }
                _ => Err(SqlError::InvalidRequest("QueryAt takes a query".into())),
            },
            _ => Err(SqlError::InvalidRequest(
                "QueryAt takes a plain query (no AS OF, SHOW or HISTORY)".into(),
            )),
        }
    }

    fn visibility(
        &self,
        tenant: TenantId,
        store: &TenantStore,
        seen: Seen,
        time: TimeTravel,
    ) -> Result<Visibility, SqlError> {
        let length = seen.length(store);
        match time {
            TimeTravel::Offset(position) if position >= length => Err(SqlError::PositionAhead {
                requested: position,
                last: i64::try_from(length).unwrap_or(i64::MAX) - 1,
            }),
            TimeTravel::Offset(position) => {
                Ok(Visibility::At(i64::try_from(position).unwrap_or(i64::MAX)))
            }
            TimeTravel::Timestamp(nanos) => {
                let Ok(nanos) = u64::try_from(nanos) else {
                    return Ok(Visibility::At(-1));
                };
                let found = self
                    .engine
                    .offset_at_timestamp(tenant, SQL_LOG_STREAM_ID, nanos)?;
                let position =
                    found.map_or(-1, |offset| i64::try_from(offset.get()).unwrap_or(i64::MAX));
                // Only durable records have a commit time in the log's index.
                let last = i64::try_from(length).unwrap_or(i64::MAX) - 1;
                Ok(Visibility::At(position.min(last)))
            }
        }
    }

    /// Plans and stages a write under the tenant's lock, settles the views'
    /// transaction, and answers once the record is durable.
    fn write(
        &self,
        tenant: TenantId,
        slot: &TenantSlot,
        mut store: MutexGuard<'_, TenantStore>,
        seen: Seen,
        request: &WriteRequest<'_>,
    ) -> Result<QueryOutput, SqlError> {
        // Planning reads the views inside the transaction the record joins.
        let staged = store
            .begin()
            .and_then(|()| self.stage_write(tenant, slot, &mut store, seen, request));
        slot.settle(&mut store);
        drop(store);
        match staged? {
            Staged::Answered(output) => output,
            Staged::Pipelined(output, durable) => {
                let durable = durable.wait();
                slot.settle_after_durable();
                durable?;
                output
            }
        }
    }

    fn stage_write(
        &self,
        tenant: TenantId,
        slot: &TenantSlot,
        store: &mut TenantStore,
        seen: Seen,
        request: &WriteRequest<'_>,
    ) -> Result<Staged, SqlError> {
        let WriteRequest {
            statement,
            rows,
            params,
            context,
        } = *request;
        let Some(mut plan) = plan(store, statement, rows, params)? else {
            return Ok(Staged::Answered(Ok(QueryOutput::Written {
                rows_affected: 0,
                log_offset: seen.length(store).saturating_sub(1),
            })));
        };
        plan.record.audit = context.audit.clone();
        let rows_affected = plan.record.rows_affected;
        let pending = Pending {
            table_changes: plan.table_changes,
            record: plan.record,
        };
        let returning = plan.returning;
        if !pending.only_rows() {
            let position = append_now(&self.engine, tenant, slot, store, pending)?;
            let output = answer(store, returning, params, context, rows_affected, position);
            return Ok(Staged::Answered(output));
        }
        let (position, durable) = pipeline(&self.engine, tenant, slot, store, pending)?;
        let output = answer(store, returning, params, context, rows_affected, position);
        Ok(Staged::Pipelined(output, durable))
    }

    fn set_retention(
        &self,
        tenant: TenantId,
        slot: &TenantSlot,
        store: &mut TenantStore,
        table: &str,
        min_history_ns: u64,
        context: &SqlContext,
    ) -> Result<QueryOutput, SqlError> {
        if store.table(table).is_none() {
            return Err(SqlError::TableNotFound(table.to_owned()));
        }
        let catalog = self.engine.catalog();
        if let Some(current) = catalog.retention(tenant, table) {
            if min_history_ns < current.min_history_ns {
                return Err(SqlError::from_engine(EngineError::Rejected(
                    kimberlite_kernel::KernelError::RetentionShortened {
                        tenant_id: tenant,
                        table: table.to_owned(),
                        current_ns: current.min_history_ns,
                        requested_ns: min_history_ns,
                    },
                )));
            }
        }
        // The audit record first, so that no policy change goes unrecorded.
        let record = SqlRecord {
            audit: context.audit.clone(),
            statement: "ALTER TABLE SET RETENTION".to_owned(),
            table: Some(table.to_owned()),
            rows_affected: 0,
            row_ops: Vec::new(),
        };
        let pending = Pending {
            table_changes: Vec::new(),
            record,
        };
        let position = append_now(&self.engine, tenant, slot, store, pending)?;
        let table = table.to_owned();
        self.engine.catalog_command(move |_, timestamp_ns| {
            Ok(Command::SetRetention {
                tenant_id: tenant,
                table,
                min_history_ns,
                timestamp_ns,
            })
        })?;
        Ok(QueryOutput::Written {
            rows_affected: 0,
            log_offset: position,
        })
    }

    /// The tenant's views, opened on first use.
    fn slot(&self, tenant: TenantId) -> Result<Arc<TenantSlot>, SqlError> {
        let catalog = self.engine.catalog();
        if tenant.get() == 0 || catalog.tenant(tenant).is_none() {
            return Err(SqlError::Engine(EngineError::TenantNotFound(tenant.get())));
        }
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get(&tenant) {
            return Ok(Arc::clone(slot));
        }
        let path = self
            .directory
            .join(format!("tenant-{}.sqlite", tenant.get()));
        let mut store = TenantStore::open(&path)?;
        self.rebuild_if_needed(tenant, &mut store)?;
        let slot = Arc::new(TenantSlot {
            store: Mutex::new(store),
            flight: Arc::new(Flight::default()),
        });
        slots.insert(tenant, Arc::clone(&slot));
        Ok(slot)
    }

    /// Writes the commit times of records that became durable, rebuilds the
    /// views if a record failed, and otherwise applies the SQL log records
    /// the views have not seen. Answers what readers may see.
    fn catch_up(
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
    fn rebuild_if_needed(&self, tenant: TenantId, store: &mut TenantStore) -> Result<(), SqlError> {
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
}

/// A write statement and what it runs with.
#[derive(Clone, Copy)]
struct WriteRequest<'a> {
    statement: &'a Statement,
    /// The literal rows of an INSERT, read by the front end.
    rows: Option<&'a LiteralRows>,
    params: &'a [Value],
    context: &'a SqlContext,
}

/// A write staged under the lock.
enum Staged {
    /// Nothing left to wait for.
    Answered(Result<QueryOutput, SqlError>),
    /// The answer, to give once the record is durable.
    Pipelined(Result<QueryOutput, SqlError>, Durable),
}

/// The answer to a write: its `RETURNING` rows, or its count and position.
fn answer(
    store: &TenantStore,
    returning: Option<crate::write::Returning>,
    params: &[Value],
    context: &SqlContext,
    rows_affected: u64,
    position: u64,
) -> Result<QueryOutput, SqlError> {
    match returning {
        Some(returning) => Ok(returning
            .evaluate(store, params)?
            .into_output(context.extended_values)),
        None => Ok(QueryOutput::Written {
            rows_affected,
            log_offset: position,
        }),
    }
}
