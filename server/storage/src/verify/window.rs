//! A read-only, buffered view of one file for sequential checks.
//!
//! The file is opened for each refill and closed again, so a verification of a
//! node with many streams never holds more than one descriptor per read: each
//! stream's index files are read a chunk at a time as its records come by.

use std::io;
use std::path::{Path, PathBuf};

use crate::io::{OpenMode, Vfs};

/// A file's bytes, read a chunk at a time.
#[derive(Debug)]
pub(super) struct Window {
    path: PathBuf,
    len: u64,
    chunk_bytes: usize,
    buffer: Vec<u8>,
    /// File offset of `buffer[0]`.
    start: u64,
}

impl Window {
    /// A view of `path`; a missing file reads as empty.
    pub(super) fn open(vfs: &dyn Vfs, path: &Path, chunk_bytes: usize) -> io::Result<Self> {
        let len = match vfs.open(path, OpenMode::ReadOnly) {
            Ok(file) => file.len()?,
            Err(error) if error.kind() == io::ErrorKind::NotFound => 0,
            Err(error) => return Err(error),
        };
        Ok(Self {
            path: path.to_path_buf(),
            len,
            chunk_bytes,
            buffer: Vec::new(),
            start: 0,
        })
    }

    /// The file's length when the view was made.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// Bytes `offset..offset + count`, or `None` if they pass the end.
    pub(super) fn bytes(
        &mut self,
        vfs: &dyn Vfs,
        offset: u64,
        count: usize,
    ) -> io::Result<Option<&[u8]>> {
        let Some(end) = offset.checked_add(count as u64) else {
            return Ok(None);
        };
        if end > self.len {
            return Ok(None);
        }
        let buffered_end = self.start + self.buffer.len() as u64;
        if offset < self.start || end > buffered_end {
            let want = count.max(self.chunk_bytes) as u64;
            let fill = usize::try_from(want.min(self.len - offset)).unwrap_or(count);
            self.buffer.resize(fill, 0);
            let file = vfs.open(&self.path, OpenMode::ReadOnly)?;
            file.read_exact_at(&mut self.buffer, offset)?;
            self.start = offset;
        }
        let at = usize::try_from(offset - self.start).unwrap_or(usize::MAX);
        Ok(self.buffer.get(at..at + count))
    }
}
