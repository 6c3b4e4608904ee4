//! The chain walk of a verified read: each record's offset, kind and link to the
//! record before it, and its hash (the leaf its inclusion is checked with).
//!
//! Hashing the records (SHA-256 over every payload byte) is most of a verified
//! read's work on the client. A big answer is hashed on the caller's thread with
//! help from idle cores, never waiting for them ([`shared_hashing`]).

use kimberlite_protocol::message::{RangeRecord, VerifiedRecord};
use kimberlite_protocol::record::{ChainCursor, ChainError, RecordKind, RecordRef};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

use shared_hashing::{hash_records, Fields, Part};

use super::{fail, Scope};
use crate::error::{Error, Result, VerificationFailure as Failure};

/// A record as a verified answer carries it, with the fields its hash covers.
pub(super) trait Received {
    fn record(&self) -> Part<'_>;
}

impl Received for VerifiedRecord {
    fn record(&self) -> Part<'_> {
        let fields = Fields {
            offset: self.offset,
            timestamp_ns: self.timestamp_ns,
            kind: self.kind,
            prev_hash: self.prev_hash,
        };
        (fields, &self.payload)
    }
}

impl Received for RangeRecord {
    fn record(&self) -> Part<'_> {
        let fields = Fields {
            offset: self.offset,
            timestamp_ns: self.timestamp_ns,
            kind: self.kind,
            prev_hash: self.prev_hash,
        };
        (fields, &self.payload)
    }
}

/// The records' hashes up to the first that breaks the chain, and that break.
pub(super) struct ChainWalk {
    pub(super) leaves: Vec<Hash>,
    pub(super) broken: Option<Error>,
    /// The offset after the last record walked.
    next: Offset,
    any: bool,
}

impl ChainWalk {
    /// The chain's break if any, else whether `next_offset` is right.
    pub(super) fn finish(self, next_offset: Option<Offset>) -> Result<()> {
        if let Some(error) = self.broken {
            return Err(error);
        }
        let wanted = self.any.then_some(self.next);
        if next_offset != wanted {
            let message = format!("next offset {next_offset:?} where {wanted:?} was expected");
            return Err(fail(Failure::MalformedProof, message));
        }
        Ok(())
    }
}

/// Walks `records` (read from `scope.from_offset`) in order, stopping at the first
/// that fails a check.
pub(super) fn walk_chain<R: Received>(scope: &Scope<'_>, records: &[R]) -> ChainWalk {
    let (tenant_id, stream_id) = (scope.tenant_id, scope.stream_id);
    let mut cursor = match records.first().map(Received::record) {
        Some((first, _)) if first.offset.0 > 0 => {
            ChainCursor::resume(tenant_id, stream_id, first.offset, first.prev_hash, 0)
        }
        _ => ChainCursor::genesis(tenant_id, stream_id),
    };
    let hashes = record_hashes(scope, records);
    let mut walk = ChainWalk {
        leaves: Vec::with_capacity(records.len()),
        broken: None,
        next: scope.from_offset,
        any: !records.is_empty(),
    };
    for (record, hash) in records.iter().zip(hashes) {
        match check_link(&mut cursor, scope, record.record(), hash, walk.next) {
            Ok(hash) => walk.leaves.push(hash),
            Err(error) => {
                walk.broken = Some(error);
                break;
            }
        }
        walk.next = Offset(walk.next.0.saturating_add(1));
    }
    walk
}

/// Each record's hash as received (None for an unknown kind, which the walk
/// refuses).
fn record_hashes<R: Received>(scope: &Scope<'_>, records: &[R]) -> Vec<Option<Hash>> {
    let records: Vec<Part<'_>> = records.iter().map(Received::record).collect();
    hash_records((scope.tenant_id, scope.stream_id), &records, hash_fields)
}

/// The hash of one received record, None for an unknown kind.
fn hash_fields(
    tenant_id: TenantId,
    stream_id: StreamId,
    fields: Fields,
    payload: &[u8],
) -> Option<Hash> {
    let kind = RecordKind::from_u8(fields.kind)?;
    Some(record_ref((tenant_id, stream_id), fields, payload, kind).hash())
}

fn record_ref(
    (tenant_id, stream_id): (TenantId, StreamId),
    fields: Fields,
    payload: &[u8],
    kind: RecordKind,
) -> RecordRef<'_> {
    RecordRef {
        tenant_id,
        stream_id,
        offset: fields.offset,
        timestamp_ns: fields.timestamp_ns,
        kind,
        prev_hash: fields.prev_hash,
        payload,
    }
}

/// Checks a record's offset, kind and link to the record before it; returns its
/// hash (the leaf whose inclusion is checked next).
fn check_link(
    cursor: &mut ChainCursor,
    scope: &Scope<'_>,
    (record, payload): Part<'_>,
    hash: Option<Hash>,
    expected: Offset,
) -> Result<Hash> {
    if record.offset != expected {
        let message = format!(
            "record offset {} where {expected} was expected",
            record.offset
        );
        return Err(fail(Failure::MalformedProof, message));
    }
    let checkpoint = scope.checkpoint;
    let scope_ids = (scope.tenant_id, scope.stream_id);
    if record.offset.0 >= checkpoint.size {
        let message = format!(
            "record {} lies beyond the checkpoint's {} records",
            record.offset, checkpoint.size
        );
        return Err(fail(Failure::NotIncluded, message));
    }
    let (Some(kind), Some(hash)) = (RecordKind::from_u8(record.kind), hash) else {
        let message = format!("record {} has unknown kind {}", record.offset, record.kind);
        return Err(fail(Failure::UnsupportedVersion, message));
    };
    cursor
        .advance(&record_ref(scope_ids, record, payload, kind), hash)
        .map_err(|error| {
            let failure = match error {
                ChainError::BrokenLink { .. } | ChainError::TimestampRegression { .. } => {
                    Failure::BrokenChain
                }
                _ => Failure::MalformedProof,
            };
            fail(
                failure,
                format!("record {} breaks the chain", record.offset),
            )
            .with_source(error)
        })?;
    Ok(hash)
}

mod shared_hashing;

pub(crate) use shared_hashing::while_server_works;
#[cfg(test)]
mod tests;
