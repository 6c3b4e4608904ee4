//! The body of a WAL entry: one record as it rests on disk.
//!
//! ```text
//! offset  size  field
//!      0     1  body version (1)
//!      1     8  tenant id            (u64, big-endian)
//!      9     8  stream id            (u64, big-endian)
//!     17     8  offset in the stream (u64, big-endian)
//!     25     8  commit timestamp, ns (u64, big-endian)
//!     33     1  record kind
//!     34    32  previous record hash
//!     66    32  record hash: RFC 6962 leaf hash of the canonical *plaintext* record
//!     98     1  append flags: bit 0 = first record of its append, bit 1 = last
//!     99     1  sealing: 0 = plaintext, 1 = AES-256-GCM under the tenant's data key
//!    100    12  nonce (only when sealing = 1)
//!      .     4  payload length (u64 would be wasteful: the WAL caps a body at 64 MiB)
//!      .     n  payload: plaintext, or ciphertext followed by the 16-byte GCM tag
//! ```
//!
//! The append flags make a multi-event append atomic across a crash: recovery
//! applies the records of an append only once it has seen its last one, so a
//! torn write never leaves part of an (unacknowledged) append behind.
//!
//! The record hash is stored beside the ciphertext so that the chain and the Merkle
//! tree stay verifiable after crypto-erasure has made the payload unreadable. When
//! the payload can be decrypted, recovery and `verify` recompute the hash from the
//! plaintext and compare. The WAL frame around the body carries the CRC32.

use kimberlite_protocol::{Hash, Offset, StreamId, TenantId, HASH_LEN};

/// Version byte of the body layout above.
pub const STORED_RECORD_VERSION: u8 = 1;

/// Bytes before the optional nonce.
const FIXED_PREFIX_LEN: usize = 100;
const NONCE_LEN: usize = 12;
const _: () = assert!(FIXED_PREFIX_LEN == 1 + 8 * 4 + 1 + HASH_LEN * 2 + 1 + 1);

/// Flag: the record is the first of its append.
pub const FIRST_OF_APPEND: u8 = 0b01;
/// Flag: the record is the last of its append.
pub const LAST_OF_APPEND: u8 = 0b10;
/// Flags of a record that is a whole append by itself.
pub const WHOLE_APPEND: u8 = FIRST_OF_APPEND | LAST_OF_APPEND;

/// How the payload of a stored record is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealing {
    /// Stored as is (the node's own catalog records).
    Plaintext,
    /// AES-256-GCM under the tenant's data key with this nonce; the associated data
    /// is [`StoredRecord::associated_data`].
    AesGcm {
        /// The 96-bit nonce, unique per message under the key.
        nonce: [u8; NONCE_LEN],
    },
}

/// One record as stored in the WAL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Stream within the tenant.
    pub stream_id: StreamId,
    /// Position in the stream.
    pub offset: Offset,
    /// Commit timestamp, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// Record kind byte (see the canonical record format).
    pub kind: u8,
    /// Hash of the previous record of the stream (the genesis value at offset 0).
    pub prev_hash: Hash,
    /// Leaf hash of the canonical plaintext record.
    pub record_hash: Hash,
    /// [`FIRST_OF_APPEND`] and [`LAST_OF_APPEND`] bits.
    pub append_flags: u8,
    /// How `payload` is protected.
    pub sealing: Sealing,
    /// Plaintext or ciphertext, per `sealing`.
    pub payload: Vec<u8>,
}

/// Why a stored body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredRecordError {
    /// The version byte is not one this build reads.
    #[error("stored record version {0} is not supported (this build reads version 1)")]
    UnsupportedVersion(u8),
    /// The body ends before its fields do.
    #[error("stored record is truncated: {0} bytes")]
    Truncated(usize),
    /// The append flags have bits this build does not know.
    #[error("stored record has unknown append flags {0:#04x}")]
    UnknownFlags(u8),
    /// The sealing byte is unknown.
    #[error("stored record has unknown sealing {0}")]
    UnknownSealing(u8),
    /// Bytes remain after the payload.
    #[error("stored record has {0} bytes after its payload")]
    TrailingBytes(usize),
}

