//! The pure verification steps, each mapping the protocol crate's errors to one
//! [`VerificationFailure`].

use kimberlite_protocol::checkpoint::{checkpoint_origin, open_checkpoint, CheckpointError};
use kimberlite_protocol::merkle::{verify_consistency, verify_inclusion, verify_range, ProofError};
use kimberlite_protocol::message::{
    RangeRecord, ReadVerifiedResponse, VerifiedRangeResponse, VerifiedRecord,
};
use kimberlite_protocol::note::{NoteError, NoteVerifier};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

use super::Checkpoint;
use crate::error::{Error, Result, VerificationFailure as Failure};

fn fail(failure: Failure, message: impl Into<String>) -> Error {
    Error::verification(failure, message)
}

/// Parses a C2SP verifier key (`name+keyid+base64`), as `ServerInfo` announces it.
///
/// # Errors
/// `UnsupportedVersion` for a key type other than Ed25519, `MalformedProof` for
/// anything else that is not a valid verifier key.
pub fn parse_verifier_key(key: &str) -> Result<NoteVerifier> {
    NoteVerifier::from_verifier_key(key).map_err(|error| {
        let failure = match error {
            NoteError::UnsupportedSignatureType(_) => Failure::UnsupportedVersion,
            _ => Failure::MalformedProof,
        };
        fail(failure, format!("server key {key:?} is not usable")).with_source(error)
    })
}

/// The origin line of a stream's checkpoints: the key's name is the server identity.
#[must_use]
pub fn stream_origin(verifier: &NoteVerifier, tenant_id: TenantId, stream_id: StreamId) -> String {
    checkpoint_origin(verifier.name(), tenant_id, stream_id)
}

/// Opens a signed checkpoint note: signature by `verifier`, then `origin`.
///
/// # Errors
/// `BadSignature`, `UnknownKey` (no signature by the trusted key), `WrongOrigin`,
/// or `MalformedProof` for a note or body that does not parse.
pub fn open_signed_checkpoint(
    note: &str,
    verifier: &NoteVerifier,
    origin: &str,
) -> Result<Checkpoint> {
    open_checkpoint(note, verifier, origin).map_err(|error| {
        let (failure, message) = match &error {
            CheckpointError::Note(NoteError::BadSignature { .. }) => (
                Failure::BadSignature,
                "the checkpoint signature does not verify",
            ),
            CheckpointError::Note(NoteError::NoKnownSignature) => (
                Failure::UnknownKey,
                "the checkpoint is not signed by the trusted server key",
            ),
            CheckpointError::OriginMismatch { .. } => (
                Failure::WrongOrigin,
                "the checkpoint is for another stream or server",
            ),
            _ => (Failure::MalformedProof, "the checkpoint is malformed"),
        };
        fail(failure, message).with_source(error)
    })
}

/// Checks that `new` extends `trusted` (if any) with an RFC 6962 consistency proof.
///
/// # Errors
/// `Rollback` when `new` is smaller, `Fork` when the proof does not link the two
/// roots (or equal sizes have different roots), `MalformedProof` for a proof of the
/// wrong length.
pub fn check_consistency(
    trusted: Option<&Checkpoint>,
    new: &Checkpoint,
    proof: &[Hash],
) -> Result<()> {
    let trusted = match trusted {
        Some(trusted) if trusted.size > 0 => trusted,
        _ if proof.is_empty() => return Ok(()),
        _ => {
            let message = "a consistency proof from an empty tree must be empty";
            return Err(fail(Failure::MalformedProof, message));
        }
    };
    if new.size < trusted.size {
        return Err(fail(
            Failure::Rollback,
            format!(
                "the server's tree has {} records, {} are trusted",
                new.size, trusted.size
            ),
        ));
    }
    verify_consistency(trusted.size, new.size, &trusted.root, &new.root, proof).map_err(|error| {
        let failure = match error {
            ProofError::OldRootMismatch | ProofError::NewRootMismatch => Failure::Fork,
            _ => Failure::MalformedProof,
        };
        let message = format!(
            "the tree of size {} does not extend the trusted tree of size {}",
            new.size, trusted.size
        );
        fail(failure, message).with_source(error)
    })
}

