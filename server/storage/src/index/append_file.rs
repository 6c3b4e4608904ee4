//! An append-only file with an in-memory tail of not yet written bytes.
//!
//! Appends collect in memory and reach the file with one write per
//! [`flush`](AppendFile::flush), so indexing a batch of records costs one `pwrite`
//! per index file. Reads see flushed and pending bytes alike. Memory holds only
//! what was appended since the last flush.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::IndexError;
use crate::io::{FileHandle, OpenMode, Vfs};

/// A flushed file's `fdatasync`, still to run.
#[derive(Debug)]
pub(crate) struct FileSync {
    path: PathBuf,
    file: FileHandle,
}

impl FileSync {
    /// Makes everything flushed before [`AppendFile::flush_for_sync`] durable.
    pub(crate) fn run(self) -> Result<(), IndexError> {
        self.file.sync_data().map_err(IndexError::io(&self.path))
    }
}

/// An append-only file of an index.
#[derive(Debug)]
pub(crate) struct AppendFile {
    path: PathBuf,
    file: FileHandle,
    /// Bytes in the file (everything before `pending`).
    flushed_len: u64,
    /// Appended bytes not written yet.
    pending: Vec<u8>,
}

impl AppendFile {
    /// Opens or creates the file.
    pub(crate) fn open(vfs: &Arc<dyn Vfs>, path: PathBuf) -> Result<Self, IndexError> {
        let file = vfs
            .open(&path, OpenMode::Create)
            .map_err(IndexError::io(&path))?;
        let flushed_len = file.len().map_err(IndexError::io(&path))?;
        Ok(Self {
            path,
            file,
            flushed_len,
            pending: Vec::new(),
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Length in bytes, pending bytes included.
    pub(crate) fn len(&self) -> u64 {
        self.flushed_len + self.pending.len() as u64
    }

    /// Bytes appended since the last flush.
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Appends bytes (in memory until the next flush).
    pub(crate) fn append(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// Reads exactly `buf.len()` bytes at `position`, which must lie below
    /// [`len`](Self::len).
    pub(crate) fn read_exact_at(&self, buf: &mut [u8], position: u64) -> Result<(), IndexError> {
        let end = position + buf.len() as u64;
        if end <= self.flushed_len {
            return self
                .file
                .read_exact_at(buf, position)
                .map_err(IndexError::io(&self.path));
        }
        if position >= self.flushed_len {
            // Wholly pending: the offsets fit `usize` because `pending` holds them.
            let start = usize::try_from(position - self.flushed_len).unwrap_or(usize::MAX);
            let slice = start
                .checked_add(buf.len())
                .and_then(|stop| self.pending.get(start..stop))
                .ok_or_else(|| beyond_end(&self.path, end, self.len()))?;
            buf.copy_from_slice(slice);
            return Ok(());
        }
        // Straddles the boundary: the file part, then the pending part.
        let split = usize::try_from(self.flushed_len - position).unwrap_or(usize::MAX);
        let (head, tail) = buf.split_at_mut(split);
        self.file
            .read_exact_at(head, position)
            .map_err(IndexError::io(&self.path))?;
        let slice = self
            .pending
            .get(..tail.len())
            .ok_or_else(|| beyond_end(&self.path, end, self.len()))?;
        tail.copy_from_slice(slice);
        Ok(())
    }

    /// Writes the pending bytes to the file (not synced).
    pub(crate) fn flush(&mut self) -> Result<(), IndexError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.file
            .write_all_at(&self.pending, self.flushed_len)
            .map_err(IndexError::io(&self.path))?;
        self.flushed_len += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Flushes, then makes the file's contents durable.
    pub(crate) fn sync(&mut self) -> Result<(), IndexError> {
        self.flush_for_sync()?.run()
    }

    /// Flushes, and returns the sync still to run (which needs no access to
    /// `self`, so the caller can run it after releasing a lock).
    pub(crate) fn flush_for_sync(&mut self) -> Result<FileSync, IndexError> {
        self.flush()?;
        Ok(FileSync {
            path: self.path.clone(),
            file: self.file.clone(),
        })
    }

    /// Cuts the file to `len` bytes (pending bytes first).
    pub(crate) fn truncate(&mut self, len: u64) -> Result<(), IndexError> {
        if len >= self.len() {
            return Ok(());
        }
        if len >= self.flushed_len {
            let keep = usize::try_from(len - self.flushed_len).unwrap_or(usize::MAX);
            self.pending.truncate(keep);
            return Ok(());
        }
        self.pending.clear();
        self.file.set_len(len).map_err(IndexError::io(&self.path))?;
        self.flushed_len = len;
        Ok(())
    }
}

fn beyond_end(path: &Path, end: u64, len: u64) -> IndexError {
    IndexError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("read up to byte {end} of a file of {len} bytes"),
        ),
    }
}
