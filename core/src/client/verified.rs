//! Verified calls (extension `kmb.verify/1`): reads checked against a signed
//! checkpoint, checkpoints, consistency proofs, and advancing the trusted state.

use kimberlite_protocol::capability::{VERIFY, VERIFY_RANGE};
use kimberlite_protocol::message::{
    ConsistencyProofRequest, GetCheckpointRequest, RangeRecord, ReadVerifiedRequest,
    ReadVerifiedResponse, RequestPayload, ResponsePayload, VerifiedRangeResponse, VerifiedRecord,
};
use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::record::RecordKind;
use kimberlite_protocol::{Hash, Offset, StreamId};

use super::read_in_parts::first_part_bytes;
use super::{unexpected, Client, InFlight};
use crate::error::{Error, Result, ServerErrorCode, VerificationFailure};
use crate::options::ServerKeyTrust;
use crate::verify::{
    check_consistency, parse_verifier_key, stream_origin, verify_answer, while_server_works,
    Checkpoint, ReadOf, StoreOutcome,
};

/// How many times a trusted checkpoint is re-read when others keep advancing it.
const MAX_STORE_ATTEMPTS: usize = 8;

/// One record of a verified read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedEvent {
    /// The record's offset in its stream.
    pub offset: Offset,
    /// The server's commit time, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// What the record holds (events for application streams).
    pub kind: RecordKind,
    /// The event bytes, proven to be in the stream.
    pub payload: Vec<u8>,
}

/// The result of [`Client::read_verified`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRead {
    /// The records read, each verified.
    pub events: Vec<VerifiedEvent>,
    /// The offset after the last record, None when none was read.
    pub next_offset: Option<Offset>,
    /// The signed checkpoint the records were verified against, now trusted.
    pub checkpoint: Checkpoint,
}

/// What a verified read asked, kept to check its answer.
pub(crate) struct SentMeta {
    of: ReadOf,
    trusted: Option<Checkpoint>,
}

/// A verified read on its way: what was asked, and the trusted checkpoint the
/// answer must extend.
pub(crate) struct SentRead {
    in_flight: InFlight,
    ranged: bool,
    of: ReadOf,
    trusted: Option<Checkpoint>,
}

/// An answer to a verified read, of either shape, not checked yet.
pub(crate) enum ReadAnswer {
    /// `ReadVerified` (#66): a proof per record.
    PerRecord(ReadVerifiedResponse),
    /// `VerifiedRange` (#74): one proof for the run.
    Range(VerifiedRangeResponse),
}

impl ReadAnswer {
    /// The signed note the answer claims to be proven against.
    pub(crate) fn note(&self) -> &str {
        match self {
            Self::PerRecord(answer) => &answer.checkpoint,
            Self::Range(answer) => &answer.checkpoint,
        }
    }

    /// The offset after the last record, as the server says (not checked yet).
    pub(crate) const fn next_offset(&self) -> Option<Offset> {
        match self {
            Self::PerRecord(answer) => answer.next_offset,
            Self::Range(answer) => answer.next_offset,
        }
    }

    /// The payload bytes of the records, as received (not checked yet).
    pub(crate) fn payload_bytes(&self) -> u64 {
        let bytes: usize = match self {
            Self::PerRecord(answer) => answer.records.iter().map(|r| r.payload.len()).sum(),
            Self::Range(answer) => answer.records.iter().map(|r| r.payload.len()).sum(),
        };
        bytes as u64
    }

    /// Checks the answer against its checkpoint (opened with `open`) and `trusted`.
    fn verify(
        &self,
        open: impl FnOnce(&str, &str) -> Result<Checkpoint>,
        verifier: &NoteVerifier,
        of: ReadOf,
        trusted: Option<&Checkpoint>,
    ) -> Result<Checkpoint> {
        match self {
            Self::PerRecord(answer) => verify_answer(open, verifier, of, trusted, answer),
            Self::Range(answer) => verify_answer(open, verifier, of, trusted, answer),
        }
    }

