//! One tenant's derived views in SQLite: a history table of versioned rows per
//! SQL table, the audit rows, and the position of the next SQL log record to
//! apply, all changed in one SQLite transaction per record.
//!
//! Every SQL table `T` (catalog entry `id`) is stored as `kmb_t<id>`, holding
//! every version of every row: the hidden stable row id `kmb_row`, the
//! position the version became valid (`kmb_from`) and stopped being valid
//! (`kmb_to`, NULL while current), the operation and actor, and one column
//! `c<n>` per user column. Commit times live only in the audit rows (one per
//! record, by position), so a record applied before it is durable needs one
//! row updated when its commit time is known (`provisional.rs`). The file is a cache: deleting
//! it rebuilds it from the log. Records are applied inside a transaction that
//! stays open across statements (see `transaction.rs`).

mod apply;
mod entry;
mod layout;
mod provisional;
#[cfg(test)]
mod tests;
mod transaction;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use apply::LoggedRecord;
pub use entry::TableEntry;
pub use layout::quote;

use crate::bounded::BoundedMap;
use crate::error::SqlError;
use crate::front::MAX_TEXT_BYTES;
use crate::rewrite::Visibility;

/// The format of the cache files; a file of another format is rebuilt.
/// 3: tables with a primary key also index every version by key and position.
const FORMAT: i64 = 3;

/// A tenant's SQLite views.
pub struct TenantStore {
    path: PathBuf,
    writer: Connection,
    reader: Connection,
    tables: BTreeMap<String, TableEntry>,
    next_position: u64,
    /// Commit times learnt and not yet committed (see [`Self::note_commit_times`]).
    commit_times: Vec<(u64, u64)>,
    /// How many of `commit_times` the open transaction has written.
    times_written: usize,
    /// Records applied in the open transaction.
    uncommitted: usize,
    /// The next unused row id of each current table, by catalog id.
    next_row_ids: HashMap<i64, i64>,
    /// Positions whose audit rows may hold a provisional commit time.
    provisional: BTreeSet<u64>,
    /// Queries already rewritten, by statement text and visibility (see
    /// [`Self::rewritten`]).
    rewrites: BoundedMap<(String, Visibility), Arc<str>>,
    /// Settled answers of "the last SQL log position at or before this
    /// commit time", by time in nanoseconds.
    times: BoundedMap<u64, i64>,
}

/// How many rewritten queries, and how many time lookups, a store keeps.
const REWRITES_KEPT: usize = 256;
const TIMES_KEPT: usize = 1024;

impl std::fmt::Debug for TenantStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantStore")
            .field("path", &self.path)
            .field("next_position", &self.next_position)
            .finish_non_exhaustive()
    }
}

impl TenantStore {
    /// Opens (or creates) the store at `path`. The file is a cache of the log:
    /// one of another format, or one SQLite cannot open (a damaged header, a
    /// truncated page), is replaced by an empty one for the caller to rebuild.
    /// A file that cannot be removed, or a fresh one that cannot be opened,
    /// is an error.
    pub fn open(path: &Path) -> Result<Self, SqlError> {
        match Self::open_file(path) {
            Ok(Some(store)) => return Ok(store),
            Ok(None) => {}
            Err(error) => tracing::warn!(
                path = %path.display(),
                %error,
                "SQL view cache unreadable; replacing it and rebuilding it from the log"
            ),
        }
        Self::recreate(path)
    }

