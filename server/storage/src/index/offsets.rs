//! `offsets.idx`: where each record of a stream lies in the WAL, and when it was
//! committed.
//!
//! ```text
//! entry i (16 bytes, at byte 16 * i):
//!   0  8  WAL position (LSN) of record i, u64 big-endian
//!   8  8  commit timestamp of record i, ns since the Unix epoch, u64 big-endian
//! ```
//!
//! Timestamps never decrease along a stream, so "the last record committed at or
//! before T" is a binary search of O(log n) reads: the durable time-travel index.
//! A partial entry at the end (a torn write) is dropped on open; the file is
//! derived from the WAL, which refills whatever is missing.

use std::path::PathBuf;
use std::sync::Arc;

use super::append_file::{AppendFile, FileSync};
use super::error::IndexError;
use crate::io::Vfs;

/// Bytes per entry.
pub const OFFSET_ENTRY_LEN: u64 = 16;

/// One entry of the offset index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetEntry {
    /// The record's WAL position.
    pub wal_position: u64,
    /// The record's commit timestamp, ns since the Unix epoch.
    pub timestamp_ns: u64,
}

/// A stream's offset index.
#[derive(Debug)]
pub struct OffsetIndex {
    file: AppendFile,
    len: u64,
    /// Timestamp of the last entry (0 when empty), to keep timestamps sorted.
    last_timestamp_ns: u64,
}

impl OffsetIndex {
    /// Opens or creates the index at `path`, dropping a partial last entry.
    pub fn open(vfs: &Arc<dyn Vfs>, path: PathBuf) -> Result<Self, IndexError> {
        let mut file = AppendFile::open(vfs, path)?;
        let len = file.len() / OFFSET_ENTRY_LEN;
        file.truncate(len * OFFSET_ENTRY_LEN)?;
        let mut index = Self {
            file,
            len,
            last_timestamp_ns: 0,
        };
        index.reload_last_timestamp()?;
        Ok(index)
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the index is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends the entry of the next record.
    pub fn append(&mut self, entry: OffsetEntry) -> Result<(), IndexError> {
        if entry.timestamp_ns < self.last_timestamp_ns {
            return Err(IndexError::TimestampRegression {
                path: self.file.path().to_path_buf(),
                offset: self.len,
                timestamp_ns: entry.timestamp_ns,
                previous_ns: self.last_timestamp_ns,
            });
        }
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&entry.wal_position.to_be_bytes());
        bytes[8..].copy_from_slice(&entry.timestamp_ns.to_be_bytes());
        self.file.append(&bytes);
        self.len += 1;
        self.last_timestamp_ns = entry.timestamp_ns;
        Ok(())
    }

    /// The entry of record `offset`, `None` at or past the end.
    pub fn get(&self, offset: u64) -> Result<Option<OffsetEntry>, IndexError> {
        if offset >= self.len {
            return Ok(None);
        }
        let mut bytes = [0u8; 16];
        self.file
            .read_exact_at(&mut bytes, offset * OFFSET_ENTRY_LEN)?;
        let mut position = [0u8; 8];
        let mut timestamp = [0u8; 8];
        position.copy_from_slice(&bytes[..8]);
        timestamp.copy_from_slice(&bytes[8..]);
        Ok(Some(OffsetEntry {
            wal_position: u64::from_be_bytes(position),
            timestamp_ns: u64::from_be_bytes(timestamp),
        }))
    }

    /// The last offset whose timestamp is at or before `timestamp_ns`, `None` if
    /// every record is later (or there is none). O(log n) reads.
    pub fn last_at_or_before(&self, timestamp_ns: u64) -> Result<Option<u64>, IndexError> {
        // Invariant: entries below `low` are <= T, entries at or above `high` are > T.
        let (mut low, mut high) = (0u64, self.len);
        while low < high {
            let middle = low + (high - low) / 2;
            match self.get(middle)? {
                Some(entry) if entry.timestamp_ns <= timestamp_ns => low = middle + 1,
                _ => high = middle,
            }
        }
        Ok(low.checked_sub(1))
    }

    /// Drops every entry from `len` on. A no-op if the index is not longer.
    pub fn truncate(&mut self, len: u64) -> Result<(), IndexError> {
        if len >= self.len {
            return Ok(());
        }
        self.file.truncate(len * OFFSET_ENTRY_LEN)?;
        self.len = len;
        self.reload_last_timestamp()
    }

    /// Bytes of entries appended but not written to the file yet.
    #[must_use]
    pub fn pending_bytes(&self) -> usize {
        self.file.pending_len()
    }

    /// Writes pending entries to the file (not synced).
    pub fn flush(&mut self) -> Result<(), IndexError> {
        self.file.flush()
    }

    /// Flushes and makes the file durable.
    pub fn sync(&mut self) -> Result<(), IndexError> {
        self.file.sync()
    }

    /// Flushes; returns the sync to run later (see [`StreamIndexes::flush_for_sync`]).
    ///
    /// [`StreamIndexes::flush_for_sync`]: super::StreamIndexes::flush_for_sync
    pub(crate) fn flush_for_sync(&mut self) -> Result<FileSync, IndexError> {
        self.file.flush_for_sync()
    }

    fn reload_last_timestamp(&mut self) -> Result<(), IndexError> {
        self.last_timestamp_ns = match self.len.checked_sub(1) {
            Some(last) => self.get(last)?.map_or(0, |entry| entry.timestamp_ns),
            None => 0,
        };
        Ok(())
    }
}
