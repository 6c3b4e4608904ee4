//! What each [`Mode`] does to one answer of the server: pure rewrites of the
//! records of a verified read, and of checkpoint notes.

use std::collections::HashMap;
use std::sync::Mutex;

use kimberlite_protocol::message::{
    RangeRecord, ReadVerifiedResponse, ResponsePayload, VerifiedRangeResponse, VerifiedRecord,
};
use kimberlite_protocol::Offset;

use crate::resign::Resigner;
use crate::Mode;

/// The first checkpoint of a stream, and whether a newer one was forwarded.
struct FirstSeen {
    note: String,
    size: u64,
    newer_forwarded: bool,
}

/// Applies one mode to the answers of every connection of a proxy.
pub(crate) struct Rewriter {
    mode: Mode,
    resigner: Resigner,
    /// By checkpoint origin (server, tenant and stream).
    first_seen: Mutex<HashMap<String, FirstSeen>>,
}

impl Rewriter {
    pub(crate) fn new(mode: Mode) -> Self {
        Self {
            mode,
            resigner: Resigner::generate(),
            first_seen: Mutex::new(HashMap::new()),
        }
    }

    /// Rewrites an answer in place; true when it changed.
    pub(crate) fn response(&self, payload: &mut ResponsePayload) -> bool {
        match payload {
            ResponsePayload::ReadVerified(answer) => {
                let records = rewrite_records(self.mode, answer);
                let checkpoint = self.checkpoint(&mut answer.checkpoint);
                records || checkpoint
            }
            ResponsePayload::VerifiedRange(answer) => {
                let records = rewrite_range(self.mode, answer);
                let checkpoint = self.checkpoint(&mut answer.checkpoint);
                records || checkpoint
            }
            ResponsePayload::Checkpoint(answer) => self.checkpoint(&mut answer.checkpoint),
            _ => false,
        }
    }

    fn checkpoint(&self, note: &mut String) -> bool {
        let replacement = match self.mode {
            Mode::ForeignKey => self.resigner.resign(note),
            Mode::AlterCheckpoint => grow_size_line(note),
            Mode::StaleCheckpoint => self.stale(note),
            _ => None,
        };
        match replacement {
            Some(text) if text != *note => {
                *note = text;
                true
            }
            _ => false,
        }
    }

    /// The stream's first checkpoint once a newer one was forwarded.
    fn stale(&self, note: &str) -> Option<String> {
        let (origin, size) = origin_and_size(note)?;
        let mut first_seen = self.first_seen.lock().ok()?;
        let first = first_seen
            .entry(origin.to_owned())
            .or_insert_with(|| FirstSeen {
                note: note.to_owned(),
                size,
                newer_forwarded: false,
            });
        if first.newer_forwarded {
            return Some(first.note.clone());
        }
        if size > first.size {
            first.newer_forwarded = true;
        }
        None
    }
}

/// The origin line and tree size of a checkpoint note.
fn origin_and_size(note: &str) -> Option<(&str, u64)> {
    let mut lines = note.lines();
    let origin = lines.next()?;
    let size = lines.next()?.parse().ok()?;
    Some((origin, size))
}

/// The note with its size line one larger and its signature kept.
fn grow_size_line(note: &str) -> Option<String> {
    let (origin, size) = origin_and_size(note)?;
    let rest = note.get(origin.len() + 1..)?.split_once('\n')?.1;
    Some(format!("{origin}\n{}\n{rest}", size.saturating_add(1)))
}

/// A record of either verified answer, as the list rewrites see it.
trait Listed: Clone {
    fn payload_mut(&mut self) -> &mut Vec<u8>;
    fn offset_mut(&mut self) -> &mut Offset;
}

impl Listed for VerifiedRecord {
    fn payload_mut(&mut self) -> &mut Vec<u8> {
        &mut self.payload
    }
    fn offset_mut(&mut self) -> &mut Offset {
        &mut self.offset
    }
}

impl Listed for RangeRecord {
    fn payload_mut(&mut self) -> &mut Vec<u8> {
        &mut self.payload
    }
    fn offset_mut(&mut self) -> &mut Offset {
        &mut self.offset
    }
}

/// Rewrites the records of a `kmb.verify/1` read; true when they changed.
fn rewrite_records(mode: Mode, answer: &mut ReadVerifiedResponse) -> bool {
    if mode == Mode::TruncateProof {
        return match answer.records.last_mut() {
            Some(last) => last.inclusion_proof.pop().is_some(),
            None => false,
        };
    }
    rewrite_list(mode, &mut answer.records, &mut answer.next_offset)
}

/// Rewrites the records of a `kmb.verify/2` read; true when they changed. Its
/// one proof covers the run, so `truncate-proof` shortens that (or, when the
/// run is the whole tree and needs no proof hash, the consistency proof).
fn rewrite_range(mode: Mode, answer: &mut VerifiedRangeResponse) -> bool {
    if mode == Mode::TruncateProof {
        return answer.range_proof.pop().is_some() || answer.consistency_proof.pop().is_some();
    }
    rewrite_list(mode, &mut answer.records, &mut answer.next_offset)
}

/// The list rewrites. Modes that change the list renumber the offsets and
/// `next_offset`, as a careful liar would, so only the hash chain and the
/// proofs can give it away.
fn rewrite_list<R: Listed>(mode: Mode, records: &mut Vec<R>, next: &mut Option<Offset>) -> bool {
    let changed = match mode {
        Mode::FlipPayloadByte => match records.last_mut() {
            Some(last) => flip_byte(last.payload_mut()),
            None => false,
        },
        Mode::DropEvent if records.len() >= 3 => {
            records.remove(1);
            true
        }
        Mode::ReorderEvents if records.len() >= 3 => {
            records.swap(1, 2);
            true
        }
        Mode::DuplicateEvent if !records.is_empty() => {
            let copy = records[0].clone();
            records.insert(1, copy);
            true
        }
        _ => false,
    };
    if changed {
        renumber(records, next);
    }
    changed
}

fn flip_byte(payload: &mut Vec<u8>) -> bool {
    match payload.first_mut() {
        Some(byte) => *byte ^= 0x01,
        None => payload.push(0x01),
    }
    true
}

fn renumber<R: Listed>(records: &mut [R], next_offset: &mut Option<Offset>) {
    let Some(first) = records.first_mut().map(|record| record.offset_mut().0) else {
        return;
    };
    for (index, record) in records.iter_mut().enumerate() {
        *record.offset_mut() = Offset(first + index as u64);
    }
    *next_offset = Some(Offset(first + records.len() as u64));
}

#[cfg(test)]
mod tests;