    /// The records as events, once checked.
    fn into_read(self, checkpoint: Checkpoint) -> VerifiedRead {
        let (events, next_offset) = match self {
            Self::PerRecord(answer) => (events_of(answer.records), answer.next_offset),
            Self::Range(answer) => (events_of(answer.records), answer.next_offset),
        };
        VerifiedRead {
            events,
            next_offset,
            checkpoint,
        }
    }
}

/// A checked record of either answer shape, as the event it holds.
trait IntoEvent {
    fn into_event(self) -> VerifiedEvent;
}

/// Kinds are checked before records become events; an unknown one never gets here.
fn kind_of(kind: u8) -> RecordKind {
    RecordKind::from_u8(kind).unwrap_or(RecordKind::Event)
}

impl IntoEvent for VerifiedRecord {
    fn into_event(self) -> VerifiedEvent {
        VerifiedEvent {
            offset: self.offset,
            timestamp_ns: self.timestamp_ns,
            kind: kind_of(self.kind),
            payload: self.payload,
        }
    }
}

impl IntoEvent for RangeRecord {
    fn into_event(self) -> VerifiedEvent {
        VerifiedEvent {
            offset: self.offset,
            timestamp_ns: self.timestamp_ns,
            kind: kind_of(self.kind),
            payload: self.payload,
        }
    }
}

fn events_of<R: IntoEvent>(records: Vec<R>) -> Vec<VerifiedEvent> {
    records.into_iter().map(IntoEvent::into_event).collect()
}

