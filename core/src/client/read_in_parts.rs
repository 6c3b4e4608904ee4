//! A big verified read asked for in two parts, so that the client checks the
//! first part while the server reads the second.
//!
//! One [`Client::read_verified`] of a megabyte is three steps in a row: the server
//! reads (and decrypts) the records, the answer crosses the connection, and the
//! client hashes every record and checks the proof. While the client checks, the
//! server is idle; while the server reads, the client is. Asking first for
//! [`FIRST_PART_SHARE`] of the bytes, and for the rest as soon as that part has
//! arrived (before it is checked), lets the check of the first part run while the
//! server reads the second: only the second part's check is left at the end.
//!
//! The answer is the one a single request would give: the server adds records
//! while the bytes added so far are below the budget, so a first part that stops
//! at or above its share is followed by a second with the budget left, which
//! stops exactly where one request for the whole budget would. A first part below
//! its share ended at the end of the stream (or at the server's own limit), which
//! is where one request would have ended too. Nothing is trusted any earlier:
//! each part is checked exactly as a read of its own would be, the second against
//! the first's checkpoint, in order, and an error in either fails the call.
//!
//! The second request costs a round trip that a single request does not, so a
//! read is split only when that is clearly cheaper than checking the first part:
//! when the session's measured round trip is under half of the first part's
//! check time at [`CHECK_BYTES_PER_SECOND`]. Over a slow link, and for reads under
//! [`PARTS_MIN_BYTES`], the read is one request.

use std::time::Duration;

use kimberlite_protocol::{Offset, StreamId};

use super::{Client, VerifiedRead};
use crate::error::Result;

/// Budgets below this are read in one request.
pub(super) const PARTS_MIN_BYTES: u64 = 256 * 1024;

/// The share of the budget the first part asks for, as (numerator, denominator):
/// the server reads the rest in about the time the client checks the first part
/// (hashing a record takes about a quarter of reading, decrypting and sending it).
const FIRST_PART_SHARE: (u64, u64) = (3, 4);

/// How fast the client checks records, conservatively: SHA-256 with the CPU's
/// SHA extensions on one core does about this; slower hashing only makes the
/// overlap worth more.
const CHECK_BYTES_PER_SECOND: u64 = 1_000_000_000;

/// The budget of the first part of a read of `max_bytes`, or None when the
/// read is asked for in one request.
pub(super) fn first_part_bytes(max_bytes: u64, round_trip: Option<Duration>) -> Option<u64> {
    if max_bytes < PARTS_MIN_BYTES {
        return None;
    }
    let (numerator, denominator) = FIRST_PART_SHARE;
    let first = max_bytes / denominator * numerator;
    let check_ns = u128::from(first) * 1_000_000_000 / u128::from(CHECK_BYTES_PER_SECOND);
    let round_trip_ns = round_trip?.as_nanos();
    (round_trip_ns.saturating_mul(2) < check_ns).then_some(first)
}

impl Client {
    /// A verified read of `max_bytes` from `from_offset` whose first part asks
    /// for `first_bytes` (see [`first_part_bytes`]; `max_bytes` for a read in one
    /// request): asks for the rest once the first part arrived, if one request
    /// would have returned more, checks the first part meanwhile, then the second.
    pub(super) async fn read_in_parts(
        &self,
        stream_id: StreamId,
        from_offset: Offset,
        (first_bytes, max_bytes): (u64, u64),
    ) -> Result<VerifiedRead> {
        let (verifier, sent) = self
            .send_read_verified_from_trusted(stream_id, from_offset, first_bytes)
            .await?;
        let (meta, answer) = self.await_read_verified(sent).await?;
        // Only the note's signature is checked before asking for more (its size
        // bounds what to ask for; the second part must extend it). If the first
        // part then fails its checks, the call fails and the second part's
        // answer is never looked at.
        let checkpoint = self.open_answer_note(&verifier, stream_id, &answer)?;
        let received = answer.payload_bytes();
        let rest = match answer.next_offset() {
            Some(Offset(next))
                if received >= first_bytes && received < max_bytes && next < checkpoint.size =>
            {
                let budget = max_bytes - received;
                let trusted = Some(checkpoint);
                Some(
                    self.send_read_verified(stream_id, Offset(next), budget, trusted)
                        .await?,
                )
            }
            _ => None,
        };
        let server_works = rest.is_some();
        let mut read = self
            .check_read_verified(&verifier, (meta, answer), server_works)
            .await?;
        if let Some(sent) = rest {
            let answer = self.await_read_verified(sent).await?;
            let rest = self.check_read_verified(&verifier, answer, false).await?;
            read.events.extend(rest.events);
            read.next_offset = rest.next_offset.or(read.next_offset);
            read.checkpoint = rest.checkpoint;
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests;
