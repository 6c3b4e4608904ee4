//! Errors of record decoding and of chain checking, one variant per failure.

use thiserror::Error;

use crate::{Hash, Offset, StreamId, TenantId};

/// Why bytes are not one canonical record.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RecordError {
    /// No bytes at all.
    #[error("empty record")]
    Empty,
    /// The version byte is not one this implementation knows.
    #[error("unknown record version {0}")]
    UnknownVersion(u8),
    /// Fewer bytes than the fixed 70-byte header.
    #[error("record header truncated: {len} bytes, 70 needed")]
    TruncatedHeader {
        /// Bytes available.
        len: usize,
    },
    /// The kind byte is not a known [`super::RecordKind`].
    #[error("unknown record kind {0}")]
    UnknownKind(u8),
    /// The payload is shorter than its length field says.
    #[error("record payload truncated: {declared} bytes declared, {available} present")]
    TruncatedPayload {
        /// The length field.
        declared: u32,
        /// Bytes present after the header.
        available: usize,
    },
    /// Bytes follow the payload.
    #[error("{count} trailing bytes after the record payload")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

/// Why a sequence of records does not form a valid chain.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ChainError {
    /// A record does not decode.
    #[error("record at position {position} of the sequence does not decode: {source}")]
    Malformed {
        /// Index in the sequence checked.
        position: usize,
        /// The decoding error.
        source: RecordError,
    },
    /// A record belongs to another tenant.
    #[error("record at offset {offset} belongs to tenant {found}, not {expected}")]
    TenantMismatch {
        /// The record's offset.
        offset: Offset,
        /// The chain's tenant.
        expected: TenantId,
        /// The record's tenant.
        found: TenantId,
    },
    /// A record belongs to another stream.
    #[error("record at offset {offset} belongs to stream {found}, not {expected}")]
    StreamMismatch {
        /// The record's offset.
        offset: Offset,
        /// The chain's stream.
        expected: StreamId,
        /// The record's stream.
        found: StreamId,
    },
    /// Offsets are not consecutive.
    #[error("record offset {found} where {expected} was expected")]
    OffsetGap {
        /// The offset that should come next.
        expected: Offset,
        /// The record's offset.
        found: Offset,
    },
    /// A commit timestamp is earlier than the previous record's.
    #[error("record at offset {offset} has timestamp {found_ns} before {previous_ns}")]
    TimestampRegression {
        /// The record's offset.
        offset: Offset,
        /// The previous record's timestamp.
        previous_ns: u64,
        /// The record's timestamp.
        found_ns: u64,
    },
    /// A record's previous hash is not the hash of the record before it (or genesis).
    #[error("record at offset {offset} links to {found}, not to {expected}")]
    BrokenLink {
        /// The record's offset.
        offset: Offset,
        /// The hash of the previous record (or the genesis hash).
        expected: Hash,
        /// The record's `prev_hash`.
        found: Hash,
    },
}