impl Client {
    /// Reads like [`Client::read`], but verifies every record against a signed
    /// checkpoint that extends the trusted one, then trusts the new checkpoint.
    ///
    /// With a server that offers `kmb.verify/2` the records come with one range
    /// proof for all of them; otherwise each carries its own inclusion proof.
    /// Both are checked to the same standard. A big read over a fast connection
    /// is asked for in two parts, the first checked while the server reads the
    /// second, with the same result as one request. To read a long run of
    /// records, see [`Client::scan_verified`], which asks for the next part while
    /// it checks the last.
    ///
    /// # Errors
    /// `Unsupported` against a server without `kmb.verify/1`; a `Verification`
    /// code (`BadSignature`, `UnknownKey`, `Fork`, `Rollback`, `NotIncluded`, ...)
    /// when the answer does not verify; as any call otherwise.
    pub async fn read_verified(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> Result<VerifiedRead> {
        let round_trip = self.live().await?.session.round_trip;
        // Unsplit, the first part is the whole budget and no second is asked.
        let first_bytes = first_part_bytes(max_bytes, round_trip).unwrap_or(max_bytes);
        self.read_in_parts(stream_id, from_offset, (first_bytes, max_bytes))
            .await
    }

    /// Sends a verified read whose answer must extend the stream's trusted
    /// checkpoint (from the state directory); returns the key it is checked with.
    pub(crate) async fn send_read_verified_from_trusted(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> Result<(NoteVerifier, SentRead)> {
        let verifier = self.verifier().await?;
        let trusted = self
            .trust()
            .load(&verifier, self.tenant_id(), stream_id)
            .await?;
        let sent = self
            .send_read_verified(stream_id, from_offset, max_bytes, trusted)
            .await?;
        Ok((verifier, sent))
    }

    /// Sends a verified read whose answer must extend `trusted`, in the newest shape
    /// the connection has enabled.
    pub(crate) async fn send_read_verified(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
        trusted: Option<Checkpoint>,
    ) -> Result<SentRead> {
        let request = ReadVerifiedRequest {
            stream_id,
            from_offset,
            max_bytes,
            trusted_size: trusted.as_ref().map(|checkpoint| checkpoint.size),
        };
        let ranged = self.live().await?.session.enabled.contains(VERIFY_RANGE);
        let (capability, request) = if ranged {
            (VERIFY_RANGE, RequestPayload::ReadVerifiedRange(request))
        } else {
            (VERIFY, RequestPayload::ReadVerified(request))
        };
        let in_flight = self.send_extension(capability, request).await?;
        let of = ReadOf {
            tenant_id: self.tenant_id(),
            stream_id,
            from_offset,
        };
        Ok(SentRead {
            in_flight,
            ranged,
            of,
            trusted,
        })
    }

    /// Waits for the answer to a verified read; nothing in it is checked yet.
    pub(crate) async fn await_read_verified(
        &self,
        sent: SentRead,
    ) -> Result<(SentMeta, ReadAnswer)> {
        let SentRead {
            in_flight,
            ranged,
            of,
            trusted,
        } = sent;
        let answer = match self.await_answer(in_flight).await {
            Err(error)
                if trusted.is_some()
                    && error.server_code() == Some(ServerErrorCode::InvalidProofRange) =>
            {
                // An honest server refuses a trusted size above its tree size: find
                // out whether it lost history, and if so say `Rollback`.
                self.checkpoint(of.stream_id).await?;
                return Err(error);
            }
            answer => answer?,
        };
        let answer = match answer {
            ResponsePayload::ReadVerified(answer) if !ranged => ReadAnswer::PerRecord(answer),
            ResponsePayload::VerifiedRange(answer) if ranged => ReadAnswer::Range(answer),
            _ => return Err(unexpected("ReadVerified")),
        };
        Ok((SentMeta { of, trusted }, answer))
    }

    /// Checks an answer to the read `sent` and advances the trusted state to its
    /// checkpoint. `server_works` says that another request of ours is on its way
    /// meanwhile, so the check leaves the other cores to the server.
    pub(crate) async fn check_read_verified(
        &self,
        verifier: &NoteVerifier,
        (sent, answer): (SentMeta, ReadAnswer),
        server_works: bool,
    ) -> Result<VerifiedRead> {
        let SentMeta { of, trusted } = sent;
        let open = |note: &str, origin: &str| self.notes().open(note, verifier, origin);
        let verify = || answer.verify(open, verifier, of, trusted.as_ref());
        let checkpoint = if server_works {
            while_server_works(verify)?
        } else {
            verify()?
        };
        let note = answer.note().to_owned();
        let read = answer.into_read(checkpoint);
        self.advance_trusted(verifier, of.stream_id, trusted, &read.checkpoint, &note)
            .await?;
        Ok(read)
    }

    /// Opens (checks the signature and origin of) the checkpoint note of an
    /// answer to a read of `stream_id`, without checking the rest of the answer.
    pub(crate) fn open_answer_note(
        &self,
        verifier: &NoteVerifier,
        stream_id: StreamId,
        answer: &ReadAnswer,
    ) -> Result<Checkpoint> {
        let origin = stream_origin(verifier, self.tenant_id(), stream_id);
        self.notes().open(answer.note(), verifier, &origin)
    }

    /// The stream's latest checkpoint, verified (signature, origin, consistency with
    /// the trusted one) and then trusted.
    ///
    /// # Errors
    /// As [`Client::read_verified`].
    pub async fn checkpoint(&self, stream_id: StreamId) -> Result<Checkpoint> {
        let verifier = self.verifier().await?;
        let tenant = self.tenant_id();
        let request = RequestPayload::GetCheckpoint(GetCheckpointRequest { stream_id });
        let ResponsePayload::Checkpoint(answer) = self.request_extension(VERIFY, request).await?
        else {
            return Err(unexpected("GetCheckpoint"));
        };
        let origin = stream_origin(&verifier, tenant, stream_id);
        let checkpoint = self.notes().open(&answer.checkpoint, &verifier, &origin)?;
        let trusted = self.trust().load(&verifier, tenant, stream_id).await?;
        if let Some(trusted) = &trusted {
            if checkpoint.size < trusted.size {
                check_consistency(Some(trusted), &checkpoint, &[])?;
            }
            self.check_extends(stream_id, trusted, &checkpoint).await?;
        }
        self.advance_trusted(
            &verifier,
            stream_id,
            trusted,
            &checkpoint,
            &answer.checkpoint,
        )
        .await?;
        Ok(checkpoint)
    }

    /// An RFC 6962 consistency proof between two sizes of the stream's tree, as sent
    /// (check it with [`check_consistency`]).
    ///
    /// # Errors
    /// `Unsupported` without `kmb.verify/1`; `InvalidProofRange`; as any call.
    pub async fn consistency_proof(
        &self,
        stream_id: StreamId,
        from_size: u64,
        to_size: u64,
    ) -> Result<Vec<Hash>> {
        let request = RequestPayload::ConsistencyProof(ConsistencyProofRequest {
            stream_id,
            from_size,
            to_size,
        });
        match self.request_extension(VERIFY, request).await? {
            ResponsePayload::ConsistencyProof(answer) => Ok(answer.proof),
            _ => Err(unexpected("ConsistencyProof")),
        }
    }

    /// The key checkpoints must be signed with: the pinned one, or the one trusted on
    /// first use for this address.
    async fn verifier(&self) -> Result<NoteVerifier> {
        let live = self.live().await?;
        live.session.require(VERIFY)?;
        // The key never changes once chosen (pinned, or pinned on first use: the
        // state directory keeps the first key pinned for the address), so it is
        // parsed once per client rather than on every verified call.
        if let Some(verifier) = self.cached_verifier() {
            return Ok(verifier);
        }
        let key = match &self.options().server_key {
            ServerKeyTrust::Pinned(key) => key.clone(),
            ServerKeyTrust::TrustOnFirstUse => {
                let Some(info) = &live.session.server_info else {
                    return Err(Error::protocol(
                        "the server did not say which key it signs with",
                    ));
                };
                let announced = &info.signing_key;
                self.trust()
                    .pin_key_if_absent(self.address(), announced)
                    .await?
            }
        };
        let verifier = parse_verifier_key(&key)?;
        self.cache_verifier(&verifier);
        Ok(verifier)
    }

    /// Checks, with a proof from the server, that `newer` extends `older`.
    async fn check_extends(
        &self,
        stream_id: StreamId,
        older: &Checkpoint,
        newer: &Checkpoint,
    ) -> Result<()> {
        if older.size == 0 || older.size == newer.size {
            return check_consistency(Some(older), newer, &[]);
        }
        let proof = self
            .consistency_proof(stream_id, older.size, newer.size)
            .await?;
        check_consistency(Some(older), newer, &proof)
    }

    /// Trusts `new` unless the trusted state already holds a larger checkpoint it
    /// extends; when another call or process moved the trusted state meanwhile, the
    /// two are proven consistent first, so a fork is never trusted.
    async fn advance_trusted(
        &self,
        verifier: &NoteVerifier,
        stream_id: StreamId,
        mut expected: Option<Checkpoint>,
        new: &Checkpoint,
        note: &str,
    ) -> Result<()> {
        let tenant = self.tenant_id();
        for _ in 0..MAX_STORE_ATTEMPTS {
            if let Some(current) = &expected {
                if current.size >= new.size {
                    return self.check_extends(stream_id, new, current).await;
                }
            }
            let outcome = self
                .trust()
                .compare_and_store(verifier, tenant, stream_id, expected.as_ref(), note, new)
                .await?;
            match outcome {
                StoreOutcome::Stored => return Ok(()),
                StoreOutcome::Changed(current) => {
                    if let Some(current) = &current {
                        if current.size < new.size {
                            self.check_extends(stream_id, current, new).await?;
                        }
                    }
                    expected = current;
                }
            }
        }
        Err(Error::verification(
            VerificationFailure::CorruptTrustedState,
            "the trusted checkpoint kept changing while it was being advanced",
        ))
    }
}
