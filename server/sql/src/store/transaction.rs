//! The writer's SQLite transaction, kept open across statements.
//!
//! A SQLite commit writes every page the transaction dirtied to the WAL (the
//! table page, each index page, the audit and meta pages), which costs more
//! than the single-row statement that dirtied them. So records are applied
//! inside one open transaction, which commits when the engine says so: before
//! a read (the read-only connection sees only committed pages), when no
//! record of the tenant is in flight any more, or after
//! [`MAX_UNCOMMITTED_RECORDS`]. The statements whose records share a disk
//! sync thus share one SQLite commit too.
//!
//! Leaving records uncommitted is safe because the file is a cache of the
//! log: a crash or a lost connection loses only work the log still holds,
//! and the views then replay it (they are behind the log, never ahead). For
//! the same reason a record that fails to apply rolls the whole transaction
//! back (no savepoint per record, which would copy every page it touches):
//! the store returns to its last commit, behind the log, and the caller has
//! the views rebuilt. Planning queries also run inside the transaction, which
//! spares each one SQLite's read-transaction locking.
//!
//! User queries run on the read-only connection, in a read transaction of its
//! own that stays open from one query to the next until the writer commits
//! (which ends it first): each query then skips SQLite's locking (four
//! `fcntl` calls) and still sees every commit, and the reader never holds an
//! old snapshot that would keep the WAL from being checkpointed.

use super::entry::load_current;
use super::layout::{read_meta, write_meta};
use super::TenantStore;
use crate::error::SqlError;

/// Records after which the open transaction commits even while statements
/// wait for the tenant: bounds the dirty pages SQLite holds in memory.
pub const MAX_UNCOMMITTED_RECORDS: usize = 256;

impl TenantStore {
    /// Runs a fixed statement of transaction control, prepared once.
    pub(super) fn control(&self, sql: &str) -> Result<(), SqlError> {
        self.writer
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute([]))
            .map(|_| ())
            .map_err(|error| SqlError::store(&error))
    }

    /// Runs a fixed statement of transaction control on the reader.
    fn reader_control(&self, sql: &str) -> Result<(), SqlError> {
        self.reader
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute([]))
            .map(|_| ())
            .map_err(|error| SqlError::store(&error))
    }

    /// Ends the reader's open read transaction, if any.
    fn end_read(&self) -> Result<(), SqlError> {
        if self.reader.is_autocommit() {
            return Ok(());
        }
        self.reader_control("COMMIT")
    }

    /// Opens the writer's transaction unless one is open.
    pub fn begin(&mut self) -> Result<(), SqlError> {
        if self.writer.is_autocommit() {
            self.control("BEGIN")?;
        }
        Ok(())
    }

    /// Whether the open transaction should commit now: when no record that
    /// could join it is in flight, or when it has grown large.
    #[must_use]
    pub const fn should_commit(&self, records_in_flight: bool) -> bool {
        !records_in_flight || self.uncommitted >= MAX_UNCOMMITTED_RECORDS
    }

    /// Commits the open transaction, if any. On failure the transaction is
    /// rolled back and the store's state re-read from the file, which is
    /// then behind the log: the caller must have the views rebuilt.
    pub fn commit(&mut self) -> Result<(), SqlError> {
        if self.writer.is_autocommit() {
            if self.uncommitted > 0 || self.times_written > 0 {
                // SQLite ended the transaction itself (it does on some errors).
                self.roll_back()?;
                return Err(SqlError::Store(
                    "SQLite rolled back the views' open transaction".into(),
                ));
            }
            return Ok(());
        }
        // The file's next position changes only with a commit: within the
        // transaction the memory copy is the truth.
        let next = i64::try_from(self.next_position).unwrap_or(i64::MAX);
        let final_before = i64::try_from(self.final_times_before()).unwrap_or(i64::MAX);
        let committed = self
            .end_read()
            .and_then(|()| write_meta(&self.writer, "next_position", next))
            .and_then(|()| write_meta(&self.writer, "times_final_before", final_before))
            .and_then(|()| self.control("COMMIT"));
        match committed {
            Ok(()) => {
                self.uncommitted = 0;
                self.commit_times.drain(..self.times_written);
                self.times_written = 0;
                Ok(())
            }
            Err(error) => {
                self.roll_back()?;
                Err(error)
            }
        }
    }

    /// Rolls the open transaction back (if SQLite has not already) and
    /// re-reads the store's state from the file: the state of the last
    /// commit, behind the log, for the caller to have rebuilt.
    pub(super) fn roll_back(&mut self) -> Result<(), SqlError> {
        self.end_read()?;
        if !self.writer.is_autocommit() {
            let _rolled_back = self.writer.execute_batch("ROLLBACK");
        }
        self.uncommitted = 0;
        self.times_written = 0;
        self.reload()
    }

    /// Writes the commit times learnt so far and commits, so that the
    /// read-only connection sees every applied record with its time, and
    /// opens the reader's read transaction unless one is open (its snapshot
    /// is taken by its first query, so after that commit).
    pub fn prepare_for_read(&mut self) -> Result<(), SqlError> {
        if self.times_written < self.commit_times.len() {
            self.begin()?;
            self.write_commit_times()?;
        }
        self.commit()?;
        if self.reader.is_autocommit() {
            self.reader_control("BEGIN")?;
        }
        Ok(())
    }

    /// Re-reads the next position and the tables from the file, after a
    /// rollback made the memory copies wrong.
    fn reload(&mut self) -> Result<(), SqlError> {
        self.next_row_ids.clear();
        self.rewrites.clear();
        self.tables = load_current(&self.writer)?;
        let next = read_meta(&self.writer, "next_position")?.unwrap_or(0);
        self.next_position = u64::try_from(next).unwrap_or(0);
        self.provisional =
            super::provisional::provisional_in_file(&self.writer, self.next_position)?;
        Ok(())
    }
}
