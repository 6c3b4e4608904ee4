//! A stream's catalog entry: its name, attributes, length and last commit time.
//!
//! Stream 0 of every tenant is the tenant's SQL log, created with the tenant and
//! appended to only through [`Command::RecordSqlEffect`](crate::Command); user
//! streams get ids 1, 2, 3, ... in creation order.

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId};
use serde::{Deserialize, Serialize};

/// The id of every tenant's SQL log.
pub const SQL_LOG_STREAM_ID: StreamId = StreamId(0);

/// The name of every tenant's SQL log. Names starting with `$` are reserved, so
/// no user stream can take it.
pub const SQL_LOG_STREAM_NAME: &str = "$sql";

/// The data class recorded for every SQL log. A SQL log may hold any kind of
/// data and has no `CreateStream` to name a class, so it is recorded as
/// confidential rather than as anything weaker.
pub const SQL_LOG_DATA_CLASS: DataClass = DataClass::Confidential;

/// The id the first user stream of a tenant gets.
pub const FIRST_USER_STREAM_ID: StreamId = StreamId(1);

/// What a stream holds, which decides how it may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamKind {
    /// The tenant's SQL log (stream 0): one record per successful statement.
    SqlLog,
    /// A user stream of opaque events, written by `AppendEvents`.
    Events,
}

/// One stream of a tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    pub(crate) id: StreamId,
    pub(crate) name: String,
    pub(crate) kind: StreamKind,
    pub(crate) data_class: DataClass,
    pub(crate) placement: Placement,
    pub(crate) created_ns: u64,
    pub(crate) length: u64,
    pub(crate) last_commit_ns: u64,
}

impl Stream {
    /// The stream's id within its tenant.
    #[must_use]
    pub const fn id(&self) -> StreamId {
        self.id
    }

    /// The stream's name, unique within its tenant.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is the SQL log or a user stream.
    #[must_use]
    pub const fn kind(&self) -> StreamKind {
        self.kind
    }

    /// The data class given at creation.
    #[must_use]
    pub const fn data_class(&self) -> DataClass {
        self.data_class
    }

    /// The placement given at creation.
    #[must_use]
    pub const fn placement(&self) -> &Placement {
        &self.placement
    }

    /// When the stream was created, ns since the Unix epoch.
    #[must_use]
    pub const fn created_ns(&self) -> u64 {
        self.created_ns
    }

    /// Number of records; also the offset the next record gets.
    #[must_use]
    pub const fn length(&self) -> u64 {
        self.length
    }

    /// The offset the next record gets (equal to [`length`](Self::length)).
    #[must_use]
    pub const fn next_offset(&self) -> Offset {
        Offset(self.length)
    }

    /// Commit timestamp of the last record, or 0 for an empty stream. Commit
    /// timestamps never decrease along a stream.
    #[must_use]
    pub const fn last_commit_ns(&self) -> u64 {
        self.last_commit_ns
    }
}
