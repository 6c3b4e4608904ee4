//! Chain checking: every record links to the hash of the one before it.

use super::codec::{decode_record, genesis_hash, record_hash};
use super::error::ChainError;
use super::{Record, RecordRef};
use crate::{Hash, Offset, StreamId, TenantId};

/// Checks one link: `record.prev_hash` must equal `expected_prev`, the hash of the
/// previous record of the stream (or its genesis hash at offset 0).
///
/// # Errors
/// [`ChainError::BrokenLink`].
pub fn check_chain_link(expected_prev: &Hash, record: &RecordRef<'_>) -> Result<(), ChainError> {
    if record.prev_hash != *expected_prev {
        return Err(ChainError::BrokenLink {
            offset: record.offset,
            expected: *expected_prev,
            found: record.prev_hash,
        });
    }
    Ok(())
}

/// The position reached along one stream's chain: the next offset expected, the hash
/// the next record must link to, and the last commit timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainCursor {
    tenant_id: TenantId,
    stream_id: StreamId,
    next_offset: Offset,
    head: Hash,
    last_timestamp_ns: u64,
}

impl ChainCursor {
    /// The start of a stream: offset 0, linking to the genesis hash.
    #[must_use]
    pub fn genesis(tenant_id: TenantId, stream_id: StreamId) -> Self {
        Self::resume(
            tenant_id,
            stream_id,
            Offset(0),
            genesis_hash(tenant_id, stream_id),
            0,
        )
    }

    /// Resumes after a verified prefix: `next_offset` comes next and must link to `head`,
    /// the hash of record `next_offset - 1`, committed at `last_timestamp_ns`.
    #[must_use]
    pub const fn resume(
        tenant_id: TenantId,
        stream_id: StreamId,
        next_offset: Offset,
        head: Hash,
        last_timestamp_ns: u64,
    ) -> Self {
        Self {
            tenant_id,
            stream_id,
            next_offset,
            head,
            last_timestamp_ns,
        }
    }

    /// The offset the next record must have.
    #[must_use]
    pub const fn next_offset(&self) -> Offset {
        self.next_offset
    }

    /// The hash the next record must link to.
    #[must_use]
    pub const fn head(&self) -> Hash {
        self.head
    }

    /// Checks that `record`, whose canonical encoding hashes to `hash`, comes next in the
    /// chain (same tenant and stream, next offset, timestamp not earlier, link to the
    /// head), then advances past it.
    ///
    /// # Errors
    /// [`ChainError::TenantMismatch`], [`ChainError::StreamMismatch`],
    /// [`ChainError::OffsetGap`], [`ChainError::TimestampRegression`] or
    /// [`ChainError::BrokenLink`]; the cursor does not move on error.
    pub fn advance(&mut self, record: &RecordRef<'_>, hash: Hash) -> Result<(), ChainError> {
        let offset = record.offset;
        if record.tenant_id != self.tenant_id {
            let (expected, found) = (self.tenant_id, record.tenant_id);
            return Err(ChainError::TenantMismatch {
                offset,
                expected,
                found,
            });
        }
        if record.stream_id != self.stream_id {
            let (expected, found) = (self.stream_id, record.stream_id);
            return Err(ChainError::StreamMismatch {
                offset,
                expected,
                found,
            });
        }
        if offset != self.next_offset {
            return Err(ChainError::OffsetGap {
                expected: self.next_offset,
                found: offset,
            });
        }
        if record.timestamp_ns < self.last_timestamp_ns {
            return Err(ChainError::TimestampRegression {
                offset,
                previous_ns: self.last_timestamp_ns,
                found_ns: record.timestamp_ns,
            });
        }
        check_chain_link(&self.head, record)?;
        self.next_offset = Offset(offset.0.saturating_add(1));
        self.head = hash;
        self.last_timestamp_ns = record.timestamp_ns;
        Ok(())
    }

    /// Decodes one canonical record, checks it as [`ChainCursor::advance`] does (hashing
    /// the given bytes) and returns it.
    ///
    /// # Errors
    /// [`ChainError::Malformed`] (with `position` 0) or any error of `advance`.
    pub fn advance_encoded(&mut self, canonical: &[u8]) -> Result<Record, ChainError> {
        let record = decode_record(canonical).map_err(|source| ChainError::Malformed {
            position: 0,
            source,
        })?;
        self.advance(&record.as_ref(), record_hash(canonical))?;
        Ok(record)
    }
}

/// Verifies that canonical records form a stream's chain from its genesis and returns
/// the hash of the last one (the genesis hash for an empty sequence).
///
/// # Errors
/// [`ChainError::Malformed`] with the position in the sequence, or any error of
/// [`ChainCursor::advance`].
pub fn verify_chain<'a, I>(
    tenant_id: TenantId,
    stream_id: StreamId,
    records: I,
) -> Result<Hash, ChainError>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut cursor = ChainCursor::genesis(tenant_id, stream_id);
    for (position, canonical) in records.into_iter().enumerate() {
        cursor
            .advance_encoded(canonical)
            .map_err(|error| match error {
                ChainError::Malformed { source, .. } => ChainError::Malformed { position, source },
                other => other,
            })?;
    }
    Ok(cursor.head())
}
