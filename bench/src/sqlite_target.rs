//! The workloads on SQLite (rusqlite, bundled): one database file in WAL mode
//! with `synchronous=FULL`, so a committed transaction is on disk; one
//! connection per worker, each on a thread of its own. Writers take turns on
//! the database's write lock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, TransactionBehavior};

use crate::measure::{drive_blocking, BlockingWorker, Picker, Summary};
use crate::workload::{Settings, Workload};
use crate::Result;

const SCHEMA: &str = "
CREATE TABLE events (id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL, payload BLOB NOT NULL);
CREATE TABLE records (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE accounts_history (
    id INTEGER NOT NULL, balance INTEGER NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER
);
CREATE INDEX accounts_history_id ON accounts_history (id, valid_from);
";

/// The AS OF table's validity is in seconds; version v starts at v hours.
const HOUR_SECONDS: i64 = 3_600;

/// A SQLite database file with the schema in place.
pub struct SqliteTarget {
    path: PathBuf,
    runs: i64,
}

/// Opens a connection with the durable settings.
fn open(path: &Path) -> Result<Connection> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(60))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    Ok(connection)
}

impl SqliteTarget {
    /// Creates `dir/bench.sqlite` with the schema and fills the point-read and
    /// AS OF tables.
    ///
    /// # Errors
    /// The file cannot be made or written.
    pub fn setup(dir: &Path, settings: &Settings) -> Result<Self> {
        let path = dir.join("bench.sqlite");
        let mut connection = open(&path)?;
        connection.execute_batch(SCHEMA)?;
        let transaction = connection.transaction()?;
        {
            let mut insert = transaction.prepare("INSERT INTO records VALUES (?1, ?2)")?;
            let record = vec![0x5Au8; settings.record_bytes];
            for id in 0..settings.read_records {
                insert.execute(params![id as i64, record])?;
            }
            let mut history =
                transaction.prepare("INSERT INTO accounts_history VALUES (?1, ?2, ?3, ?4)")?;
            let versions = settings.versions as i64;
            for key in 1..=settings.as_of_keys as i64 {
                for version in 0..=versions {
                    let from = version * HOUR_SECONDS;
                    let to = (version < versions).then_some(from + HOUR_SECONDS);
                    history.execute(params![key, version, from, to])?;
                }
            }
        }
        transaction.commit()?;
        Ok(Self { path, runs: 0 })
    }

    /// Runs `workload`, or None for verified reads, which SQLite does not have.
    ///
    /// # Errors
    /// Any failed statement.
    pub fn run(&mut self, workload: Workload, settings: &Settings) -> Result<Option<Summary>> {
        self.runs += 1;
        let clients = match workload {
            Workload::VerifiedRead { .. } => return Ok(None),
            Workload::Append { clients }
            | Workload::BatchAppend { clients, .. }
            | Workload::PointRead { clients }
            | Workload::SqlInsert { clients }
            | Workload::AsOf { clients } => clients,
        };
        let mut workers = Vec::with_capacity(clients);
        for index in 0..clients {
            workers.push(SqliteWorker {
                connection: open(&self.path)?,
                workload,
                stream: index as i64,
                record: vec![0xA5; settings.record_bytes],
                body: "s".repeat(settings.record_bytes),
                next_id: (self.runs << 40) | ((index as i64) << 32),
                picker: Picker::new(index as u64),
                settings: settings.clone(),
            });
        }
        Ok(Some(drive_blocking(workers, settings.duration)?))
    }
}

struct SqliteWorker {
    connection: Connection,
    workload: Workload,
    stream: i64,
    record: Vec<u8>,
    body: String,
    next_id: i64,
    picker: Picker,
    settings: Settings,
}

impl SqliteWorker {
    fn as_of(&mut self) -> Result<u64> {
        let id = 1 + self.picker.below(self.settings.as_of_keys) as i64;
        let at = (self.settings.versions / 2) as i64 * HOUR_SECONDS + HOUR_SECONDS / 2;
        let balance: i64 = self
            .connection
            .prepare_cached(
                "SELECT balance FROM accounts_history WHERE id = ?1 AND valid_from <= ?2 \
                 AND (valid_to IS NULL OR valid_to > ?2)",
            )?
            .query_row(params![id, at], |row| row.get(0))?;
        if balance != (self.settings.versions / 2) as i64 {
            return Err(format!("AS OF for key {id} gave {balance}").into());
        }
        Ok(1)
    }
}

impl BlockingWorker for SqliteWorker {
    fn run_once(&mut self) -> Result<u64> {
        const APPEND: &str = "INSERT INTO events (stream_id, payload) VALUES (?1, ?2)";
        match self.workload {
            Workload::Append { .. } => {
                let mut statement = self.connection.prepare_cached(APPEND)?;
                statement.execute(params![self.stream, self.record])?;
                Ok(1)
            }
            Workload::BatchAppend { batch, .. } => {
                let transaction = self
                    .connection
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                {
                    let mut statement = transaction.prepare_cached(APPEND)?;
                    for _ in 0..batch {
                        statement.execute(params![self.stream, self.record])?;
                    }
                }
                transaction.commit()?;
                Ok(batch as u64)
            }
            Workload::PointRead { .. } | Workload::VerifiedRead { .. } => {
                let id = self.picker.below(self.settings.read_records) as i64;
                let mut statement = self
                    .connection
                    .prepare_cached("SELECT payload FROM records WHERE id = ?1")?;
                let bytes: usize = statement.query_row([id], |row| {
                    row.get_ref(0)?
                        .as_blob()
                        .map(<[u8]>::len)
                        .map_err(Into::into)
                })?;
                if bytes != self.settings.record_bytes {
                    return Err(format!("record {id} has {bytes} bytes").into());
                }
                Ok(1)
            }
            Workload::SqlInsert { .. } => {
                let mut statement = self
                    .connection
                    .prepare_cached("INSERT INTO items (id, body) VALUES (?1, ?2)")?;
                statement.execute(params![self.next_id, self.body])?;
                self.next_id += 1;
                Ok(1)
            }
            Workload::AsOf { .. } => self.as_of(),
        }
    }
}