    /// Deletes the file at `path` and opens an empty store there.
    pub fn recreate(path: &Path) -> Result<Self, SqlError> {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(SqlError::Store(error.to_string())),
            }
        }
        Self::open_file(path)?
            .ok_or_else(|| SqlError::Store(format!("{}: not a fresh store", path.display())))
    }

    /// Opens the file at `path` as it is; `None` when it holds another format.
    fn open_file(path: &Path) -> Result<Option<Self>, SqlError> {
        let writer = Connection::open(path).map_err(|error| SqlError::store(&error))?;
        layout::configure(&writer)?;
        let format = layout::read_meta(&writer, "format")?;
        if format.is_some_and(|format| format != FORMAT) {
            return Ok(None);
        }
        layout::create_meta_tables(&writer, FORMAT)?;
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|error| SqlError::store(&error))?;
        reader
            .execute_batch("PRAGMA query_only = ON;")
            .map_err(|error| SqlError::store(&error))?;
        let next_position = layout::read_meta(&writer, "next_position")?.unwrap_or(0);
        let next_position = u64::try_from(next_position).unwrap_or(0);
        let provisional = provisional::provisional_in_file(&writer, next_position)?;
        let tables = entry::load_current(&writer)?;
        Ok(Some(Self {
            path: path.to_owned(),
            writer,
            reader,
            tables,
            next_position,
            commit_times: Vec::new(),
            times_written: 0,
            uncommitted: 0,
            next_row_ids: HashMap::new(),
            provisional,
            rewrites: BoundedMap::new(REWRITES_KEPT),
            times: BoundedMap::new(TIMES_KEPT),
        }))
    }

    /// The file of this store.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The position of the next SQL log record to apply.
    #[must_use]
    pub const fn next_position(&self) -> u64 {
        self.next_position
    }

    /// The current table of that name.
    #[must_use]
    pub fn table(&self, name: &str) -> Option<&TableEntry> {
        self.tables.get(name)
    }

    /// The current tables, by name.
    #[must_use]
    pub const fn tables(&self) -> &BTreeMap<String, TableEntry> {
        &self.tables
    }

    /// The read-write connection (for evaluating expressions of writes).
    #[must_use]
    pub const fn writer(&self) -> &Connection {
        &self.writer
    }

    /// The read-only connection user queries run on.
    #[must_use]
    pub const fn reader(&self) -> &Connection {
        &self.reader
    }

    /// The table entry named `name` as of `position`: the one live then, or
    /// (when none was) the nearest one created later or dropped earlier, whose
    /// rows at `position` are none.
    pub fn table_at(&self, name: &str, position: i64) -> Result<Option<TableEntry>, SqlError> {
        // The current entry of that name, if created by then, is the one live
        // then: any earlier one was dropped before it was created. Most time
        // travel asks about such a table, and is then answered from memory.
        match self.tables.get(name) {
            Some(current) if current.created_pos <= position => Ok(Some(current.clone())),
            _ => entry::load_at(&self.writer, name, position),
        }
    }

    /// The SQLite text of the query `sql` at `visibility`, made by `rewrite`
    /// the first time and kept until records are applied or the store
    /// reloads (either may change the tables a rewrite reads). The text
    /// depends only on the statement, the visibility and the table entries.
    /// Texts the parse cache does not keep are not kept here either.
    pub fn rewritten(
        &mut self,
        sql: &str,
        visibility: Visibility,
        rewrite: impl FnOnce(&Self) -> Result<String, SqlError>,
    ) -> Result<Arc<str>, SqlError> {
        if sql.len() > MAX_TEXT_BYTES {
            return rewrite(self).map(Arc::from);
        }
        let key = (sql.to_owned(), visibility);
        if let Some(text) = self.rewrites.get(&key) {
            return Ok(Arc::clone(text));
        }
        let text: Arc<str> = rewrite(self)?.into();
        self.rewrites.insert(key, Arc::clone(&text));
        Ok(text)
    }

    /// A position kept by [`Self::keep_position_at_time`] for `nanos`.
    #[must_use]
    pub fn position_at_time(&self, nanos: u64) -> Option<i64> {
        self.times.get(&nanos).copied()
    }

    /// Keeps the SQL log position of time `nanos`: only for an answer that
    /// cannot change any more (a durable record after it is later than
    /// `nanos`). The log never loses durable records, so it holds for the
    /// life of the store.
    pub fn keep_position_at_time(&mut self, nanos: u64, position: i64) {
        self.times.insert(nanos, position);
    }

    /// The most recent table entry of that name, current or dropped.
    pub fn latest_table(&self, name: &str) -> Result<Option<TableEntry>, SqlError> {
        entry::load_at(&self.writer, name, i64::MAX)
    }

    /// The next unused row id of `table`: kept in memory once known, since
    /// only applying records adds rows.
    pub fn next_row_id(&self, table: &TableEntry) -> Result<i64, SqlError> {
        if let Some(next) = self.next_row_ids.get(&table.id) {
            return Ok(*next);
        }
        max_row_id(&self.writer, table).map(|max| max.map_or(1, |max| max + 1))
    }
}

/// Keeps `next_row_ids` of `table` past the rows just inserted into it.
fn note_row_ids(
    next_row_ids: &mut HashMap<i64, i64>,
    writer: &Connection,
    table: &TableEntry,
    rows: &[(i64, Vec<crate::cell::Cell>)],
) -> Result<(), SqlError> {
    let Some(last) = rows.iter().map(|(row_id, _)| *row_id).max() else {
        return Ok(());
    };
    let next = match next_row_ids.get(&table.id) {
        Some(next) => (*next).max(last + 1),
        // The rows are in the table already, so its maximum counts them.
        None => max_row_id(writer, table)?.map_or(1, |max| max + 1),
    };
    next_row_ids.insert(table.id, next);
    Ok(())
}

/// The largest row id in `table`'s history table.
fn max_row_id(writer: &Connection, table: &TableEntry) -> Result<Option<i64>, SqlError> {
    let sql = format!("SELECT max(kmb_row) FROM {}", table.sqlite_name());
    writer
        .prepare_cached(&sql)
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)).optional())
        .map(Option::flatten)
        .map_err(|error| SqlError::store(&error))
}
