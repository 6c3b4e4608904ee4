//! Verified reads: records with RFC 6962 inclusion proofs against a freshly
//! signed checkpoint, consistency proofs, and checkpoints at any size.
//!
//! Everything a client checks comes from the stream's stored tree and the
//! record hashes stored beside each payload, so proofs stay available after
//! crypto-erasure ([`Engine::prove_records`] never touches a payload).

use kimberlite_protocol::checkpoint::{
    checkpoint_origin, sign_checkpoint, timestamp_extension, Checkpoint,
};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

use super::error::EngineError;
use super::records::open_payload;
use super::streams::{SignedNote, StreamHandle};
use super::Engine;

/// One record of a verified read, with what a client needs to check it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRecord {
    /// Position in the stream.
    pub offset: Offset,
    /// Commit timestamp.
    pub timestamp_ns: u64,
    /// Record kind byte.
    pub kind: u8,
    /// Hash of the previous record.
    pub prev_hash: Hash,
    /// Plaintext payload.
    pub payload: Vec<u8>,
    /// RFC 6962 inclusion proof at the checkpoint's size; empty in a read of
    /// [`ProofShape::Range`], whose [`VerifiedRead::range_proof`] proves all.
    pub inclusion_proof: Vec<Hash>,
}

/// How a verified read proves its records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofShape {
    /// An RFC 6962 inclusion proof with each record (`kmb.verify/1`).
    PerRecord,
    /// One range proof for the whole run (`kmb.verify/2`): about `2 log2 n`
    /// hashes per read instead of `log2 n` per record.
    Range,
}

/// A verified read: records, the signed checkpoint they are proven against and,
/// on request, a consistency proof from the client's trusted size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRead {
    /// The signed checkpoint note.
    pub checkpoint: String,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The records.
    pub records: Vec<VerifiedRecord>,
    /// With [`ProofShape::Range`], the range proof of the records (empty when
    /// none was read); empty with [`ProofShape::PerRecord`].
    pub range_proof: Vec<Hash>,
    /// Consistency proof from the trusted size, when one was given.
    pub consistency_proof: Option<Vec<Hash>>,
}

/// A record's place in its chain and tree, without its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenRecord {
    /// Position in the stream.
    pub offset: Offset,
    /// Commit timestamp.
    pub timestamp_ns: u64,
    /// Record kind byte.
    pub kind: u8,
    /// Hash of the previous record.
    pub prev_hash: Hash,
    /// The record hash (the Merkle leaf), as stored.
    pub record_hash: Hash,
    /// RFC 6962 inclusion proof at the checkpoint's size.
    pub inclusion_proof: Vec<Hash>,
}

/// Record hashes with inclusion proofs against a signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenRecords {
    /// The signed checkpoint note.
    pub checkpoint: String,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The records, in offset order.
    pub records: Vec<ProvenRecord>,
}

/// What a verified read asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedReadRequest {
    /// The first offset read.
    pub from_offset: Offset,
    /// At most this many records.
    pub max_events: u32,
    /// Records are added while the payload bytes so far are below this.
    pub max_bytes: u64,
    /// The client's trusted tree size, for a consistency proof.
    pub trusted_size: Option<u64>,
    /// How the records are proven.
    pub shape: ProofShape,
}

/// What to read under a checkpoint.
struct Window {
    from: u64,
    size: u64,
    max_records: usize,
    max_bytes: u64,
}

impl Engine {
    /// Reads up to `max_events` records (and about `max_bytes`: the last may
    /// cross it) from `from_offset` with inclusion proofs against a checkpoint
    /// signed now at the durable length, and a consistency proof from
    /// `trusted_size` when given (empty for 0 or an equal size).
    pub fn read_verified(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_offset: Offset,
        max_events: u32,
        max_bytes: u64,
        trusted_size: Option<u64>,
    ) -> Result<VerifiedRead, EngineError> {
        let read = VerifiedReadRequest {
            from_offset,
            max_events,
            max_bytes,
            trusted_size,
            shape: ProofShape::PerRecord,
        };
        self.read_verified_as(tenant_id, stream_id, read)
    }

