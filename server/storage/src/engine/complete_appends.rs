//! Reading the log append by append: only the records of appends that reached
//! the disk whole.
//!
//! Each stored record carries two flags, first and last of its append (see
//! [`stored_record`](super::stored_record)). A power cut in the middle of a
//! batch write can leave the first records of an append without its last; that
//! append was never acknowledged. [`CompleteAppends`] yields the records of
//! each append once its last record has been read, and drops an unfinished
//! one, at the end of the log or where the next append starts (after a
//! restart, new writes follow the leftover entries, which stay in the log).
//! Recovery and offline verification both read the log through it, so they
//! agree on what the log holds.

use std::collections::VecDeque;

use super::error::EngineError;
use super::stored_record::StoredRecord;
use crate::wal::WalError;

/// Yields `(position, record)` for the records of complete appends, in log
/// order, from a scan of `(position, body)` entries.
#[derive(Debug)]
pub struct CompleteAppends<I> {
    entries: I,
    /// Records of the append being read, not yet known to be complete.
    pending: Vec<(u64, StoredRecord)>,
    /// Records of a complete append, not yet yielded.
    ready: VecDeque<(u64, StoredRecord)>,
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
            pending: Vec::new(),
            ready: VecDeque::new(),
            discarded: 0,
        }
    }

    /// Records dropped so far because their append was cut short.
    #[must_use]
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    fn discard_pending(&mut self) {
        if let Some((position, _)) = self.pending.first() {
            tracing::warn!(
                position,
                records = self.pending.len(),
                "skipping an append a crash cut short (it was never acknowledged)"
            );
            self.discarded += self.pending.len() as u64;
            self.pending.clear();
        }
    }

    /// Takes one entry; an `Err` is corruption.
    fn take(&mut self, position: u64, body: &[u8]) -> Result<(), EngineError> {
        let record = StoredRecord::decode(body).map_err(|error| {
            EngineError::Corruption(format!("WAL entry at position {position}: {error}"))
        })?;
        if record.is_first_of_append() {
            self.discard_pending();
        } else if self.pending.is_empty() {
            return Err(EngineError::Corruption(format!(
                "WAL entry at position {position}: record {} of stream {}/{} continues an \
                 append whose first record is missing",
                record.offset, record.tenant_id, record.stream_id
            )));
        }
        let last = record.is_last_of_append();
        self.pending.push((position, record));
        if last {
            self.ready.extend(self.pending.drain(..));
        }
        Ok(())
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
                    self.discard_pending();
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
