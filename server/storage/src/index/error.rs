//! Why an index operation failed.

use std::path::PathBuf;

/// An error of the per-stream indexes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Reading or writing an index file failed.
    #[error("{path}: {source}")]
    Io {
        /// The index file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An offset, leaf index or tree size lies beyond the index.
    #[error("{what} {requested} is beyond the index's length {length}")]
    OutOfRange {
        /// What was asked for ("offset", "leaf", "tree size", ...).
        what: &'static str,
        /// The value asked for.
        requested: u64,
        /// The number of records indexed.
        length: u64,
    },
    /// The proof asked for does not exist (such as a consistency proof from a
    /// larger tree to a smaller one).
    #[error(transparent)]
    Proof(#[from] kimberlite_protocol::merkle::ProofError),
    /// Appending a record whose timestamp is older than its predecessor's would
    /// break the time index's binary search.
    #[error(
        "{path}: record {offset} has timestamp {timestamp_ns}, before its predecessor's \
         {previous_ns}"
    )]
    TimestampRegression {
        /// The offsets file.
        path: PathBuf,
        /// The record being appended.
        offset: u64,
        /// Its timestamp.
        timestamp_ns: u64,
        /// The previous record's timestamp.
        previous_ns: u64,
    },
}

impl IndexError {
    /// Wraps an I/O error with the file it concerns.
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
