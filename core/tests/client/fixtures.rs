//! Hand-built logs, checkpoints and proofs, made with the protocol crate and a test
//! signing key, shared by the verification tests and the loopback server.

use ed25519_dalek::SigningKey;
use kimberlite_protocol::checkpoint::{checkpoint_origin, sign_checkpoint, Checkpoint};
use kimberlite_protocol::merkle::{consistency_proof, inclusion_proof, range_proof, root};
use kimberlite_protocol::message::{
    RangeRecord, ReadVerifiedResponse, VerifiedRangeResponse, VerifiedRecord,
};
use kimberlite_protocol::note::NoteSigner;
use kimberlite_protocol::record::{genesis_hash, RecordKind, RecordRef};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

/// The server identity (key name and origin prefix) of the tests.
pub const IDENTITY: &str = "test.kimberlite";

/// A signer for the tests, from a fixed seed.
pub fn signer(seed: u8) -> NoteSigner {
    NoteSigner::new(IDENTITY, SigningKey::from_bytes(&[seed; 32])).unwrap()
}

/// One stored record of a [`Log`].
#[derive(Clone, Debug)]
pub struct Stored {
    pub timestamp_ns: u64,
    pub prev_hash: Hash,
    pub payload: Vec<u8>,
    pub hash: Hash,
}

/// One stream's records with their hashes, as an honest server keeps them.
#[derive(Clone, Debug)]
pub struct Log {
    pub tenant_id: TenantId,
    pub stream_id: StreamId,
    pub records: Vec<Stored>,
}

impl Log {
    pub fn new(tenant_id: TenantId, stream_id: StreamId) -> Self {
        Self {
            tenant_id,
            stream_id,
            records: Vec::new(),
        }
    }

    /// A log holding `count` events `e0`, `e1`, ...
    pub fn with_events(count: usize) -> Self {
        let mut log = Self::new(TenantId(1), StreamId(7));
        for index in 0..count {
            log.append(format!("e{index}").into_bytes());
        }
        log
    }

    pub fn len(&self) -> u64 {
        self.records.len() as u64
    }

    pub fn append(&mut self, payload: Vec<u8>) {
        let offset = self.len();
        let prev_hash = self.records.last().map_or_else(
            || genesis_hash(self.tenant_id, self.stream_id),
            |last| last.hash,
        );
        let timestamp_ns = 1_700_000_000_000_000_000 + offset;
        let hash = self
            .record_ref(offset, timestamp_ns, prev_hash, &payload)
            .hash();
        self.records.push(Stored {
            timestamp_ns,
            prev_hash,
            payload,
            hash,
        });
    }

    /// Rewrites the payload at `offset` and re-chains everything after it: a server
    /// that rewrites history.
    pub fn rewrite(&mut self, offset: u64, payload: Vec<u8>) {
        let old = std::mem::take(&mut self.records);
        for (index, record) in old.into_iter().enumerate() {
            let payload = if index as u64 == offset {
                payload.clone()
            } else {
                record.payload
            };
            self.append(payload);
        }
    }

    fn record_ref<'a>(
        &self,
        offset: u64,
        timestamp_ns: u64,
        prev_hash: Hash,
        payload: &'a [u8],
    ) -> RecordRef<'a> {
        RecordRef {
            tenant_id: self.tenant_id,
            stream_id: self.stream_id,
            offset: Offset(offset),
            timestamp_ns,
            kind: RecordKind::Event,
            prev_hash,
            payload,
        }
    }

    fn leaves(&self, size: u64) -> Vec<Hash> {
        self.records[..size as usize]
            .iter()
            .map(|record| record.hash)
            .collect()
    }

    pub fn origin(&self) -> String {
        checkpoint_origin(IDENTITY, self.tenant_id, self.stream_id)
    }

    pub fn checkpoint(&self, size: u64) -> Checkpoint {
        Checkpoint {
            origin: self.origin(),
            size,
            root: root(&self.leaves(size)),
            extensions: vec![],
        }
    }

    pub fn note(&self, size: u64, signer: &NoteSigner) -> String {
        sign_checkpoint(&self.checkpoint(size), signer).unwrap()
    }

    pub fn consistency(&self, old_size: u64, new_size: u64) -> Vec<Hash> {
        consistency_proof(&self.leaves(new_size), old_size).unwrap()
    }

    /// The honest answer to `ReadVerified` at the log's current size.
    pub fn read_verified(
        &self,
        from: u64,
        max_bytes: u64,
        trusted_size: Option<u64>,
        signer: &NoteSigner,
    ) -> ReadVerifiedResponse {
        let size = self.len();
        let leaves = self.leaves(size);
        let mut records = Vec::new();
        let mut bytes = 0u64;
        let mut offset = from;
        while offset < size && bytes < max_bytes {
            let stored = &self.records[offset as usize];
            bytes += stored.payload.len() as u64;
            records.push(VerifiedRecord {
                offset: Offset(offset),
                timestamp_ns: stored.timestamp_ns,
                kind: 0,
                prev_hash: stored.prev_hash,
                payload: stored.payload.clone(),
                inclusion_proof: inclusion_proof(&leaves, offset).unwrap(),
            });
            offset += 1;
        }
        let consistency_proof = match trusted_size {
            Some(trusted) if trusted > 0 && trusted <= size => self.consistency(trusted, size),
            _ => Vec::new(),
        };
        ReadVerifiedResponse {
            checkpoint: self.note(size, signer),
            next_offset: (!records.is_empty()).then_some(Offset(offset)),
            records,
            consistency_proof,
        }
    }

    /// The honest answer to `ReadVerifiedRange` (`kmb.verify/2`) at the log's
    /// current size.
    pub fn read_verified_range(
        &self,
        from: u64,
        max_bytes: u64,
        trusted_size: Option<u64>,
        signer: &NoteSigner,
    ) -> VerifiedRangeResponse {
        self.as_range(self.read_verified(from, max_bytes, trusted_size, signer))
    }

    /// `answer`'s records (as they are, tampered or not) with the honest range
    /// proof of their offsets instead of a proof each.
    pub fn as_range(&self, answer: ReadVerifiedResponse) -> VerifiedRangeResponse {
        let leaves = self.leaves(self.len());
        let range = match (answer.records.first(), answer.records.last()) {
            (Some(first), Some(last)) => {
                range_proof(&leaves, first.offset.0, last.offset.0 + 1).unwrap()
            }
            _ => Vec::new(),
        };
        VerifiedRangeResponse {
            checkpoint: answer.checkpoint,
            records: answer
                .records
                .into_iter()
                .map(|record| RangeRecord {
                    offset: record.offset,
                    timestamp_ns: record.timestamp_ns,
                    kind: record.kind,
                    prev_hash: record.prev_hash,
                    payload: record.payload,
                })
                .collect(),
            range_proof: range,
            consistency_proof: answer.consistency_proof,
            next_offset: answer.next_offset,
        }
    }
}
