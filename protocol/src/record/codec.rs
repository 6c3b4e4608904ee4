//! The canonical record encoding, its decoder, the record hash and the genesis hash.

use sha2::{Digest, Sha256};

use super::error::RecordError;
use super::{Record, RecordKind, RecordRef};
use crate::merkle::{leaf_hash, LEAF_PREFIX};
use crate::{Hash, Offset, StreamId, TenantId, HASH_LEN};

/// The only encoding version defined so far; the first byte of every record.
pub const RECORD_VERSION: u8 = 1;

/// Bytes before the payload: version, tenant, stream, offset, timestamp, kind,
/// previous hash and payload length.
pub const HEADER_LEN: usize = 1 + 8 + 8 + 8 + 8 + 1 + HASH_LEN + 4;
const _: () = assert!(HEADER_LEN == 70);

/// The largest payload the 32-bit length field can describe.
pub const MAX_PAYLOAD_LEN: usize = u32::MAX as usize;

/// Domain string hashed with the tenant and stream ids to make the genesis hash.
pub const GENESIS_DOMAIN: &[u8] = b"kimberlite/genesis/v1";

/// Appends the canonical encoding of `record` to `out`.
///
/// # Panics
/// When the payload is longer than [`MAX_PAYLOAD_LEN`] (4 GiB - 1), which no frame or
/// batch limit lets through; encoding it would otherwise produce bytes that do not
/// decode.
pub fn encode_record(record: &RecordRef<'_>, out: &mut Vec<u8>) {
    out.reserve(HEADER_LEN + record.payload.len());
    out.extend_from_slice(&encode_header(record));
    out.extend_from_slice(record.payload);
}

/// The record hash of `record`, without building its encoding: SHA-256 over the
/// leaf prefix, the header and the payload in place (the same bytes as
/// `record_hash(&record.encode())`).
///
/// # Panics
/// As [`encode_record`].
#[must_use]
pub fn hash_record(record: &RecordRef<'_>) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_PREFIX]);
    hasher.update(encode_header(record));
    hasher.update(record.payload);
    Hash(hasher.finalize().into())
}

/// The bytes of the encoding before the payload.
fn encode_header(record: &RecordRef<'_>) -> [u8; HEADER_LEN] {
    let Ok(payload_len) = u32::try_from(record.payload.len()) else {
        panic!("record payload exceeds {MAX_PAYLOAD_LEN} bytes");
    };
    let mut header = [0u8; HEADER_LEN];
    header[0] = RECORD_VERSION;
    header[1..9].copy_from_slice(&record.tenant_id.0.to_be_bytes());
    header[9..17].copy_from_slice(&record.stream_id.0.to_be_bytes());
    header[17..25].copy_from_slice(&record.offset.0.to_be_bytes());
    header[25..33].copy_from_slice(&record.timestamp_ns.to_be_bytes());
    header[33] = record.kind.as_u8();
    header[34..34 + HASH_LEN].copy_from_slice(record.prev_hash.as_bytes());
    header[66..70].copy_from_slice(&payload_len.to_be_bytes());
    header
}

/// Decodes one canonical record that fills `bytes` exactly.
///
/// # Errors
/// [`RecordError::Empty`], [`RecordError::UnknownVersion`],
/// [`RecordError::TruncatedHeader`], [`RecordError::UnknownKind`],
/// [`RecordError::TruncatedPayload`] or [`RecordError::TrailingBytes`].
pub fn decode_record(bytes: &[u8]) -> Result<Record, RecordError> {
    let (&version, _) = bytes.split_first().ok_or(RecordError::Empty)?;
    if version != RECORD_VERSION {
        return Err(RecordError::UnknownVersion(version));
    }
    let (header, payload) = bytes
        .split_first_chunk::<HEADER_LEN>()
        .ok_or(RecordError::TruncatedHeader { len: bytes.len() })?;
    let u64_at = |at: usize| {
        let mut field = [0u8; 8];
        field.copy_from_slice(&header[at..at + 8]);
        u64::from_be_bytes(field)
    };
    let kind_byte = header[33];
    let kind = RecordKind::from_u8(kind_byte).ok_or(RecordError::UnknownKind(kind_byte))?;
    let mut prev_hash = [0u8; HASH_LEN];
    prev_hash.copy_from_slice(&header[34..34 + HASH_LEN]);
    let mut len_field = [0u8; 4];
    len_field.copy_from_slice(&header[66..70]);
    let declared = u32::from_be_bytes(len_field);
    let declared_len = declared as usize;
    if payload.len() < declared_len {
        return Err(RecordError::TruncatedPayload {
            declared,
            available: payload.len(),
        });
    }
    if payload.len() > declared_len {
        return Err(RecordError::TrailingBytes {
            count: payload.len() - declared_len,
        });
    }
    Ok(Record {
        tenant_id: TenantId(u64_at(1)),
        stream_id: StreamId(u64_at(9)),
        offset: Offset(u64_at(17)),
        timestamp_ns: u64_at(25),
        kind,
        prev_hash: Hash(prev_hash),
        payload: payload.to_vec(),
    })
}

/// The record hash of a canonical encoding: the RFC 6962 leaf hash
/// `SHA-256(0x00 || canonical)`. It is also the record's leaf in the stream's tree.
#[must_use]
pub fn record_hash(canonical: &[u8]) -> Hash {
    leaf_hash(canonical)
}

/// The previous hash of a stream's first record:
/// `SHA-256("kimberlite/genesis/v1" || tenant u64 BE || stream u64 BE)`.
///
/// Binding it to the tenant and stream means a first record cannot be replayed as the
/// first record of another stream. Its preimage starts with `k`, never with the 0x00 or
/// 0x01 of a leaf or node, so it is domain-separated from the tree's hashes.
#[must_use]
pub fn genesis_hash(tenant_id: TenantId, stream_id: StreamId) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(GENESIS_DOMAIN);
    hasher.update(tenant_id.0.to_be_bytes());
    hasher.update(stream_id.0.to_be_bytes());
    Hash(hasher.finalize().into())
}