impl StoredRecord {
    /// Associated data that binds a ciphertext to its record's identity and place,
    /// so a sealed payload cannot be moved to another record undetected.
    #[must_use]
    pub fn associated_data(&self) -> [u8; 33] {
        let mut aad = [0u8; 33];
        aad[0..8].copy_from_slice(&self.tenant_id.get().to_be_bytes());
        aad[8..16].copy_from_slice(&self.stream_id.get().to_be_bytes());
        aad[16..24].copy_from_slice(&self.offset.get().to_be_bytes());
        aad[24..32].copy_from_slice(&self.timestamp_ns.to_be_bytes());
        aad[32] = self.kind;
        aad
    }

    /// Length of the encoded body.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        let nonce = match self.sealing {
            Sealing::Plaintext => 0,
            Sealing::AesGcm { .. } => NONCE_LEN,
        };
        FIXED_PREFIX_LEN + nonce + 4 + self.payload.len()
    }

    /// Appends the encoded body to `out`.
    ///
    /// The payload length must fit a `u32`; the engine caps batches far below that
    /// before a record is built, so a longer payload is an invariant violation.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.push(STORED_RECORD_VERSION);
        out.extend_from_slice(&self.tenant_id.get().to_be_bytes());
        out.extend_from_slice(&self.stream_id.get().to_be_bytes());
        out.extend_from_slice(&self.offset.get().to_be_bytes());
        out.extend_from_slice(&self.timestamp_ns.to_be_bytes());
        out.push(self.kind);
        out.extend_from_slice(self.prev_hash.as_bytes());
        out.extend_from_slice(self.record_hash.as_bytes());
        out.push(self.append_flags);
        match self.sealing {
            Sealing::Plaintext => out.push(0),
            Sealing::AesGcm { nonce } => {
                out.push(1);
                out.extend_from_slice(&nonce);
            }
        }
        let length = u32::try_from(self.payload.len()).unwrap_or(u32::MAX);
        debug_assert_eq!(length as usize, self.payload.len(), "payload over 4 GiB");
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&self.payload);
    }

    /// Decodes a body written by [`encode_into`](Self::encode_into).
    pub fn decode(body: &[u8]) -> Result<Self, StoredRecordError> {
        let mut reader = Reader {
            bytes: body,
            position: 0,
        };
        let version = reader.u8()?;
        if version != STORED_RECORD_VERSION {
            return Err(StoredRecordError::UnsupportedVersion(version));
        }
        let tenant_id = TenantId(reader.u64()?);
        let stream_id = StreamId(reader.u64()?);
        let offset = Offset(reader.u64()?);
        let timestamp_ns = reader.u64()?;
        let kind = reader.u8()?;
        let prev_hash = Hash(reader.array()?);
        let record_hash = Hash(reader.array()?);
        let append_flags = reader.u8()?;
        if append_flags & !WHOLE_APPEND != 0 {
            return Err(StoredRecordError::UnknownFlags(append_flags));
        }
        let sealing = match reader.u8()? {
            0 => Sealing::Plaintext,
            1 => Sealing::AesGcm {
                nonce: reader.array()?,
            },
            other => return Err(StoredRecordError::UnknownSealing(other)),
        };
        let length = reader.u32()? as usize;
        let payload = reader.take(length)?.to_vec();
        let rest = body.len() - reader.position;
        if rest != 0 {
            return Err(StoredRecordError::TrailingBytes(rest));
        }
        Ok(Self {
            tenant_id,
            stream_id,
            offset,
            timestamp_ns,
            kind,
            prev_hash,
            record_hash,
            append_flags,
            sealing,
            payload,
        })
    }
}

impl StoredRecord {
    /// Whether the record starts an append.
    #[must_use]
    pub const fn is_first_of_append(&self) -> bool {
        self.append_flags & FIRST_OF_APPEND != 0
    }

    /// Whether the record ends an append.
    #[must_use]
    pub const fn is_last_of_append(&self) -> bool {
        self.append_flags & LAST_OF_APPEND != 0
    }
}

/// A bounds-checked cursor over a body.
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], StoredRecordError> {
        let end = self
            .position
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(StoredRecordError::Truncated(self.bytes.len()))?;
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoredRecordError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, StoredRecordError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, StoredRecordError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, StoredRecordError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests;
