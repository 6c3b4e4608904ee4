//! Sequential reading of a segment's entries through a read-ahead buffer, used by
//! recovery scans (one `pread` per chunk instead of two per entry).

use std::io;

use super::error::EntryFault;
use super::format::{check_body, decode_entry_header, EntryHeader, ENTRY_HEADER_BYTES};
use crate::io::FileHandle;

/// Bytes read ahead per `pread`.
const CHUNK_BYTES: usize = 256 << 10;

/// A buffered view of a file's first `limit` bytes.
#[derive(Debug)]
pub(crate) struct Cursor {
    file: FileHandle,
    limit: u64,
    buffer: Vec<u8>,
    /// File offset of `buffer[0]`.
    buffer_start: u64,
}

impl Cursor {
    /// Reads `file` up to byte `limit`.
    pub(crate) fn new(file: FileHandle, limit: u64) -> Self {
        Self {
            file,
            limit,
            buffer: Vec::new(),
            buffer_start: 0,
        }
    }

    /// Raises the limit (the log grew).
    pub(crate) fn set_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// The bytes `offset..offset + len`, or `None` if they pass the limit.
    pub(crate) fn bytes(&mut self, offset: u64, len: usize) -> io::Result<Option<&[u8]>> {
        let end = offset + len as u64;
        if end > self.limit {
            return Ok(None);
        }
        let buffer_end = self.buffer_start + self.buffer.len() as u64;
        if offset < self.buffer_start || end > buffer_end {
            let want = len.max(CHUNK_BYTES) as u64;
            let fill = usize::try_from(want.min(self.limit - offset)).unwrap_or(len);
            self.buffer.resize(fill, 0);
            self.file.read_exact_at(&mut self.buffer, offset)?;
            self.buffer_start = offset;
        }
        let start = usize::try_from(offset - self.buffer_start).unwrap_or(usize::MAX);
        Ok(self.buffer.get(start..start + len))
    }

    /// Checks the entry at file offset `offset` (frame and crc), returning its
    /// header or what is wrong with it.
    pub(crate) fn check_entry(
        &mut self,
        offset: u64,
    ) -> io::Result<Result<EntryHeader, EntryFault>> {
        let Some(frame) = self.bytes(offset, ENTRY_HEADER_BYTES as usize)? else {
            return Ok(Err(EntryFault::Truncated));
        };
        let header = match decode_entry_header(frame) {
            Ok(header) => header,
            Err(fault) => return Ok(Err(fault)),
        };
        let body_offset = offset + ENTRY_HEADER_BYTES;
        let Some(body) = self.bytes(body_offset, header.body_len as usize)? else {
            return Ok(Err(EntryFault::Truncated));
        };
        Ok(check_body(header, body).map(|()| header))
    }

    /// The body of an entry already checked by [`check_entry`](Self::check_entry).
    pub(crate) fn body(&mut self, offset: u64, header: EntryHeader) -> io::Result<Vec<u8>> {
        let body = self.bytes(offset + ENTRY_HEADER_BYTES, header.body_len as usize)?;
        Ok(body.map(<[u8]>::to_vec).unwrap_or_default())
    }

    /// Whether every byte from `offset` to the limit is zero: the unused rest of
    /// a segment prepared ahead of use, not a torn write.
    pub(crate) fn zeros_from(&mut self, offset: u64) -> io::Result<bool> {
        let mut at = offset;
        while at < self.limit {
            let len =
                usize::try_from((self.limit - at).min(CHUNK_BYTES as u64)).unwrap_or(CHUNK_BYTES);
            match self.bytes(at, len)? {
                Some(bytes) if bytes.iter().all(|byte| *byte == 0) => at += len as u64,
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    /// Whether a valid entry starts anywhere after `offset` (up to the limit).
    /// Used to tell a torn tail (nothing valid follows) from corruption.
    pub(crate) fn valid_entry_after(&mut self, offset: u64) -> io::Result<Option<u64>> {
        let magic = super::format::ENTRY_MAGIC.to_be_bytes();
        let mut candidate = offset + 1;
        while candidate + ENTRY_HEADER_BYTES <= self.limit {
            let matches = self.bytes(candidate, 4)?.is_some_and(|word| word == magic);
            if matches && self.check_entry(candidate)?.is_ok() {
                return Ok(Some(candidate));
            }
            candidate += 1;
        }
        Ok(None)
    }
}
