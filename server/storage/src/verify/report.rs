//! What a verification found: a summary, the problems (which fail it) and the
//! notices (which do not), each naming the file, byte offset, stream and record
//! it concerns.

use std::fmt;
use std::path::PathBuf;

use kimberlite_protocol::{Hash, StreamId, TenantId};

/// Where a finding is: any of file and byte offset, stream, and record offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, relative to the data directory.
    pub file: Option<PathBuf>,
    /// The byte offset within `file`.
    pub file_offset: Option<u64>,
    /// The stream, as (tenant, stream).
    pub stream: Option<(TenantId, StreamId)>,
    /// The record's offset within the stream.
    pub record: Option<u64>,
}

impl Location {
    /// A place in a file.
    #[must_use]
    pub fn file(file: impl Into<PathBuf>, file_offset: Option<u64>) -> Self {
        Self {
            file: Some(file.into()),
            file_offset,
            ..Self::default()
        }
    }

    /// The same place, naming a stream and record.
    #[must_use]
    pub fn with_record(mut self, stream: (TenantId, StreamId), record: Option<u64>) -> Self {
        self.stream = Some(stream);
        self.record = record;
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            match self.file_offset {
                Some(offset) => parts.push(format!("{} byte {offset}", file.display())),
                None => parts.push(file.display().to_string()),
            }
        }
        if let Some((tenant, stream)) = self.stream {
            match self.record {
                Some(record) => parts.push(format!("stream {tenant}/{stream} record {record}")),
                None => parts.push(format!("stream {tenant}/{stream}")),
            }
        }
        if parts.is_empty() {
            f.write_str("data directory")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// One finding: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Where it is.
    pub location: Location,
    /// What is wrong or worth knowing.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What was checked of one stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSummary {
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// The stream.
    pub stream_id: StreamId,
    /// Records found in the log.
    pub records: u64,
    /// Stored payload bytes (ciphertext for sealed records).
    pub payload_bytes: u64,
    /// Records whose hash was recomputed from the decrypted plaintext.
    pub hashes_recomputed: u64,
    /// Whether the tenant's data key was erased (payloads unreadable; chain and
    /// tree still checked from the stored record hashes).
    pub erased: bool,
    /// The Merkle root of the stream's records.
    pub root: Hash,
}

/// The outcome of [`verify_data_dir`](super::verify_data_dir).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// WAL segment files read.
    pub segments: usize,
    /// WAL bytes read.
    pub wal_bytes: u64,
    /// Records checked, over all streams.
    pub records: u64,
    /// WAL entries left out as the leftovers of appends a crash cut short
    /// (each such append is also a notice).
    pub records_discarded: u64,
    /// Every stream found in the log, by (tenant, stream).
    pub streams: Vec<StreamSummary>,
    /// Tenants whose data key was erased.
    pub erased_tenants: Vec<TenantId>,
    /// What is wrong: any problem fails the verification.
    pub problems: Vec<Finding>,
    /// What is worth knowing but not wrong (a torn tail the next start cuts,
    /// derived indexes behind the log).
    pub notices: Vec<Finding>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    pub(super) fn problem(&mut self, location: Location, message: impl Into<String>) {
        self.problems.push(Finding {
            location,
            message: message.into(),
        });
    }

    pub(super) fn notice(&mut self, location: Location, message: impl Into<String>) {
        self.notices.push(Finding {
            location,
            message: message.into(),
        });
    }
}

/// How far verification got, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// WAL bytes read so far.
    pub done_bytes: u64,
    /// WAL bytes in all.
    pub total_bytes: u64,
}