/// Checks records read from `from_offset`: consecutive offsets within the checkpoint,
/// chain links (from genesis at offset 0), inclusion of each record's hash computed
/// from the received bytes, and `next_offset`.
///
/// # Errors
/// `NotIncluded`, `BrokenChain`, `UnsupportedVersion` (unknown record kind) or
/// `MalformedProof`.
pub fn check_records(
    tenant_id: TenantId,
    stream_id: StreamId,
    from_offset: Offset,
    checkpoint: &Checkpoint,
    records: &[VerifiedRecord],
    next_offset: Option<Offset>,
) -> Result<()> {
    let scope = Scope {
        tenant_id,
        stream_id,
        from_offset,
        checkpoint,
    };
    let walk = walk_chain(&scope, records);
    // The records before the first broken one are checked for inclusion first,
    // so the failure reported is the first one in record order.
    let run = records
        .iter()
        .zip(&walk.leaves)
        .map(|(record, leaf)| (record.offset.0, leaf, record.inclusion_proof.as_slice()));
    run::check_run_inclusion(checkpoint, run)?;
    walk.finish(next_offset)
}

/// Checks records of a `kmb.verify/2` read from `from_offset` as
/// [`check_records`] does, with one range proof for all of them instead of a
/// proof each: the chain links first, then the range proof of the record hashes
/// recomputed from the received bytes, then `next_offset`.
///
/// # Errors
/// `BrokenChain`, `NotIncluded`, `UnsupportedVersion` (unknown record kind) or
/// `MalformedProof` (wrong offsets, a proof of the wrong length, a proof without
/// records).
pub fn check_range_records(
    scope: &Scope<'_>,
    records: &[RangeRecord],
    range_proof: &[Hash],
    next_offset: Option<Offset>,
) -> Result<()> {
    let walk = walk_chain(scope, records);
    if let Some(error) = walk.broken {
        return Err(error);
    }
    if walk.leaves.is_empty() {
        if !range_proof.is_empty() {
            let message = "a range proof came with no record";
            return Err(fail(Failure::MalformedProof, message));
        }
    } else {
        let checkpoint = scope.checkpoint;
        let from = scope.from_offset.0;
        verify_range(
            &walk.leaves,
            from,
            checkpoint.size,
            range_proof,
            &checkpoint.root,
        )
        .map_err(|error| {
            let failure = match error {
                ProofError::RootMismatch => Failure::NotIncluded,
                _ => Failure::MalformedProof,
            };
            let last = from.saturating_add(walk.leaves.len() as u64 - 1);
            let message = format!("records {from} to {last} are not proven to be in the tree");
            fail(failure, message).with_source(error)
        })?;
    }
    walk.finish(next_offset)
}

/// What a verified read was about: whose records, from where, under which
/// checkpoint.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// The tenant read.
    pub tenant_id: TenantId,
    /// The stream read.
    pub stream_id: StreamId,
    /// The offset the read asked from.
    pub from_offset: Offset,
    /// The checkpoint the records are checked against (already opened).
    pub checkpoint: &'a Checkpoint,
}

/// Checks that the leaf `hash` (a record hash) is at `index` in the tree `checkpoint`
/// commits to, with an RFC 6962 inclusion proof.
///
/// # Errors
/// `NotIncluded` when the proof leads to another root, `MalformedProof` for an index
/// outside the tree or a proof of the wrong length.
pub fn check_inclusion(
    hash: &Hash,
    index: u64,
    checkpoint: &Checkpoint,
    proof: &[Hash],
) -> Result<()> {
    verify_inclusion(hash, index, checkpoint.size, proof, &checkpoint.root).map_err(|error| {
        let failure = match error {
            ProofError::RootMismatch => Failure::NotIncluded,
            _ => Failure::MalformedProof,
        };
        let message = format!("record {index} is not proven to be in the tree");
        fail(failure, message).with_source(error)
    })
}

