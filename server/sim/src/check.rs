//! Invariants checked against the engine: every acknowledged record present
//! and byte-identical, offsets dense, chains and Merkle roots equal to a
//! recomputation with the protocol's own functions, proofs that verify, and a
//! signed checkpoint that opens.

use kimberlite_protocol::checkpoint::{checkpoint_origin, open_checkpoint};
use kimberlite_protocol::merkle::{verify_consistency, verify_inclusion};
use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::record::{RecordKind, RecordRef};
use kimberlite_protocol::{Hash, Offset, TenantId};
use kimberlite_storage::engine::{Engine, EngineError};

use crate::model::StreamModel;

/// What went wrong, in words.
pub type Failure = String;

/// Turns an engine error into a failure naming what was being done.
pub fn failed(what: &str, error: &EngineError) -> Failure {
    format!("{what}: unexpected error: {error}")
}

/// Opens a signed checkpoint and checks it names `size` and the model's root.
fn check_checkpoint(
    engine: &Engine,
    tenant_id: TenantId,
    stream: &StreamModel,
    note: &str,
    size: u64,
) -> Result<Hash, Failure> {
    let verifier = NoteVerifier::from_verifier_key(&engine.verifier_key())
        .map_err(|error| format!("verifier key: {error}"))?;
    let origin = checkpoint_origin(engine.identity(), tenant_id, stream.id);
    let checkpoint = open_checkpoint(note, &verifier, &origin)
        .map_err(|error| format!("checkpoint of {origin} does not open: {error}"))?;
    let expected = stream.root_at(size);
    if checkpoint.size != size || checkpoint.root != expected {
        return Err(format!(
            "checkpoint of {origin}: size {} root {:?}, model size {size} root {expected:?}",
            checkpoint.size, checkpoint.root
        ));
    }
    Ok(checkpoint.root)
}

/// Checks the records of a just-acknowledged append (`stream` already holds
/// them, their hashes still to learn): payloads, chain links, recomputed
/// record hashes, inclusion proofs and the checkpoint. Fills in the leaves.
pub fn learn_appended(
    engine: &Engine,
    tenant_id: TenantId,
    stream: &mut StreamModel,
    first: u64,
) -> Result<u64, Failure> {
    let count = u32::try_from(stream.len() - first).unwrap_or(u32::MAX);
    let read = engine
        .read_verified(tenant_id, stream.id, Offset(first), count, u64::MAX, None)
        .map_err(|error| failed("read back an acknowledged append", &error))?;
    if read.size != stream.len() || read.records.len() != count as usize {
        return Err(format!(
            "stream {}: read back {} records at size {}, expected {count} at {}",
            stream.id,
            read.records.len(),
            read.size,
            stream.len()
        ));
    }
    stream
        .leaves
        .truncate(usize::try_from(first).unwrap_or(usize::MAX));
    for record in &read.records {
        let offset = record.offset.get();
        let expected = &stream.events[usize::try_from(offset).unwrap_or(usize::MAX)];
        let head = stream.head(tenant_id);
        if record.payload != *expected || record.prev_hash != head {
            return Err(format!(
                "stream {} offset {offset}: payload or link differs",
                stream.id
            ));
        }
        let recomputed = RecordRef {
            tenant_id,
            stream_id: stream.id,
            offset: record.offset,
            timestamp_ns: record.timestamp_ns,
            kind: RecordKind::Event,
            prev_hash: head,
            payload: expected,
        }
        .hash();
        stream.leaves.push(recomputed);
    }
    let root = check_checkpoint(engine, tenant_id, stream, &read.checkpoint, read.size)?;
    for record in &read.records {
        let offset = record.offset.get();
        let leaf = stream.leaves[usize::try_from(offset).unwrap_or(usize::MAX)];
        verify_inclusion(&leaf, offset, read.size, &record.inclusion_proof, &root)
            .map_err(|error| format!("stream {} offset {offset}: inclusion: {error}", stream.id))?;
    }
    Ok(3 + 3 * u64::from(count))
}

/// Checks one whole stream against the model: length, chain from genesis,
/// record hashes, payloads (unless erased), the root and a consistency proof
/// from `old_size`. Returns the number of checks made.
pub fn check_stream(
    engine: &Engine,
    tenant_id: TenantId,
    stream: &StreamModel,
    erased: bool,
    old_size: u64,
) -> Result<u64, Failure> {
    let length = engine
        .stream_length(tenant_id, stream.id)
        .map_err(|error| failed("stream length", &error))?;
    if length != stream.len() {
        return Err(format!(
            "stream {}/{}: length {length}, model {}",
            tenant_id,
            stream.id,
            stream.len()
        ));
    }
    let proven = engine
        .prove_records(tenant_id, stream.id, Offset(0), u32::MAX, None)
        .map_err(|error| failed("prove records", &error))?;
    let mut previous = kimberlite_protocol::record::genesis_hash(tenant_id, stream.id);
    for (index, record) in proven.records.iter().enumerate() {
        if record.offset.get() != index as u64
            || record.prev_hash != previous
            || record.record_hash != stream.leaves[index]
        {
            return Err(format!(
                "stream {}/{} record {index}: offset, link or hash differs",
                tenant_id, stream.id
            ));
        }
        previous = record.record_hash;
    }
    let root = check_checkpoint(engine, tenant_id, stream, &proven.checkpoint, length)?;
    let engine_root = engine
        .root_at(tenant_id, stream.id, length)
        .map_err(|error| failed("root", &error))?;
    if engine_root != root {
        return Err(format!(
            "stream {}/{}: root_at differs from the checkpoint",
            tenant_id, stream.id
        ));
    }
    let proof = engine
        .consistency_proof(tenant_id, stream.id, old_size, length)
        .map_err(|error| failed("consistency proof", &error))?;
    verify_consistency(old_size, length, &stream.root_at(old_size), &root, &proof).map_err(
        |error| {
            format!(
                "stream {}/{}: consistency {old_size}..{length}: {error}",
                tenant_id, stream.id
            )
        },
    )?;
    let mut checks = 5 + 3 * length;
    if !erased {
        let read = engine
            .read(tenant_id, stream.id, Offset(0), u64::MAX)
            .map_err(|error| failed("read", &error))?;
        if read.events != stream.events {
            return Err(format!(
                "stream {}/{}: payloads differ from the acknowledged ones",
                tenant_id, stream.id
            ));
        }
        checks += length;
    }
    Ok(checks)
}

/// The events a v5 read from `from` with `max_bytes` returns: while the bytes
/// read so far are below the budget (the last event may cross it).
#[must_use]
pub fn expected_read(events: &[Vec<u8>], from: usize, max_bytes: u64) -> &[Vec<u8>] {
    let mut bytes = 0u64;
    let mut end = from;
    while end < events.len() && bytes < max_bytes {
        bytes += events[end].len() as u64;
        end += 1;
    }
    &events[from..end]
}
