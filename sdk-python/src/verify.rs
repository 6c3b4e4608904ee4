//! `kimberlite._native.verify_*`: the verification API over bytes, for checking the
//! shared vectors and for auditors holding records and proofs.
//!
//! Every check is core's (`kimberlite::verify`) or the protocol crate's; this module
//! converts arguments and maps failures to the `VerificationError` classes. Each
//! raised error's message starts with the protocol error's variant name (e.g.
//! `WrongProofLength`), which the vector tests compare.

use kimberlite::verify::{self, Checkpoint};
use kimberlite::{Error, Hash, StreamId, TenantId, VerificationFailure as Failure};
use kimberlite_protocol::merkle;
use kimberlite_protocol::note::open_note;
use kimberlite_protocol::record::{decode_record, RecordKind, RecordRef};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::error::to_py;
use crate::types;

/// The innermost variant name of a `Debug` rendering: `Note(BadSignature { .. })`
/// gives `BadSignature`, `UnknownVersion(2)` gives `UnknownVersion`.
fn variant(error: &(impl std::fmt::Debug + ?Sized)) -> String {
    let text = format!("{error:?}");
    let mut rest = text.as_str();
    loop {
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        match after.strip_prefix('(') {
            Some(inner) if inner.starts_with(|c: char| c.is_ascii_uppercase()) => rest = inner,
            _ => return name.to_owned(),
        }
    }
}

fn fail(failure: Failure, error: &impl std::fmt::Debug) -> PyErr {
    to_py(&Error::verification(failure, variant(error)))
}

/// Core's error with the protocol error's variant name in front of its message.
fn core_fail(error: &Error) -> PyErr {
    let Some(source) = std::error::Error::source(error) else {
        return to_py(error);
    };
    let message = format!("{}: {}", variant(source), error.message());
    to_py(&Error::new(error.code(), message))
}

fn hash(name: &str, bytes: &[u8]) -> PyResult<Hash> {
    Hash::from_slice(bytes)
        .ok_or_else(|| crate::error::invalid_argument(format!("{name} must be 32 bytes")))
}

fn hashes(name: &str, list: &[Vec<u8>]) -> PyResult<Vec<Hash>> {
    list.iter().map(|bytes| hash(name, bytes)).collect()
}

/// The canonical hash of a record.
#[pyfunction]
#[pyo3(signature = (tenant_id, stream_id, offset, timestamp_ns, kind, prev_hash, payload))]
#[allow(clippy::too_many_arguments, reason = "the fields of a record")]
pub fn record_hash<'py>(
    py: Python<'py>,
    tenant_id: u64,
    stream_id: u64,
    offset: u64,
    timestamp_ns: u64,
    kind: u8,
    prev_hash: &[u8],
    payload: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let kind = RecordKind::from_u8(kind)
        .ok_or_else(|| crate::error::invalid_argument(format!("unknown record kind {kind}")))?;
    let record = RecordRef {
        tenant_id: TenantId(tenant_id),
        stream_id: StreamId(stream_id),
        offset: kimberlite::Offset(offset),
        timestamp_ns,
        kind,
        prev_hash: hash("prev_hash", prev_hash)?,
        payload,
    };
    Ok(PyBytes::new(py, record.hash().as_bytes()))
}

/// Decodes a canonical record encoding and returns its hash (refuses bad encodings
/// with `MalformedProof` or `UnsupportedVersion`).
#[pyfunction]
pub fn decode_record_hash<'py>(py: Python<'py>, encoded: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let record = decode_record(encoded).map_err(|error| {
        let name = variant(&error);
        let failure = if name.starts_with("Unknown") {
            Failure::UnsupportedVersion
        } else {
            Failure::MalformedProof
        };
        fail(failure, &error)
    })?;
    Ok(PyBytes::new(py, record.as_ref().hash().as_bytes()))
}

