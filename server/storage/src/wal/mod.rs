//! The write-ahead log: every record of every stream, in commit order, in
//! segment files (layout in [`format`] and docs/storage.md).
//!
//! A position (LSN) is a byte position in the concatenation of all segments, so it
//! names one entry for ever; a segment is named by the position of its first byte.
//!
//! ```
//! use std::{path::Path, sync::Arc};
//! use kimberlite_storage::io::fault::FaultVfs;
//! use kimberlite_storage::wal::{BodyCheck, Wal, WalConfig};
//!
//! let vfs = Arc::new(FaultVfs::new(1));
//! let (mut wal, report) = Wal::open(vfs, Path::new("/db/wal"), WalConfig::default())?;
//! assert_eq!(report.torn_tail_bytes, 0);
//! let positions = wal.append_batch(&[b"first".as_slice(), b"second"])?;
//! let reader = wal.reader();
//! assert_eq!(reader.read(positions[1])?, b"second");
//! assert_eq!(reader.read_with(positions[0], BodyCheck::HeaderOnly)?, b"first");
//! let all: Vec<_> = reader.scan(0).collect::<Result<_, _>>()?;
//! assert_eq!(all.len(), 2);
//! # Ok::<(), kimberlite_storage::wal::WalError>(())
//! ```
//!
//! How it behaves:
//! - [`Wal::append_batch`] frames a batch of bodies into one buffer, writes it with
//!   one `pwrite` and makes it durable with one `fdatasync`: the group-commit
//!   primitive. Positions are returned only after the sync. Any write or sync
//!   failure *poisons* the log: every later append fails with
//!   [`WalError::Poisoned`] and nothing is retried (a retried `fsync` can lie).
//! - A batch that would push the active segment past
//!   [`WalConfig::segment_size_bytes`] goes to a new segment (created as a temporary
//!   file with its header, synced, renamed into place, directory synced). A batch
//!   larger than a segment gets a segment of its own.
//! - With [`WalConfig::preallocate`] on, the next segment is a file of zeros
//!   prepared ahead of use ([`Preallocate`]): a sync then flushes data only. A
//!   segment that was not prepared is left for a prepared one as soon as one is
//!   ready, and a closed segment is cut to its entries.
//! - [`Wal::open`] checks every segment header and that the segments tile the log,
//!   scans the last segment entry by entry, and truncates a torn tail there: a bad
//!   entry with no valid entry anywhere after it. A bad entry followed by a valid one
//!   is corruption and open fails, naming the file and byte offset. Entries of
//!   earlier segments are checked when read or scanned ([`WalReader::scan`] from 0
//!   checks the whole log).
//! - [`WalReader`] is cheap to clone and reads concurrently with appends; it never
//!   sees past the durable end.

mod append;
mod cursor;
mod error;
pub mod format;
mod open;
mod prepare;
mod reader;
mod segments;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

pub use error::{EntryFault, WalError};
pub use prepare::Preallocate;
pub use reader::{BodyCheck, WalReader, WalScan};

pub(crate) use cursor::Cursor;

use crate::io::Vfs;
use segments::{Segment, Segments};

/// Settings of a [`Wal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalConfig {
    /// A segment is closed once the next batch would grow it past this size.
    pub segment_size_bytes: u64,
    /// Whether the next segment is filled with zeros before it is used (see
    /// [`Preallocate`]; off by default).
    pub preallocate: Preallocate,
}

impl Default for WalConfig {
    fn default() -> Self {
        Self {
            segment_size_bytes: 64 << 20,
            preallocate: Preallocate::Off,
        }
    }
}

/// What [`Wal::open`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalOpenReport {
    /// Number of segment files.
    pub segments: usize,
    /// The end of the log (the position the next entry gets).
    pub end_lsn: u64,
    /// Bytes of torn tail cut from the last segment (0 if none).
    pub torn_tail_bytes: u64,
    /// Leftover temporary segment files removed.
    pub removed_temp_files: usize,
}

/// The writing side of the log. One per log; appends take `&mut self`.
#[derive(Debug)]
pub struct Wal {
    vfs: Arc<dyn Vfs>,
    dir: PathBuf,
    config: WalConfig,
    segments: Arc<Segments>,
    /// The last segment, where appends go.
    active: Arc<Segment>,
    /// The end of the log: where the next batch is written.
    end_lsn: u64,
    /// Reused frame buffer for batches.
    buffer: Vec<u8>,
    /// Set by the first failed write or sync.
    poisoned: Option<String>,
    /// Whether the active segment's file goes on past `end_lsn` with zeros
    /// (prepared ahead of use).
    zero_tail: bool,
    /// The next segment, prepared ahead of use.
    preparer: prepare::Preparer,
}

impl Wal {
    /// The end of the durable log: the position the next entry will get.
    #[must_use]
    pub fn end_lsn(&self) -> u64 {
        self.end_lsn
    }

    /// A reader sharing this log's segments.
    #[must_use]
    pub fn reader(&self) -> WalReader {
        WalReader::new(self.segments.clone())
    }

    /// Number of segment files.
    #[must_use]
    pub fn segment_count(&self) -> usize {
        self.segments.count()
    }

    /// Whether an earlier failure stopped the log.
    #[must_use]
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.is_some()
    }
}
