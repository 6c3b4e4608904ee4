//! Pure verification over bytes, for checking the shared vectors (and anything else)
//! from C: record and genesis hashes, Merkle roots, inclusion and consistency proofs,
//! and signed checkpoints. All hashing and proof checking is done by
//! `kimberlite_protocol`, and the checks of a verified read by the client's `verify`.

use std::ffi::c_char;

use kimberlite::verify::{
    check_consistency, check_inclusion, open_signed_checkpoint, parse_verifier_key, Checkpoint,
};
use kimberlite::{Hash, Offset, StreamId, TenantId, VerificationFailure};
use kimberlite_protocol::merkle::root;
use kimberlite_protocol::record::{genesis_hash, RecordKind, RecordRef};

use crate::error::kmb_error;
use crate::guard::{bytes, hash, put, put_hash, run, slice, text, Failure};
use crate::status::kmb_status;

/// Bytes the caller owns, read during the call only.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct kmb_bytes {
    /// The first byte (may be NULL when `len` is 0).
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

impl kmb_bytes {
    pub(crate) fn as_slice<'a>(&self, what: &'static str) -> Result<&'a [u8], Failure> {
        bytes(self.data, self.len, what)
    }
}

fn hashes(data: *const u8, count: usize, what: &'static str) -> Result<Vec<Hash>, Failure> {
    let flat = slice(data, count.saturating_mul(32), what)?;
    Ok(flat.chunks_exact(32).filter_map(Hash::from_slice).collect())
}

fn failure(failure: VerificationFailure, message: String) -> Failure {
    Failure::Client(kimberlite::Error::verification(failure, message))
}

/// The genesis hash (the `prev_hash` of offset 0) of a stream, into 32 bytes.
#[no_mangle]
pub unsafe extern "C" fn kmb_verify_genesis_hash(
    tenant_id: u64,
    stream_id: u64,
    out_hash: *mut u8,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let genesis = genesis_hash(TenantId(tenant_id), StreamId(stream_id));
        put_hash(out_hash, &genesis, "out_hash")
    })
}

/// The hash of one record (its Merkle leaf), into 32 bytes. `kind` is the record
/// kind byte (0 for an event); `prev_hash` is 32 bytes.
#[no_mangle]
pub unsafe extern "C" fn kmb_verify_record_hash(
    tenant_id: u64,
    stream_id: u64,
    offset: u64,
    timestamp_ns: u64,
    kind: u8,
    prev_hash: *const u8,
    payload: *const u8,
    payload_len: usize,
    out_hash: *mut u8,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let kind = RecordKind::from_u8(kind).ok_or_else(|| {
            failure(
                VerificationFailure::UnsupportedVersion,
                format!("record kind {kind}"),
            )
        })?;
        let record = RecordRef {
            tenant_id: TenantId(tenant_id),
            stream_id: StreamId(stream_id),
            offset: Offset(offset),
            timestamp_ns,
            kind,
            prev_hash: hash(prev_hash, "prev_hash")?,
            payload: bytes(payload, payload_len, "payload")?,
        };
        put_hash(out_hash, &record.hash(), "out_hash")
    })
}

/// The RFC 6962 root of `count` 32-byte leaf hashes (`leaves` holds them end to end).
#[no_mangle]
pub unsafe extern "C" fn kmb_verify_merkle_root(
    leaves: *const u8,
    count: usize,
    out_root: *mut u8,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let leaves = hashes(leaves, count, "leaves")?;
        put_hash(out_root, &root(&leaves), "out_root")
    })
}

/// Checks that `leaf` is at `index` of the tree of `size` leaves with `root`, by a
/// proof of `proof_count` hashes. Fails with `NotIncluded` or `MalformedProof`.
#[no_mangle]
pub unsafe extern "C" fn kmb_verify_inclusion(
    leaf: *const u8,
    index: u64,
    size: u64,
    proof: *const u8,
    proof_count: usize,
    root_hash: *const u8,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let (leaf, root_hash) = (hash(leaf, "leaf")?, hash(root_hash, "root")?);
        let proof = hashes(proof, proof_count, "proof")?;
        let tree = Checkpoint {
            origin: String::new(),
            size,
            root: root_hash,
            extensions: Vec::new(),
        };
        Ok(check_inclusion(&leaf, index, &tree, &proof)?)
    })
}

/// Checks that the tree (`new_size`, `new_root`) extends (`old_size`, `old_root`),
/// as a verified read does. Fails with `Rollback`, `Fork` (also for size 0 with a
/// root other than the empty tree's) or `MalformedProof`.
#[no_mangle]
pub unsafe extern "C" fn kmb_verify_consistency(
    old_size: u64,
    old_root: *const u8,
    new_size: u64,
    new_root: *const u8,
    proof: *const u8,
    proof_count: usize,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let tree = |size, root| Checkpoint {
            origin: String::new(),
            size,
            root,
            extensions: Vec::new(),
        };
        let old = tree(old_size, hash(old_root, "old_root")?);
        // A trusted state of size 0 is checked by the client as "nothing trusted";
        // as a claim about two trees, size 0 has exactly one root.
        if old_size == 0 && old.root != kimberlite_protocol::merkle::empty_root() {
            let message = "a tree of size 0 has the empty root".to_owned();
            return Err(failure(VerificationFailure::Fork, message));
        }
        let new = tree(new_size, hash(new_root, "new_root")?);
        let proof = hashes(proof, proof_count, "proof")?;
        Ok(check_consistency(Some(&old), &new, &proof)?)
    })
}

/// Opens a signed checkpoint note with the verifier key (`name+keyid+base64`) and the
/// expected origin line; gives its tree size and root. Fails with `BadSignature`,
/// `UnknownKey`, `WrongOrigin`, `UnsupportedVersion` or `MalformedProof`.
#[no_mangle]
pub unsafe extern "C" fn kmb_verify_checkpoint(
    note: *const c_char,
    verifier_key: *const c_char,
    origin: *const c_char,
    out_size: *mut u64,
    out_root: *mut u8,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let verifier = parse_verifier_key(text(verifier_key, "verifier_key")?)?;
        let origin = text(origin, "origin")?;
        let checkpoint = open_signed_checkpoint(text(note, "note")?, &verifier, origin)?;
        put(out_size, checkpoint.size, "out_size")?;
        put_hash(out_root, &checkpoint.root, "out_root")
    })
}