/// The hash a stream's chain starts from.
#[pyfunction]
pub fn genesis_hash(py: Python<'_>, tenant_id: u64, stream_id: u64) -> Bound<'_, PyBytes> {
    let cursor =
        kimberlite_protocol::record::ChainCursor::genesis(TenantId(tenant_id), StreamId(stream_id));
    PyBytes::new(py, cursor.head().as_bytes())
}

/// The RFC 6962 root of leaf hashes.
#[pyfunction]
pub fn merkle_root(py: Python<'_>, leaves: Vec<Vec<u8>>) -> PyResult<Bound<'_, PyBytes>> {
    let leaves = hashes("a leaf", &leaves)?;
    Ok(PyBytes::new(py, merkle::root(&leaves).as_bytes()))
}

/// Checks that `leaf` is at `index` of the tree of `size` leaves with `root`.
#[pyfunction]
pub fn verify_inclusion(
    leaf: &[u8],
    index: u64,
    size: u64,
    proof: Vec<Vec<u8>>,
    root: &[u8],
) -> PyResult<()> {
    let (leaf, proof) = (hash("leaf", leaf)?, hashes("proof", &proof)?);
    let tree = Checkpoint {
        origin: String::new(),
        size,
        root: hash("root", root)?,
        extensions: Vec::new(),
    };
    verify::check_inclusion(&leaf, index, &tree, &proof).map_err(|error| core_fail(&error))
}

/// Checks that the tree (`new_size`, `new_root`) extends (`old_size`, `old_root`)
/// with the protocol crate's RFC 6962 check: `Fork` when a root does not match,
/// `Rollback` when the old tree is larger, `MalformedProof` otherwise.
#[pyfunction]
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &[u8],
    new_root: &[u8],
    proof: Vec<Vec<u8>>,
) -> PyResult<()> {
    let (old_root, new_root) = (hash("old_root", old_root)?, hash("new_root", new_root)?);
    let proof = hashes("proof", &proof)?;
    merkle::verify_consistency(old_size, new_size, &old_root, &new_root, &proof).map_err(|error| {
        let failure = match error {
            merkle::ProofError::OldRootMismatch | merkle::ProofError::NewRootMismatch => {
                Failure::Fork
            }
            merkle::ProofError::OldSizeExceedsNewSize { .. } => Failure::Rollback,
            _ => Failure::MalformedProof,
        };
        fail(failure, &error)
    })
}

/// Opens a signed note with the given verifier keys; returns its text.
#[pyfunction]
pub fn open_signed_note(note: &str, verifier_keys: Vec<String>) -> PyResult<String> {
    let verifiers = verifier_keys
        .iter()
        .map(|key| verify::parse_verifier_key(key))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| core_fail(&error))?;
    let opened = open_note(note, &verifiers).map_err(|error| {
        let failure = match error {
            kimberlite_protocol::note::NoteError::BadSignature { .. } => Failure::BadSignature,
            kimberlite_protocol::note::NoteError::NoKnownSignature => Failure::UnknownKey,
            _ => Failure::MalformedProof,
        };
        fail(failure, &error)
    })?;
    Ok(opened.text)
}

/// Parses a C2SP verifier key; returns the key's name (the server identity).
#[pyfunction]
pub fn parse_verifier_key(key: &str) -> PyResult<String> {
    let verifier = verify::parse_verifier_key(key).map_err(|error| core_fail(&error))?;
    Ok(verifier.name().to_owned())
}

/// Opens a signed checkpoint note (signature by `verifier_key`, then `origin`).
#[pyfunction]
pub fn open_checkpoint(
    py: Python<'_>,
    note: &str,
    verifier_key: &str,
    origin: &str,
) -> PyResult<types::Checkpoint> {
    let verifier = verify::parse_verifier_key(verifier_key).map_err(|error| core_fail(&error))?;
    let checkpoint = verify::open_signed_checkpoint(note, &verifier, origin)
        .map_err(|error| core_fail(&error))?;
    Ok(types::checkpoint(py, &checkpoint))
}

/// The origin line of a stream's checkpoints under the server key's name.
#[pyfunction]
pub fn stream_origin(verifier_key: &str, tenant_id: u64, stream_id: u64) -> PyResult<String> {
    let verifier = verify::parse_verifier_key(verifier_key).map_err(|error| core_fail(&error))?;
    Ok(verify::stream_origin(
        &verifier,
        TenantId(tenant_id),
        StreamId(stream_id),
    ))
}
