//! Scans: reading a long run of a stream part by part, with the next part asked
//! for before the last one is handed over.
//!
//! A caller that reads a stream with one [`Client::read_verified`] after the other
//! leaves the server idle while it checks each answer (SHA-256 over every record,
//! the range proof), and leaves itself idle while the server reads the next part. A
//! scan keeps one request ahead: as soon as an answer arrives, the request for the
//! part after it is sent, and only then is the answer checked. The two overlap, on
//! two cores, and nothing is trusted any earlier: each part is checked in order
//! against the checkpoint of the part before it, exactly as the calls one by one
//! would check it, and a part that fails ends the scan with that error.
//!
//! A verified scan ends at the tree size of the newest checkpoint it has seen
//! (records appended later are read by a new scan); a plain scan ends at the first
//! empty answer.

use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::{Offset, StreamId};

use super::streams::read_result;
use super::verified::SentRead;
use super::{Client, InFlight, ReadResult, VerifiedRead};
use crate::error::Result;

/// A verified scan of a stream; see [`Client::scan_verified`].
pub struct VerifiedScan {
    client: Client,
    verifier: NoteVerifier,
    stream_id: StreamId,
    max_bytes: u64,
    in_flight: Option<SentRead>,
}

impl std::fmt::Debug for VerifiedScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedScan")
            .field("stream_id", &self.stream_id)
            .field("max_bytes", &self.max_bytes)
            .field("done", &self.in_flight.is_none())
            .finish_non_exhaustive()
    }
}

impl VerifiedScan {
    /// The next part (never empty), every record in it verified, and its
    /// checkpoint trusted; None once the scan reached the end of the newest
    /// checkpoint.
    ///
    /// # Errors
    /// As [`Client::read_verified`]. After an error the scan is over.
    pub async fn next(&mut self) -> Result<Option<VerifiedRead>> {
        let Some(sent) = self.in_flight.take() else {
            return Ok(None);
        };
        let (meta, answer) = self.client.await_read_verified(sent).await?;
        // Only the note's signature is checked before asking for more: its size
        // says whether there is more to ask for, and the next answer must extend
        // it. Were this answer to fail its checks below, the scan ends there and
        // the next answer is never looked at.
        let checkpoint = self
            .client
            .open_answer_note(&self.verifier, self.stream_id, &answer)?;
        if let Some(next) = answer.next_offset() {
            if next.0 < checkpoint.size {
                let trusted = Some(checkpoint);
                let sent = self
                    .client
                    .send_read_verified(self.stream_id, next, self.max_bytes, trusted)
                    .await?;
                self.in_flight = Some(sent);
            }
        }
        let server_works = self.in_flight.is_some();
        match self
            .client
            .check_read_verified(&self.verifier, (meta, answer), server_works)
            .await
        {
            // An empty answer (a scan from the end) is still checked, and its
            // checkpoint trusted, but ends the scan rather than being a part.
            Ok(read) if read.events.is_empty() => Ok(None),
            Ok(read) => Ok(Some(read)),
            Err(error) => {
                self.in_flight = None;
                Err(error)
            }
        }
    }

    /// Whether the scan has ended.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.in_flight.is_none()
    }
}

/// A plain scan of a stream; see [`Client::scan`].
pub struct Scan {
    client: Client,
    stream_id: StreamId,
    max_bytes: u64,
    in_flight: Option<InFlight>,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan")
            .field("stream_id", &self.stream_id)
            .field("max_bytes", &self.max_bytes)
            .field("done", &self.in_flight.is_none())
            .finish_non_exhaustive()
    }
}

impl Scan {
    /// The next part of the stream; None after the first empty answer.
    ///
    /// # Errors
    /// As [`Client::read`]. After an error the scan is over.
    pub async fn next(&mut self) -> Result<Option<ReadResult>> {
        let Some(in_flight) = self.in_flight.take() else {
            return Ok(None);
        };
        let answer = read_result(self.client.await_answer(in_flight).await?)?;
        let Some(next) = answer.next_offset else {
            return Ok(None);
        };
        let sent = self
            .client
            .send_read(self.stream_id, next, self.max_bytes)
            .await?;
        self.in_flight = Some(sent);
        Ok(Some(answer))
    }

    /// Whether the scan has ended.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.in_flight.is_none()
    }
}

impl Client {
    /// Reads the stream from `from_offset` to its end, `max_bytes` (at least one
    /// record) per part, like [`Client::read`] called again and again, but with the
    /// next part always on its way while the caller handles the last.
    ///
    /// # Errors
    /// As [`Client::read`], for the first part's request.
    pub async fn scan(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> Result<Scan> {
        let max_bytes = max_bytes.max(1);
        let in_flight = self.send_read(stream_id, from_offset, max_bytes).await?;
        Ok(Scan {
            client: self.clone(),
            stream_id,
            max_bytes,
            in_flight: Some(in_flight),
        })
    }

    /// Reads and verifies the stream from `from_offset` to the end of the newest
    /// checkpoint seen, `max_bytes` (at least one record) per part: the same
    /// checks and the same trusted-state updates as [`Client::read_verified`] per
    /// part, with the request for the next part sent before the last one is
    /// checked, so the server's work and the client's checks overlap.
    ///
    /// # Errors
    /// As [`Client::read_verified`], for the first part's request.
    pub async fn scan_verified(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> Result<VerifiedScan> {
        let max_bytes = max_bytes.max(1);
        let (verifier, sent) = self
            .send_read_verified_from_trusted(stream_id, from_offset, max_bytes)
            .await?;
        Ok(VerifiedScan {
            client: self.clone(),
            verifier,
            stream_id,
            max_bytes,
            in_flight: Some(sent),
        })
    }
}
