//! File I/O behind a trait, so tests can inject faults.
//!
//! Every byte the storage engine reads or writes goes through [`Vfs`] and
//! [`VfsFile`]. [`OsVfs`](os::OsVfs) is the real file system; the fault-injecting
//! [`FaultVfs`](fault::FaultVfs) keeps files in memory, remembers which bytes were
//! synced, and can lose or tear unsynced writes on a simulated power loss, flip
//! bits, run out of space or fail `fsync`.
//!
//! Model assumed of a disk (see docs/storage.md): data written to a file is durable
//! only after [`VfsFile::sync_data`] returns `Ok`; a failed sync leaves the state of
//! unsynced data unknown, so callers treat it as fatal and never retry; directory
//! entries (create, rename, remove) are durable after [`Vfs::sync_dir`].

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod cached_only;
pub mod fault;
pub mod os;

/// How [`Vfs::open`] treats an existing or missing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Open an existing file for reading and writing; fail if it is missing.
    Existing,
    /// Open for reading and writing, creating an empty file if missing.
    Create,
    /// Create a new empty file; fail if it already exists.
    CreateNew,
    /// Open an existing file for reading only.
    ReadOnly,
}

/// A shared, thread-safe open file.
pub type FileHandle = Arc<dyn VfsFile>;

/// A file opened through a [`Vfs`]. All methods take `&self` and may be called
/// from many threads at once (positional I/O, no shared cursor).
pub trait VfsFile: Send + Sync + std::fmt::Debug {
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read
    /// (0 at or past the end of the file).
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;

    /// Writes all of `buf` at `offset`, extending the file if needed.
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;

    /// Makes every write so far durable (`fdatasync`). An error is fatal for the
    /// caller: the data's state is unknown and a retry could lie.
    fn sync_data(&self) -> io::Result<()>;

    /// Truncates or extends the file to `len` bytes.
    fn set_len(&self, len: u64) -> io::Result<()>;

    /// The file's current length in bytes.
    fn len(&self) -> io::Result<u64>;

    /// Whether the file holds no bytes.
    fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Reads exactly `buf.len()` bytes at `offset`, failing with
    /// [`io::ErrorKind::UnexpectedEof`] if the file is shorter.
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let mut done = 0;
        while done < buf.len() {
            let position = offset + done as u64;
            match self.read_at(&mut buf[done..], position)? {
                0 => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("file ends before byte {}", offset + buf.len() as u64),
                    ))
                }
                read => done += read,
            }
        }
        Ok(())
    }
}

/// A file system: the real one or a fault-injecting one.
pub trait Vfs: Send + Sync + std::fmt::Debug {
    /// Opens `path` according to `mode`.
    fn open(&self, path: &Path, mode: OpenMode) -> io::Result<FileHandle>;

    /// Creates a directory and all its parents.
    fn create_dir_all(&self, path: &Path) -> io::Result<()>;

    /// The entries of a directory (full paths), in no particular order.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;

    /// Whether a file or directory exists at `path`.
    fn exists(&self, path: &Path) -> bool;

    /// Removes a file.
    fn remove_file(&self, path: &Path) -> io::Result<()>;

    /// Atomically renames `from` to `to`, replacing `to` if it exists.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;

    /// Makes the directory's entries (creates, renames, removes) durable.
    fn sync_dir(&self, path: &Path) -> io::Result<()>;
}
