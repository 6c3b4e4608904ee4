//! Kimberlite SQL: statements checked against the catalog, each write stored
//! as one record of resolved row images in the tenant's SQL log, and the
//! tables kept as versioned rows in SQLite so that current and historical
//! queries are plain SQL.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kimberlite_protocol::{TenantId, Value};
//! use kimberlite_sql::{AuditInfo, QueryOutput, SqlContext, SqlEngine};
//! use kimberlite_storage::engine::{Engine, EngineConfig};
//! use kimberlite_storage::io::os::OsVfs;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let vfs = Arc::new(OsVfs);
//! let config = EngineConfig::new("./data", "kimberlite.example");
//! Engine::init(vfs.clone(), &config)?;
//! let (engine, _report) = Engine::open(vfs, config)?;
//! let engine = Arc::new(engine);
//! engine.create_tenant(TenantId(1), "clinic")?;
//! let sql = SqlEngine::open(Arc::clone(&engine), "./data/sql")?;
//! let context = SqlContext { audit: AuditInfo::actor("dr.who"), extended_values: false };
//! sql.execute(TenantId(1), "CREATE TABLE patients (id INTEGER, name TEXT)", &[], &context)?;
//! let written = sql.execute(
//!     TenantId(1),
//!     "INSERT INTO patients VALUES ($1, $2)",
//!     &[Value::BigInt(1), Value::Text("Ada".into())],
//!     &context,
//! )?;
//! let QueryOutput::Written { log_offset, .. } = written else { unreachable!() };
//! let rows = sql.query_at(TenantId(1), "SELECT name FROM patients", &[], log_offset, &context)?;
//! # Ok(()) }
//! ```
//!
//! # How it behaves
//!
//! - **One statement at a time per tenant.** A write is parsed, checked
//!   (types, NOT NULL, PRIMARY KEY, UNIQUE) against the current rows, then
//!   appended as one SQL log record, then applied to the views; a failing
//!   statement appends nothing.
//! - **The log is the truth.** The SQLite files are caches: on open, and
//!   before every statement, a tenant's views replay the SQL log records they
//!   have not seen; a missing or damaged file is rebuilt from the log.
//! - **Reads** are any SQLite query over the tenant's tables, rewritten so that
//!   each table name reads the rows visible at one position. Only queries are
//!   run, on a read-only connection, and names can reach only the tenant's
//!   tables and the audit view `kimberlite_audit`.
//! - **Time travel**: `AS OF TIMESTAMP '..'`, `FOR SYSTEM_TIME AS OF '..'`,
//!   `AT OFFSET n` and [`SqlEngine::query_at`]; docs/sql.md has the dialect.

mod audit;
mod bounded;
mod catalog_views;
mod cell;
mod coerce;
mod column_type;
mod commit;
mod engine;
mod error;
mod flight;
mod front;
mod output;
mod query;
mod read;
mod record;
mod rewrite;
mod store;
mod temporal;
mod values;
mod write;

pub use audit::AuditInfo;
pub use engine::{SqlContext, SqlEngine};
pub use error::SqlError;
pub use output::QueryOutput;
pub use values::display_value;
