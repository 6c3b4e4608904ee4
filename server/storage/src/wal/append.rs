//! Appending a batch: one frame buffer, one `pwrite`, one `fdatasync`; rotation to
//! a new segment when the batch would overflow the active one; poisoning on any
//! write or sync failure.

use std::sync::Arc;

use super::error::WalError;
use super::format::{encode_entry, ENTRY_HEADER_BYTES, MAX_ENTRY_BODY_BYTES};
use super::open::{create_segment, install_segment};
use super::segments::Segment;
use super::Wal;
use crate::io::OpenMode;

/// A frame buffer grown past this by a huge batch is released afterwards.
const RETAINED_BUFFER_BYTES: usize = 16 << 20;

impl Wal {
    /// Appends `bodies` as consecutive entries with one write and one sync, and
    /// returns their positions once they are durable. An empty batch does no I/O.
    ///
    /// A failed write or sync poisons the log: this and every later call fail.
    pub fn append_batch<B: AsRef<[u8]>>(&mut self, bodies: &[B]) -> Result<Vec<u64>, WalError> {
        let mut positions = Vec::with_capacity(bodies.len());
        self.append_batch_into(bodies, &mut positions)?;
        Ok(positions)
    }

    /// [`append_batch`](Self::append_batch) writing the positions into a reused
    /// vector (cleared first), for a hot path free of allocations.
    pub fn append_batch_into<B: AsRef<[u8]>>(
        &mut self,
        bodies: &[B],
        positions: &mut Vec<u64>,
    ) -> Result<(), WalError> {
        positions.clear();
        if let Some(cause) = &self.poisoned {
            return Err(WalError::Poisoned {
                cause: cause.clone(),
            });
        }
        let mut batch_bytes = 0u64;
        for (index, body) in bodies.iter().enumerate() {
            let len = body.as_ref().len();
            if len > MAX_ENTRY_BODY_BYTES as usize {
                return Err(WalError::EntryTooLarge {
                    index,
                    len,
                    max: MAX_ENTRY_BODY_BYTES,
                });
            }
            batch_bytes += ENTRY_HEADER_BYTES + len as u64;
        }
        if bodies.is_empty() {
            return Ok(());
        }
        let result = self.write_batch(bodies, batch_bytes, positions);
        if let Err(error) = &result {
            tracing::error!(%error, "write-ahead log append failed; the log is stopped");
            self.poisoned = Some(error.to_string());
            positions.clear();
        }
        result
    }

    fn write_batch<B: AsRef<[u8]>>(
        &mut self,
        bodies: &[B],
        batch_bytes: u64,
        positions: &mut Vec<u64>,
    ) -> Result<(), WalError> {
        let used = self.end_lsn - self.active.first_lsn;
        let has_entries = used > super::format::SEGMENT_HEADER_BYTES;
        let overflows = used + batch_bytes > self.config.segment_size_bytes;
        // A segment that grows as written is left as soon as a prepared one is ready.
        let better = !self.zero_tail && self.preparer.is_ready();
        if has_entries && (overflows || better) {
            self.rotate()?;
        }
        self.buffer.clear();
        self.buffer
            .reserve(usize::try_from(batch_bytes).unwrap_or(0));
        for body in bodies {
            positions.push(self.end_lsn + self.buffer.len() as u64);
            encode_entry(body.as_ref(), &mut self.buffer);
        }
        debug_assert_eq!(self.buffer.len() as u64, batch_bytes);
        let active = &self.active;
        let offset = self.end_lsn - active.first_lsn;
        let io_error = |error| WalError::io(&active.path, error);
        active
            .file
            .write_all_at(&self.buffer, offset)
            .map_err(io_error)?;
        active.file.sync_data().map_err(io_error)?;
        self.end_lsn += batch_bytes;
        self.segments.publish_end(self.end_lsn);
        if self.buffer.capacity() > RETAINED_BUFFER_BYTES {
            self.buffer = Vec::new();
        }
        let used = self.end_lsn - self.active.first_lsn;
        let segment_bytes = self.config.segment_size_bytes;
        self.preparer
            .maybe_start(&self.vfs, &self.dir, used, segment_bytes);
        Ok(())
    }

    /// Closes the active segment and starts a new one at the end of the log: the
    /// prepared file if one is ready.
    fn rotate(&mut self) -> Result<(), WalError> {
        if self.zero_tail {
            // Cut the zeros first: closed segments end where the next one starts.
            let active = &self.active;
            let io_error = |error| WalError::io(&active.path, error);
            active
                .file
                .set_len(self.end_lsn - active.first_lsn)
                .map_err(io_error)?;
            active.file.sync_data().map_err(io_error)?;
        }
        let vfs = self.vfs.as_ref();
        let (path, zero_tail) = match self.preparer.take() {
            Some(prepared) => {
                let path =
                    install_segment(vfs, &self.dir, self.end_lsn, &prepared.path, &prepared.file)?;
                (path, true)
            }
            None => (create_segment(vfs, &self.dir, self.end_lsn)?, false),
        };
        self.zero_tail = zero_tail;
        let file = self
            .vfs
            .open(&path, OpenMode::Existing)
            .map_err(|error| WalError::io(&path, error))?;
        let segment = Arc::new(Segment {
            first_lsn: self.end_lsn,
            path,
            file,
        });
        self.segments.push(segment.clone());
        self.active = segment;
        self.end_lsn += super::format::SEGMENT_HEADER_BYTES;
        self.segments.publish_end(self.end_lsn);
        Ok(())
    }
}
