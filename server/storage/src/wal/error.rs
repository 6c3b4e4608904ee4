//! Why a WAL operation failed. Corruption errors name the file and byte offset.

use std::io;
use std::path::PathBuf;

/// What is wrong with an entry frame or body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryFault {
    /// The frame does not start with the entry magic.
    #[error("bad entry magic {0:#010x}")]
    BadMagic(u32),
    /// The length field exceeds the largest allowed body.
    #[error("entry length {0} exceeds the limit")]
    BadLength(u32),
    /// The entry runs past the end of the valid data.
    #[error("entry runs past the end of the segment")]
    Truncated,
    /// The crc32 of the length and body does not match the stored one.
    #[error("entry checksum mismatch (stored {stored:#010x}, computed {computed:#010x})")]
    CrcMismatch {
        /// The crc32 in the frame.
        stored: u32,
        /// The crc32 of the bytes read.
        computed: u32,
    },
}

/// Why a WAL operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalError {
    /// An I/O call failed.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A segment header is invalid or does not match its file name.
    #[error("{path}: corrupt segment header: {reason}", path = path.display())]
    BadSegmentHeader {
        /// The segment file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// A stored entry failed a check: corruption, never silently dropped.
    #[error(
        "{path}: corrupt WAL entry at byte {file_offset} (position {lsn}): {fault}",
        path = path.display()
    )]
    CorruptEntry {
        /// The segment file.
        path: PathBuf,
        /// Byte offset of the entry in that file.
        file_offset: u64,
        /// The entry's log position.
        lsn: u64,
        /// What is wrong.
        fault: EntryFault,
    },
    /// Segments do not tile the log: one is missing, too short or too long.
    #[error(
        "{path}: segment holds positions {first_lsn}..{end_lsn} but the next segment \
         starts at {next_first_lsn}",
        path = path.display()
    )]
    SegmentGap {
        /// The segment whose end does not meet the next one.
        path: PathBuf,
        /// Its first position.
        first_lsn: u64,
        /// The position after its last byte.
        end_lsn: u64,
        /// Where the next segment starts.
        next_first_lsn: u64,
    },
    /// A position is not inside the durable log.
    #[error("position {lsn} is outside the log (which ends at {end_lsn})")]
    OutOfRange {
        /// The position asked for.
        lsn: u64,
        /// The end of the durable log.
        end_lsn: u64,
    },
    /// An entry body exceeds the largest allowed size; nothing was written.
    #[error("entry {index} of the batch is {len} bytes; the limit is {max}")]
    EntryTooLarge {
        /// Index of the entry in the batch.
        index: usize,
        /// Its length.
        len: usize,
        /// The largest allowed body.
        max: u32,
    },
    /// The configuration is unusable.
    #[error("invalid WAL configuration: {0}")]
    InvalidConfig(&'static str),
    /// An earlier write or sync failed; the WAL accepts no more appends. Reopen it
    /// (after a restart) to recover from what is really on disk.
    #[error("the WAL stopped after an earlier failure: {cause}")]
    Poisoned {
        /// The failure that stopped it.
        cause: String,
    },
}

impl WalError {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: &std::path::Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