/// Verifies a `ReadVerified` answer to a read of `stream_id` from `from_offset`,
/// made with `trusted_size = trusted.size`, and returns the new checkpoint, which the
/// caller may then trust.
///
/// # Errors
/// Any failure of [`open_signed_checkpoint`], [`check_consistency`] or
/// [`check_records`].
pub fn verify_read(
    verifier: &NoteVerifier,
    tenant_id: TenantId,
    stream_id: StreamId,
    from_offset: Offset,
    trusted: Option<&Checkpoint>,
    response: &ReadVerifiedResponse,
) -> Result<Checkpoint> {
    let read = ReadOf {
        tenant_id,
        stream_id,
        from_offset,
    };
    verify_from_scratch(verifier, read, trusted, response)
}

/// Verifies a `ReadVerifiedRange` answer (`kmb.verify/2`) as [`verify_read`]
/// verifies a `ReadVerified` one, and returns the new checkpoint.
///
/// # Errors
/// Any failure of [`open_signed_checkpoint`], [`check_consistency`] or
/// [`check_range_records`].
pub fn verify_range_read(
    verifier: &NoteVerifier,
    tenant_id: TenantId,
    stream_id: StreamId,
    from_offset: Offset,
    trusted: Option<&Checkpoint>,
    response: &VerifiedRangeResponse,
) -> Result<Checkpoint> {
    let read = ReadOf {
        tenant_id,
        stream_id,
        from_offset,
    };
    verify_from_scratch(verifier, read, trusted, response)
}

/// [`verify_answer`] with every note opened in full (no memory of earlier notes).
fn verify_from_scratch(
    verifier: &NoteVerifier,
    read: ReadOf,
    trusted: Option<&Checkpoint>,
    answer: &impl VerifiedAnswer,
) -> Result<Checkpoint> {
    let open = |note: &str, origin: &str| open_signed_checkpoint(note, verifier, origin);
    verify_answer(open, verifier, read, trusted, answer)
}

/// Which read an answer answers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadOf {
    pub(crate) tenant_id: TenantId,
    pub(crate) stream_id: StreamId,
    pub(crate) from_offset: Offset,
}

/// An answer to a verified read, of either shape.
pub(crate) trait VerifiedAnswer {
    /// The signed checkpoint note the answer is proven against.
    fn note(&self) -> &str;
    /// Every check after the checkpoint was opened.
    fn check(&self, scope: &Scope<'_>, trusted: Option<&Checkpoint>) -> Result<()>;
}

impl VerifiedAnswer for ReadVerifiedResponse {
    fn note(&self) -> &str {
        &self.checkpoint
    }

    fn check(&self, scope: &Scope<'_>, trusted: Option<&Checkpoint>) -> Result<()> {
        check_consistency(trusted, scope.checkpoint, &self.consistency_proof)?;
        check_records(
            scope.tenant_id,
            scope.stream_id,
            scope.from_offset,
            scope.checkpoint,
            &self.records,
            self.next_offset,
        )
    }
}

impl VerifiedAnswer for VerifiedRangeResponse {
    fn note(&self) -> &str {
        &self.checkpoint
    }

    fn check(&self, scope: &Scope<'_>, trusted: Option<&Checkpoint>) -> Result<()> {
        check_consistency(trusted, scope.checkpoint, &self.consistency_proof)?;
        check_range_records(scope, &self.records, &self.range_proof, self.next_offset)
    }
}

/// Opens the answer's checkpoint with `open` (note, expected origin), then checks
/// the answer against it; returns the checkpoint.
pub(crate) fn verify_answer(
    open: impl FnOnce(&str, &str) -> Result<Checkpoint>,
    verifier: &NoteVerifier,
    read: ReadOf,
    trusted: Option<&Checkpoint>,
    answer: &impl VerifiedAnswer,
) -> Result<Checkpoint> {
    let origin = stream_origin(verifier, read.tenant_id, read.stream_id);
    let checkpoint = open(answer.note(), &origin)?;
    let scope = Scope {
        tenant_id: read.tenant_id,
        stream_id: read.stream_id,
        from_offset: read.from_offset,
        checkpoint: &checkpoint,
    };
    answer.check(&scope, trusted)?;
    Ok(checkpoint)
}

mod chain;
mod run;

use chain::walk_chain;
pub(crate) use chain::while_server_works;

#[cfg(test)]
mod tests;
