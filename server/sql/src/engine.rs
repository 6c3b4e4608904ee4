//! [`SqlEngine`]: statements of each tenant are planned one at a time under
//! the tenant's lock, records reach the log in that order (see `commit.rs` for
//! how writes share group commits), reads go to the tenant's SQLite views, and
//! the views catch up with the SQL log whenever they are behind it.

mod replay;
mod slot;
mod write;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use kimberlite_kernel::{Command, SQL_LOG_STREAM_ID};
use kimberlite_protocol::{TenantId, Value};
use kimberlite_storage::engine::{Engine, EngineError};
use sqlparser::ast::Statement;

use crate::audit::AuditInfo;
use crate::catalog_views::{describe, history, show_streams, show_tables};
use crate::commit::{append_now, Pending};
use crate::error::SqlError;
use crate::flight::Flight;
use crate::front::{ParseCache, Parsed, TimeTravel};
use crate::output::QueryOutput;
use crate::query::{explain, query_rows};
use crate::record::SqlRecord;
use crate::rewrite::Visibility;
use crate::store::TenantStore;

use slot::Seen;
pub use slot::TenantSlot;
use write::WriteRequest;

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

    /// Whether `sql` only reads (a query, EXPLAIN, SHOW, DESCRIBE or HISTORY):
    /// such statements never wait for the log. A text that does not parse is
    /// not one (running it reports the error).
    #[must_use]
    pub fn only_reads(&self, sql: &str) -> bool {
        match self.parsed.parse(sql).as_deref() {
            Ok(Parsed::Sql { statement, .. }) => only_reads(statement),
            Ok(Parsed::SetRetention { .. }) | Err(_) => false,
            Ok(
                Parsed::ShowTables | Parsed::ShowStreams | Parsed::Describe(_) | Parsed::History(_),
            ) => true,
        }
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
        let writes = matches!(&*parsed, Parsed::Sql { statement, .. } if !only_reads(statement));
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
                    Some(time) => self.visibility(tenant, &mut store, seen, *time)?,
                };
                match &**statement {
                    Statement::Query(query) => {
                        query_rows(&mut store, sql, query, params, visibility, extended)
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
        let visibility = self.visibility(tenant, &mut store, seen, TimeTravel::Offset(position))?;
        match &*parsed {
            Parsed::Sql {
                statement,
                time: None,
                ..
            } => match &**statement {
                Statement::Query(query) => query_rows(
                    &mut store,
                    sql,
                    query,
                    params,
                    visibility,
                    context.extended_values,
                ),
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
        store: &mut TenantStore,
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
                let position = self.position_at_time(tenant, store, nanos)?;
                // Only durable records have a commit time in the log's index.
                let last = i64::try_from(length).unwrap_or(i64::MAX) - 1;
                Ok(Visibility::At(position.min(last)))
            }
        }
    }

    /// The position of the last durable SQL log record committed at or
    /// before `nanos` (-1: none), from the log's time index confirmed by the
    /// log. Once a durable record after it exists the answer can no longer
    /// change (commit times never decrease), so the store keeps it.
    fn position_at_time(
        &self,
        tenant: TenantId,
        store: &mut TenantStore,
        nanos: u64,
    ) -> Result<i64, SqlError> {
        if let Some(position) = store.position_at_time(nanos) {
            return Ok(position);
        }
        let durable = self.engine.stream_length(tenant, SQL_LOG_STREAM_ID)?;
        let found = self
            .engine
            .offset_at_timestamp(tenant, SQL_LOG_STREAM_ID, nanos)?
            .map(|offset| offset.get());
        let position = found.map_or(-1, |offset| i64::try_from(offset).unwrap_or(i64::MAX));
        if found.map_or(0, |offset| offset + 1) < durable {
            store.keep_position_at_time(nanos, position);
        }
        Ok(position)
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
        self.settle_provisional_times(tenant, &mut store)?;
        let slot = Arc::new(TenantSlot {
            store: Mutex::new(store),
            flight: Arc::new(Flight::default()),
        });
        slots.insert(tenant, Arc::clone(&slot));
        Ok(slot)
    }
}

/// Whether a standard statement only reads.
const fn only_reads(statement: &Statement) -> bool {
    matches!(statement, Statement::Query(_) | Statement::Explain { .. })
}
