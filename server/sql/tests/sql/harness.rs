//! A node for tests: a storage engine with a clock the test sets, a SQL
//! engine over it, and a sqllogictest connection with a few test-only
//! statements (`-- clock '<ts>'`, `-- actor '<name>'`, `-- rebuild`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kimberlite_protocol::{TenantId, Value};
use kimberlite_sql::{display_value, AuditInfo, QueryOutput, SqlContext, SqlEngine, SqlError};
use kimberlite_storage::engine::{Clock, Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;
use sqllogictest::{DBOutput, DefaultColumnType};

/// 2026-01-01T00:00:00Z in ns.
pub const START_NS: u64 = 1_767_225_600_000_000_000;

/// A clock that stands still until the test moves it.
#[derive(Debug)]
pub struct TestClock(AtomicU64);

impl Clock for TestClock {
    fn now_ns(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl TestClock {
    /// Moves the clock to `nanos`.
    pub fn set(&self, nanos: u64) {
        self.0.store(nanos, Ordering::SeqCst);
    }
}

/// A storage engine and a SQL engine in a temporary directory.
pub struct Node {
    pub dir: tempfile::TempDir,
    pub clock: Arc<TestClock>,
    pub engine: Arc<Engine>,
    pub sql: Arc<Mutex<Arc<SqlEngine>>>,
}

impl Node {
    /// A fresh node with tenants 1 and 2.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vfs = Arc::new(OsVfs);
        let config = EngineConfig::new(dir.path().join("data"), "kimberlite.test");
        Engine::init(vfs.clone(), &config).unwrap();
        let clock = Arc::new(TestClock(AtomicU64::new(START_NS)));
        let (engine, _report) = Engine::open_with_clock(vfs, config, clock.clone()).unwrap();
        let engine = Arc::new(engine);
        engine.create_tenant(TenantId(1), "one").unwrap();
        engine.create_tenant(TenantId(2), "two").unwrap();
        let sql = SqlEngine::open(engine.clone(), dir.path().join("sql")).unwrap();
        Self {
            dir,
            clock,
            engine,
            sql: Arc::new(Mutex::new(Arc::new(sql))),
        }
    }

    pub fn sql_dir(&self) -> PathBuf {
        self.dir.path().join("sql")
    }

    /// Deletes every SQLite file and reopens the SQL engine over the log.
    pub fn rebuild(&self) {
        let mut sql = self.sql.lock().unwrap();
        *sql =
            Arc::new(SqlEngine::open(self.engine.clone(), self.dir.path().join("other")).unwrap());
        std::fs::remove_dir_all(self.sql_dir()).unwrap();
        *sql = Arc::new(SqlEngine::open(self.engine.clone(), self.sql_dir()).unwrap());
    }

    /// Closes the SQL engine (its SQLite files stay as they are) and runs
    /// `between` before opening it again over the same files.
    pub fn reopen(&self, between: impl FnOnce(&std::path::Path)) {
        let mut sql = self.sql.lock().unwrap();
        *sql =
            Arc::new(SqlEngine::open(self.engine.clone(), self.dir.path().join("other")).unwrap());
        between(&self.sql_dir());
        *sql = Arc::new(SqlEngine::open(self.engine.clone(), self.sql_dir()).unwrap());
    }

    pub fn engine(&self) -> Arc<SqlEngine> {
        self.sql.lock().unwrap().clone()
    }

    /// Runs a statement for tenant 1 as actor "tester".
    pub fn run(&self, sql: &str, params: &[Value]) -> Result<QueryOutput, SqlError> {
        let context = SqlContext {
            audit: AuditInfo::actor("tester"),
            extended_values: false,
        };
        self.engine().execute(TenantId(1), sql, params, &context)
    }

    /// The rows of a query for tenant 1, as text.
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match self.run(sql, &[]).unwrap() {
            QueryOutput::Rows { rows, .. } => text_rows(&rows),
            QueryOutput::Written { .. } => panic!("{sql} wrote"),
        }
    }
}

/// Rows as text, the way the tests compare them.
pub fn text_rows(rows: &[Vec<Value>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| row.iter().map(display_value).collect())
        .collect()
}

/// The error a sqllogictest file sees: the code's name, then the message.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SltError {
    code: String,
    message: String,
}

/// One sqllogictest connection: a tenant of a node.
pub struct SltConnection {
    pub node: Arc<Node>,
    pub tenant: TenantId,
    pub actor: String,
}

impl sqllogictest::DB for SltConnection {
    type Error = SltError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SltError> {
        let trimmed = sql.trim();
        if let Some(command) = trimmed.strip_prefix("-- ") {
            return self.test_command(command);
        }
        let context = SqlContext {
            audit: AuditInfo::actor(&self.actor),
            extended_values: false,
        };
        let result = self.node.engine().execute(self.tenant, sql, &[], &context);
        match result {
            Ok(QueryOutput::Rows { columns, rows }) => Ok(DBOutput::Rows {
                types: vec![DefaultColumnType::Any; columns.len()],
                rows: text_rows(&rows),
            }),
            Ok(QueryOutput::Written { rows_affected, .. }) => {
                Ok(DBOutput::StatementComplete(rows_affected))
            }
            Err(error) => Err(SltError {
                code: format!("{:?}", error.code()),
                message: error.to_string(),
            }),
        }
    }
}

impl SltConnection {
    fn test_command(&mut self, command: &str) -> Result<DBOutput<DefaultColumnType>, SltError> {
        let argument = |prefix: &str| {
            command
                .strip_prefix(prefix)
                .map(|rest| rest.trim().trim_matches('\'').to_owned())
        };
        if let Some(time) = argument("clock") {
            let nanos = parse_rfc3339(&time);
            self.node.clock.set(nanos);
        } else if let Some(actor) = argument("actor") {
            self.actor = actor;
        } else if let Some(tenant) = argument("tenant") {
            self.tenant = TenantId(tenant.parse().unwrap());
        } else if command.trim() == "rebuild" {
            self.node.rebuild();
        } else {
            panic!("unknown test command {command:?}");
        }
        Ok(DBOutput::StatementComplete(0))
    }
}

/// ns since the epoch of `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_rfc3339(text: &str) -> u64 {
    let format = time::format_description::well_known::Rfc3339;
    let instant = time::OffsetDateTime::parse(text, &format).unwrap();
    u64::try_from(instant.unix_timestamp_nanos()).unwrap()
}
