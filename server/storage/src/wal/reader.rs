//! Reading the log: positional reads of one entry and scans from a position. Every
//! read checks the entry's magic and length against the durable end; whether the
//! body is checked by crc32 is the caller's explicit choice.

use std::sync::Arc;

use super::cursor::Cursor;
use super::error::{EntryFault, WalError};
use super::format::{check_body, decode_entry_header, ENTRY_HEADER_BYTES, SEGMENT_HEADER_BYTES};
use super::segments::{Located, Segments};

/// Bytes read by the first `pread` of an entry: most entries fit, so a read is
/// usually one system call.
const READ_AHEAD_BYTES: u64 = 4096;

/// Whether a read checks the entry body's crc32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyCheck {
    /// Check the crc32 of the length and body (bit rot and torn writes).
    Crc,
    /// Check only the frame (magic, length, bounds): for callers that verify the
    /// body with a stronger check of their own, such as a record hash.
    HeaderOnly,
}

/// A cheap, cloneable handle for reading the log concurrently with appends.
#[derive(Clone, Debug)]
pub struct WalReader {
    segments: Arc<Segments>,
}

impl WalReader {
    pub(super) fn new(segments: Arc<Segments>) -> Self {
        Self { segments }
    }

    /// The end of the durable log.
    #[must_use]
    pub fn end_lsn(&self) -> u64 {
        self.segments.durable_end_lsn()
    }

    /// The body of the entry at `lsn`, checked by crc32.
    pub fn read(&self, lsn: u64) -> Result<Vec<u8>, WalError> {
        self.read_with(lsn, BodyCheck::Crc)
    }

    /// The body of the entry at `lsn`, with the chosen body check.
    pub fn read_with(&self, lsn: u64, check: BodyCheck) -> Result<Vec<u8>, WalError> {
        let located = self.locate_entry(lsn)?;
        let segment = &located.segment;
        let file_offset = lsn - segment.first_lsn;
        let corrupt = |fault| WalError::CorruptEntry {
            path: segment.path.clone(),
            file_offset,
            lsn,
            fault,
        };
        let io_error = |error| WalError::io(&segment.path, error);
        let available = located.end_lsn - lsn;
        let mut buffer = vec![0u8; usize::try_from(available.min(READ_AHEAD_BYTES)).unwrap_or(0)];
        segment
            .file
            .read_exact_at(&mut buffer, file_offset)
            .map_err(io_error)?;
        let header = decode_entry_header(&buffer).map_err(corrupt)?;
        let entry_bytes = header.entry_bytes();
        if entry_bytes > available {
            return Err(corrupt(EntryFault::Truncated));
        }
        let entry_len = usize::try_from(entry_bytes).unwrap_or(usize::MAX);
        let have = buffer.len();
        buffer.resize(entry_len, 0);
        if have < entry_len {
            segment
                .file
                .read_exact_at(&mut buffer[have..], file_offset + have as u64)
                .map_err(io_error)?;
        }
        buffer.drain(..ENTRY_HEADER_BYTES as usize);
        if check == BodyCheck::Crc {
            check_body(header, &buffer).map_err(corrupt)?;
        }
        if buffer.capacity() > 2 * buffer.len() + 64 {
            // Do not hand out the read-ahead slack with every small record.
            buffer.shrink_to_fit();
        }
        Ok(buffer)
    }

    /// Every entry from `from_lsn` (an entry position, a segment start or the end)
    /// to the durable end, as `(position, body)`, each checked by crc32. A start
    /// past the end is an [`WalError::OutOfRange`] error. Stops after the first
    /// error.
    #[must_use]
    pub fn scan(&self, from_lsn: u64) -> WalScan {
        WalScan {
            segments: self.segments.clone(),
            lsn: from_lsn,
            current: None,
            done: false,
        }
    }

    /// The segment holding an entry at `lsn`, if `lsn` can be one.
    fn locate_entry(&self, lsn: u64) -> Result<Located, WalError> {
        let out_of_range = || WalError::OutOfRange {
            lsn,
            end_lsn: self.end_lsn(),
        };
        let located = self.segments.locate(lsn).ok_or_else(out_of_range)?;
        let first_entry = located.segment.first_lsn + SEGMENT_HEADER_BYTES;
        if lsn < first_entry || lsn + ENTRY_HEADER_BYTES > located.end_lsn {
            return Err(out_of_range());
        }
        Ok(located)
    }
}

/// An iterator over the log's entries; see [`WalReader::scan`].
#[derive(Debug)]
pub struct WalScan {
    segments: Arc<Segments>,
    lsn: u64,
    current: Option<(Located, Cursor)>,
    done: bool,
}

impl WalScan {
    /// Moves to the segment holding `self.lsn`, skipping a segment header.
    /// Returns false at the end of the log. Locating again on every call lets a
    /// scan follow appends and rotations made while it runs.
    fn position(&mut self) -> Result<bool, WalError> {
        loop {
            let Some(located) = self.segments.locate(self.lsn) else {
                let end_lsn = self.segments.durable_end_lsn();
                return Err(WalError::OutOfRange {
                    lsn: self.lsn,
                    end_lsn,
                });
            };
            let first_lsn = located.segment.first_lsn;
            let limit = located.end_lsn - first_lsn;
            match self.current.as_mut() {
                Some((current, cursor)) if current.segment.first_lsn == first_lsn => {
                    cursor.set_limit(limit);
                    *current = located.clone();
                }
                _ => {
                    let cursor = Cursor::new(located.segment.file.clone(), limit);
                    self.current = Some((located.clone(), cursor));
                }
            }
            if self.lsn == first_lsn {
                self.lsn += SEGMENT_HEADER_BYTES;
            }
            if self.lsn < located.end_lsn {
                return Ok(true);
            }
            if located.is_last {
                if self.lsn > located.end_lsn {
                    // A caller expecting more log than there is (say, a snapshot
                    // past a cut tail) must hear about it, not see an empty scan.
                    return Err(WalError::OutOfRange {
                        lsn: self.lsn,
                        end_lsn: located.end_lsn,
                    });
                }
                return Ok(false);
            }
        }
    }

    fn next_entry(&mut self) -> Result<Option<(u64, Vec<u8>)>, WalError> {
        if !self.position()? {
            return Ok(None);
        }
        let Some((located, cursor)) = self.current.as_mut() else {
            return Ok(None);
        };
        let segment = &located.segment;
        let file_offset = self.lsn - segment.first_lsn;
        let io_error = |error| WalError::io(&segment.path, error);
        let header = match cursor.check_entry(file_offset).map_err(io_error)? {
            Ok(header) => header,
            Err(fault) => {
                return Err(WalError::CorruptEntry {
                    path: segment.path.clone(),
                    file_offset,
                    lsn: self.lsn,
                    fault,
                })
            }
        };
        let body = cursor.body(file_offset, header).map_err(io_error)?;
        let lsn = self.lsn;
        self.lsn += header.entry_bytes();
        Ok(Some((lsn, body)))
    }
}

impl Iterator for WalScan {
    type Item = Result<(u64, Vec<u8>), WalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = self.next_entry();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result.transpose()
    }
}
