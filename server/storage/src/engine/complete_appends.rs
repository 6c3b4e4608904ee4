//! Reading the log append by append: only the records of appends that reached
//! the disk whole.
//!
//! Each stored record carries two flags, first and last of its append (see
//! [`stored_record`](super::stored_record)). A power cut in the middle of a
//! batch write can leave the first records of an append without its last; that
//! append was never acknowledged. [`AppendAssembler`] holds the rule: it hands
//! back each append once its last record has been read, and drops an
//! unfinished one, at the end of the log or where the next append starts
//! (after a restart, new writes follow the leftover entries, which stay in the
//! log). Recovery reads the log through [`CompleteAppends`], an iterator over
//! it, and offline verification feeds it the entries it walks, so the two agree
//! on what the log holds.

use std::collections::VecDeque;

use super::error::EngineError;
use super::stored_record::StoredRecord;
use crate::wal::WalError;

/// A record and where it lies (a log position, or more).
pub(crate) type Placed<P> = (P, StoredRecord);

/// The complete-append rule, fed records in log order, each with its place `P`.
#[derive(Debug)]
pub(crate) struct AppendAssembler<P> {
    /// Records of the append being read, not yet known to be complete.
    pending: Vec<Placed<P>>,
}

/// What feeding one record to an [`AppendAssembler`] gave.
#[derive(Debug)]
pub(crate) struct Fed<P> {
    /// The records of an earlier append that this record's start shows was cut
    /// short: they are dropped. Empty in the usual case.
    pub(crate) cut_short: Vec<Placed<P>>,
    /// The whole append this record completes, in log order; empty until its
    /// last record.
    pub(crate) complete: Vec<Placed<P>>,
}

/// A record that continues an append whose first record is missing: corruption.
#[derive(Debug)]
pub(crate) struct Orphan<P> {
    /// Where it lies.
    pub(crate) place: P,
    /// The record, boxed to keep the error small.
    pub(crate) record: Box<StoredRecord>,
}

impl<P> AppendAssembler<P> {
    /// An assembler at the start of the log.
    pub(crate) const fn new() -> Self {
        Self {
            pending: Vec::new(),
        }
    }

    /// Takes the next record of the log.
    ///
    /// # Errors
    /// [`Orphan`] when the record neither starts an append nor follows a
    /// record of an unfinished one; it is handed back and not kept.
    pub(crate) fn feed(&mut self, place: P, record: StoredRecord) -> Result<Fed<P>, Orphan<P>> {
        let cut_short = if record.is_first_of_append() {
            std::mem::take(&mut self.pending)
        } else if self.pending.is_empty() {
            return Err(Orphan {
                place,
                record: Box::new(record),
            });
        } else {
            Vec::new()
        };
        let last = record.is_last_of_append();
        self.pending.push((place, record));
        let complete = if last {
            std::mem::take(&mut self.pending)
        } else {
            Vec::new()
        };
        Ok(Fed {
            cut_short,
            complete,
        })
    }

    /// Ends the log: the records of an append left unfinished there, which are
    /// dropped (empty when the log ends with a whole append).
    pub(crate) fn finish(&mut self) -> Vec<Placed<P>> {
        std::mem::take(&mut self.pending)
    }
}

/// Yields `(position, record)` for the records of complete appends, in log
/// order, from a scan of `(position, body)` entries.
#[derive(Debug)]
pub struct CompleteAppends<I> {
    entries: I,
    assembler: AppendAssembler<u64>,
    /// Records of a complete append, not yet yielded.
    ready: VecDeque<Placed<u64>>,
    discarded: u64,
}

impl<I> CompleteAppends<I>
where
    I: Iterator<Item = Result<(u64, Vec<u8>), WalError>>,
{
    /// Wraps a log scan (such as [`WalReader::scan`](crate::wal::WalReader::scan)).
    pub fn new(entries: I) -> Self {
        Self {
            entries,
            assembler: AppendAssembler::new(),
            ready: VecDeque::new(),
            discarded: 0,
        }
    }

    /// Records dropped so far because their append was cut short.
    #[must_use]
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    fn discard(&mut self, records: &[Placed<u64>]) {
        if let Some((position, _)) = records.first() {
            tracing::warn!(
                position,
                records = records.len(),
                "skipping an append a crash cut short (it was never acknowledged)"
            );
            self.discarded += records.len() as u64;
        }
    }

    /// Takes one entry; an `Err` is corruption.
    fn take(&mut self, position: u64, body: &[u8]) -> Result<(), EngineError> {
        let record = StoredRecord::decode(body).map_err(|error| {
            EngineError::Corruption(format!("WAL entry at position {position}: {error}"))
        })?;
        match self.assembler.feed(position, record) {
            Ok(fed) => {
                self.discard(&fed.cut_short);
                self.ready.extend(fed.complete);
                Ok(())
            }
            Err(Orphan { place, record }) => Err(EngineError::Corruption(format!(
                "WAL entry at position {place}: record {} of stream {}/{} continues an \
                 append whose first record is missing",
                record.offset, record.tenant_id, record.stream_id
            ))),
        }
    }
}

impl<I> Iterator for CompleteAppends<I>
where
    I: Iterator<Item = Result<(u64, Vec<u8>), WalError>>,
{
    type Item = Result<(u64, StoredRecord), EngineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return Some(Ok(ready));
            }
            match self.entries.next() {
                Some(Ok((position, body))) => {
                    if let Err(error) = self.take(position, &body) {
                        return Some(Err(error));
                    }
                }
                Some(Err(error)) => return Some(Err(error.into())),
                None => {
                    let unfinished = self.assembler.finish();
                    self.discard(&unfinished);
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
