//! Commit times of records applied before they were durable.
//!
//! A pipelined record is applied with a provisional commit time (the log's
//! is known only once the record is durable) and its audit row is updated
//! when the time arrives. A commit may store such a row before that, and a
//! crash or a stop may come between, so the file records up to where its
//! times are final (`times_final_before` in `kmb_meta`). The positions after
//! the mark count as provisional when the store is opened, and the engine
//! rewrites their times from the log ([`TenantStore::provisional_from`]), so
//! a cache that outlived its process answers as one rebuilt from the log.

use std::collections::BTreeSet;

use super::layout::read_meta;
use super::TenantStore;
use crate::error::SqlError;

impl TenantStore {
    /// Keeps the commit times of records applied before they were durable;
    /// they are written with the next applied record or by
    /// [`Self::prepare_for_read`], whichever comes first. Positions the
    /// views do not hold are ignored when written.
    pub fn note_commit_times(&mut self, times: Vec<(u64, u64)>) {
        self.commit_times.extend(times);
    }

    /// Writes the kept commit times not yet written inside the open
    /// transaction; they are forgotten only once it commits, so a rollback
    /// loses none.
    pub(super) fn write_commit_times(&mut self) -> Result<(), SqlError> {
        let mut statement = self
            .writer
            .prepare_cached("UPDATE kmb_audit SET timestamp = ?2 WHERE position = ?1")
            .map_err(|error| SqlError::store(&error))?;
        for (position, timestamp_ns) in &self.commit_times[self.times_written..] {
            self.provisional.remove(position);
            let position = i64::try_from(*position).unwrap_or(i64::MAX);
            let timestamp_ns = i64::try_from(*timestamp_ns).unwrap_or(i64::MAX);
            statement
                .execute([position, timestamp_ns])
                .map_err(|error| SqlError::store(&error))?;
        }
        drop(statement);
        self.times_written = self.commit_times.len();
        Ok(())
    }

    /// Notes that the record at `position` was applied with a provisional
    /// commit time.
    pub fn mark_provisional(&mut self, position: u64) {
        self.provisional.insert(position);
    }

    /// The first position whose audit row may still hold a provisional time.
    #[must_use]
    pub fn provisional_from(&self) -> Option<u64> {
        self.provisional.first().copied()
    }

    /// The mark a commit stores: every audit row before it has its final time.
    pub(super) fn final_times_before(&self) -> u64 {
        self.provisional_from().unwrap_or(self.next_position)
    }
}

/// The positions the file marks as possibly provisional: from its mark to
/// its next position. Files written before the mark existed count as final.
pub(super) fn provisional_in_file(
    writer: &rusqlite::Connection,
    next_position: u64,
) -> Result<BTreeSet<u64>, SqlError> {
    let marked = read_meta(writer, "times_final_before")?;
    let from = marked.map_or(next_position, |from| u64::try_from(from).unwrap_or(0));
    Ok((from..next_position).collect())
}