    /// [`Engine::read_verified`] with the records proven as `read.shape` says.
    pub fn read_verified_as(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        read: VerifiedReadRequest,
    ) -> Result<VerifiedRead, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let size = Self::checked_from(&handle, read.from_offset.get())?;
        let consistency_proof = match read.trusted_size {
            Some(trusted) => Some(Self::proof_between(&handle, trusted, size)?),
            None => None,
        };
        let checkpoint = self.signed_checkpoint(&handle, size)?;
        let data_key = self.shared.data_key(tenant_id)?;
        let window = Window {
            from: read.from_offset.get(),
            size,
            max_records: read.max_events as usize,
            max_bytes: read.max_bytes,
        };
        let mut records = Vec::new();
        let mut bytes = 0u64;
        let end = self.walk(&handle, &window, |record| {
            let payload = open_payload(&record, data_key.as_deref())?;
            bytes += payload.len() as u64;
            records.push(VerifiedRecord {
                offset: record.offset,
                timestamp_ns: record.timestamp_ns,
                kind: record.kind,
                prev_hash: record.prev_hash,
                payload,
                inclusion_proof: Vec::new(),
            });
            Ok(bytes)
        })?;
        let mut range_proof = Vec::new();
        match read.shape {
            ProofShape::PerRecord => {
                let proofs = handle.indexes().inclusion_proofs(window.from, end, size)?;
                for (record, proof) in records.iter_mut().zip(proofs) {
                    record.inclusion_proof = proof;
                }
            }
            ProofShape::Range if end > window.from => {
                range_proof = handle.indexes().range_proof(window.from, end, size)?;
            }
            ProofShape::Range => {}
        }
        Ok(VerifiedRead {
            checkpoint,
            size,
            records,
            range_proof,
            consistency_proof,
        })
    }

    /// Record hashes and chain links of up to `max_records` records from
    /// `from_offset`, with inclusion proofs against a checkpoint signed now at
    /// `size` (the durable length if `None`). Never reads a payload, so it
    /// works after crypto-erasure.
    pub fn prove_records(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_offset: Offset,
        max_records: u32,
        size: Option<u64>,
    ) -> Result<ProvenRecords, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let length = handle.committed();
        let size = Self::checked_size(size.unwrap_or(length), length)?;
        Self::checked_from(&handle, from_offset.get())?;
        let checkpoint = self.signed_checkpoint(&handle, size)?;
        let window = Window {
            from: from_offset.get(),
            size,
            max_records: max_records as usize,
            max_bytes: u64::MAX,
        };
        let mut records = Vec::new();
        let end = self.walk(&handle, &window, |record| {
            records.push(ProvenRecord {
                offset: record.offset,
                timestamp_ns: record.timestamp_ns,
                kind: record.kind,
                prev_hash: record.prev_hash,
                record_hash: record.record_hash,
                inclusion_proof: Vec::new(),
            });
            Ok(0)
        })?;
        let proofs = handle.indexes().inclusion_proofs(window.from, end, size)?;
        for (record, proof) in records.iter_mut().zip(proofs) {
            record.inclusion_proof = proof;
        }
        Ok(ProvenRecords {
            checkpoint,
            size,
            records,
        })
    }

    /// Visits the records of `window` (`visit` returns the bytes read so far,
    /// which bound the walk) and returns the offset after the last one. The
    /// callers then build the run's proofs together: consecutive leaves share
    /// most proof nodes, so a run costs about one read per tree level instead
    /// of one per level and record.
    fn walk(
        &self,
        handle: &StreamHandle,
        window: &Window,
        mut visit: impl FnMut(super::StoredRecord) -> Result<u64, EngineError>,
    ) -> Result<u64, EngineError> {
        let (mut offset, mut bytes, mut count) = (window.from, 0u64, 0usize);
        while offset < window.size && bytes < window.max_bytes && count < window.max_records {
            bytes = visit(self.stored_record(handle, offset)?)?;
            offset += 1;
            count += 1;
        }
        Ok(offset)
    }

    /// A signed checkpoint of the stream at `size` (its durable length if `None`).
    pub fn checkpoint(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        size: Option<u64>,
    ) -> Result<String, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let length = handle.committed();
        let size = Self::checked_size(size.unwrap_or(length), length)?;
        self.signed_checkpoint(&handle, size)
    }

    /// The Merkle root of the stream's first `size` records.
    pub fn root_at(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        size: u64,
    ) -> Result<Hash, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let size = Self::checked_size(size, handle.committed())?;
        let root = handle.indexes().root_at(size)?;
        Ok(root)
    }

    /// An RFC 6962 consistency proof between two sizes of the stream (empty
    /// when `old_size` is 0 or equals `new_size`).
    pub fn consistency_proof(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let new_size = Self::checked_size(new_size, handle.committed())?;
        Self::proof_between(&handle, old_size, new_size)
    }

    fn proof_between(
        handle: &StreamHandle,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, EngineError> {
        if old_size > new_size {
            return Err(EngineError::OutOfRange {
                what: "trusted tree size",
                requested: old_size,
                length: new_size,
            });
        }
        let proof = handle.indexes().consistency_proof(old_size, new_size)?;
        Ok(proof)
    }

    fn checked_size(size: u64, length: u64) -> Result<u64, EngineError> {
        if size > length {
            return Err(EngineError::OutOfRange {
                what: "tree size",
                requested: size,
                length,
            });
        }
        Ok(size)
    }

    /// Signs a checkpoint of `handle`'s stream at `size` (at most its length),
    /// with the last record's commit time as an extension line; the note last
    /// signed for the same size and root is reused (it is the same bytes).
    fn signed_checkpoint(&self, handle: &StreamHandle, size: u64) -> Result<String, EngineError> {
        let indexes = handle.indexes();
        let root = indexes.root_at(size)?;
        if let Some(note) = handle.signed_note(size, &root) {
            return Ok(note);
        }
        let mut extensions = Vec::new();
        if let Some(last) = size.checked_sub(1) {
            if let Some((_, timestamp_ns)) = indexes.offsets_get(last)? {
                extensions.push(timestamp_extension(timestamp_ns));
            }
        }
        drop(indexes);
        let origin = checkpoint_origin(
            &self.shared.config.identity,
            handle.tenant_id,
            handle.stream_id,
        );
        let checkpoint = Checkpoint {
            origin,
            size,
            root,
            extensions,
        };
        let note = sign_checkpoint(&checkpoint, &self.shared.signer)
            .map_err(|error| EngineError::Failed(format!("signing a checkpoint: {error}")))?;
        handle.remember_signed(SignedNote {
            size,
            root,
            note: note.clone(),
        });
        Ok(note)
    }
}
