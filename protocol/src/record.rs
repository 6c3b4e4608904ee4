//! Records: the canonical, versioned byte encoding every hash is computed over.
//!
//! A record is one entry of a stream: tenant, stream, offset, commit timestamp, kind,
//! the hash of the previous record of the same stream, and the payload. Its canonical
//! encoding (docs/format.md draws it byte by byte) is fixed-width big-endian and is
//! defined here, not by any serde format, so that every language can reproduce it:
//!
//! ```text
//! version u8 (= 1) | tenant u64 | stream u64 | offset u64 | timestamp_ns u64 | kind u8
//!   | prev_hash [32] | payload_len u32 | payload
//! ```
//!
//! The record hash is the RFC 6962 leaf hash of those bytes, and the chain starts from a
//! [`genesis_hash`] bound to the tenant and stream.
//!
//! ```
//! use kimberlite_protocol::record::{
//!     encode_record, genesis_hash, record_hash, RecordKind, RecordRef,
//! };
//! use kimberlite_protocol::{Offset, StreamId, TenantId};
//!
//! let (tenant_id, stream_id) = (TenantId(1), StreamId(2));
//! let mut bytes = Vec::new();
//! encode_record(
//!     &RecordRef {
//!         tenant_id,
//!         stream_id,
//!         offset: Offset(0),
//!         timestamp_ns: 1_700_000_000_000_000_000,
//!         kind: RecordKind::Event,
//!         prev_hash: genesis_hash(tenant_id, stream_id),
//!         payload: b"hello",
//!     },
//!     &mut bytes,
//! );
//! assert_eq!(bytes.len(), 70 + 5);
//! let _hash = record_hash(&bytes);
//! ```

mod chain;
mod codec;
mod error;

pub use chain::{check_chain_link, verify_chain, ChainCursor};
pub use codec::{
    decode_record, encode_record, genesis_hash, record_hash, GENESIS_DOMAIN, HEADER_LEN,
    MAX_PAYLOAD_LEN, RECORD_VERSION,
};
pub use error::{ChainError, RecordError};

use crate::{Hash, Offset, StreamId, TenantId};

/// What a record's payload holds. Encoded as one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum RecordKind {
    /// An application event appended to a stream.
    Event = 0,
    /// The resolved effect of one SQL statement, in a tenant's SQL log.
    SqlEffect = 1,
    /// A change of the catalog (tenants, streams, tables, keys, retention policies).
    Catalog = 2,
}

impl RecordKind {
    /// The byte that encodes this kind.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The kind a byte encodes, or `None` for an unknown byte.
    #[must_use]
    pub const fn from_u8(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::Event),
            1 => Some(Self::SqlEffect),
            2 => Some(Self::Catalog),
            _ => None,
        }
    }
}

/// A borrowed record, as the writer has it before encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    /// The tenant owning the stream.
    pub tenant_id: TenantId,
    /// The stream within the tenant.
    pub stream_id: StreamId,
    /// The record's position in its stream.
    pub offset: Offset,
    /// The commit timestamp, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// What the payload holds.
    pub kind: RecordKind,
    /// The hash of the previous record of the stream, or the genesis hash at offset 0.
    pub prev_hash: Hash,
    /// The payload bytes (plaintext: hashes are over the plaintext record).
    pub payload: &'a [u8],
}

impl RecordRef<'_> {
    /// The canonical encoding of this record.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        encode_record(self, &mut out);
        out
    }

    /// The record hash: the leaf hash of the canonical encoding.
    #[must_use]
    pub fn hash(&self) -> Hash {
        codec::hash_record(self)
    }

    /// An owned copy.
    #[must_use]
    pub fn to_owned_record(&self) -> Record {
        Record {
            tenant_id: self.tenant_id,
            stream_id: self.stream_id,
            offset: self.offset,
            timestamp_ns: self.timestamp_ns,
            kind: self.kind,
            prev_hash: self.prev_hash,
            payload: self.payload.to_vec(),
        }
    }
}

/// An owned record, as [`decode_record`] returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The tenant owning the stream.
    pub tenant_id: TenantId,
    /// The stream within the tenant.
    pub stream_id: StreamId,
    /// The record's position in its stream.
    pub offset: Offset,
    /// The commit timestamp, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// What the payload holds.
    pub kind: RecordKind,
    /// The hash of the previous record of the stream, or the genesis hash at offset 0.
    pub prev_hash: Hash,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

impl Record {
    /// A borrowed view of this record.
    #[must_use]
    pub fn as_ref(&self) -> RecordRef<'_> {
        RecordRef {
            tenant_id: self.tenant_id,
            stream_id: self.stream_id,
            offset: self.offset,
            timestamp_ns: self.timestamp_ns,
            kind: self.kind,
            prev_hash: self.prev_hash,
            payload: &self.payload,
        }
    }
}

#[cfg(test)]
mod tests;
