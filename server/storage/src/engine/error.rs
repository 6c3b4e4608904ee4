//! The engine's one error type, with the protocol [`ErrorCode`] each maps to.

use kimberlite_kernel::KernelError;
use kimberlite_protocol::ErrorCode;

use crate::crypto::CryptoError;
use crate::index::IndexError;
use crate::wal::WalError;

/// Why an engine call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The kernel rejected the command; nothing was written.
    #[error(transparent)]
    Rejected(#[from] KernelError),
    /// The request is malformed (empty batch, oversized event, reserved id, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No such tenant.
    #[error("tenant {0} does not exist")]
    TenantNotFound(u64),
    /// No such stream in the tenant.
    #[error("stream {stream} does not exist in tenant {tenant}")]
    StreamNotFound {
        /// The tenant searched.
        tenant: u64,
        /// The stream asked for.
        stream: u64,
    },
    /// An offset or size lies beyond the stream.
    #[error("{what} {requested} is beyond the stream's length {length}")]
    OutOfRange {
        /// What was out of range ("offset", "tree size", ...).
        what: &'static str,
        /// The value asked for.
        requested: u64,
        /// The stream's durable length.
        length: u64,
    },
    /// The tenant's data key was destroyed: its payloads are gone for good.
    #[error("tenant {0}'s data key was destroyed (crypto-erasure); its payloads are unreadable")]
    Erased(u64),
    /// A stream's index holds fewer records than the snapshot says it was
    /// synced with; recovery then ignores the snapshot and replays the log.
    #[error(
        "indexes of stream {tenant}/{stream} hold {found} records but the snapshot says {expected}"
    )]
    IndexBehindSnapshot {
        /// The tenant.
        tenant: u64,
        /// The stream.
        stream: u64,
        /// Records the index holds.
        found: u64,
        /// Records the snapshot vouches for.
        expected: u64,
    },
    /// Stored bytes failed a check: the message names the file and offset.
    #[error("corruption: {0}")]
    Corruption(String),
    /// An earlier fatal I/O failure (such as a failed fsync) stopped the node; no
    /// write is accepted until it is restarted and recovers.
    #[error("storage failed and the node stopped accepting writes: {0}")]
    Failed(String),
    /// The engine is shutting down or has stopped.
    #[error("the storage engine has stopped")]
    Stopped,
    /// Write-ahead log failure.
    #[error(transparent)]
    Wal(#[from] WalError),
    /// Index failure.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// Key or cipher failure.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Other I/O failure.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl EngineError {
    /// The protocol error code a server answers with.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Rejected(error) => error.code(),
            Self::InvalidRequest(_) => ErrorCode::InvalidRequest,
            Self::TenantNotFound(_) => ErrorCode::TenantNotFound,
            Self::StreamNotFound { .. } => ErrorCode::StreamNotFound,
            Self::OutOfRange { .. } => ErrorCode::InvalidOffset,
            Self::Erased(_)
            | Self::Corruption(_)
            | Self::Failed(_)
            | Self::IndexBehindSnapshot { .. } => ErrorCode::StorageError,
            Self::Wal(_) | Self::Index(_) | Self::Crypto(_) | Self::Io(_) => {
                ErrorCode::StorageError
            }
            Self::Stopped => ErrorCode::InternalError,
        }
    }

    /// A copy for fanning one failure out to every request of a batch.
    #[must_use]
    pub fn to_shared(&self) -> Self {
        match self {
            Self::InvalidRequest(message) => Self::InvalidRequest(message.clone()),
            Self::TenantNotFound(tenant) => Self::TenantNotFound(*tenant),
            Self::StreamNotFound { tenant, stream } => Self::StreamNotFound {
                tenant: *tenant,
                stream: *stream,
            },
            Self::Erased(tenant) => Self::Erased(*tenant),
            Self::Stopped => Self::Stopped,
            // Kept as is: wrapping it again would repeat its prefix.
            Self::Failed(reason) => Self::Failed(reason.clone()),
            other => Self::Failed(other.to_string()),
        }
    }
}
