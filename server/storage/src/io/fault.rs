//! A fault-injecting, in-memory [`Vfs`] for crash and corruption tests.
//!
//! [`FaultVfs`] keeps every file's synced bytes apart from its unsynced writes and
//! every directory's durable entries apart from recent creates, renames and
//! removes. [`FaultVfs::power_loss`] then does what a power cut may do: each file
//! keeps its synced bytes plus a random prefix of its unsynced writes, the first
//! write left out possibly torn (a prefix of it followed by garbage), and
//! directory changes not yet made durable by [`Vfs::sync_dir`] may revert (a
//! random prefix of them, in order, survives). Faults can be armed: `ENOSPC` after
//! a byte budget, a failing `fsync` (which, like Linux after "fsyncgate", leaves
//! the unsynced data half written while reads still show it), bit flips, failing
//! reads. Everything random comes from seeds, so a failing test replays exactly.
//!
//! ```
//! use std::path::Path;
//! use kimberlite_storage::io::{fault::FaultVfs, OpenMode, Vfs};
//!
//! let vfs = FaultVfs::new(7);
//! vfs.create_dir_all(Path::new("/d"))?;
//! let file = vfs.open(Path::new("/d/f"), OpenMode::CreateNew)?;
//! vfs.sync_dir(Path::new("/d"))?;
//! file.write_all_at(b"durable", 0)?;
//! file.sync_data()?;
//! file.write_all_at(b" maybe", 7)?;
//! vfs.power_loss(42);
//! let after = vfs.contents(Path::new("/d/f"))?;
//! assert!(after.starts_with(b"durable"));
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{FileHandle, OpenMode, Vfs};

mod file;
mod state;
#[cfg(test)]
mod tests;

pub use file::FaultFile;
use state::{is_a_directory, not_found, Disk, Inode, InodeId, NameOp, Node};

/// `ENOSPC` on Linux and the BSDs.
const ENOSPC: i32 = 28;
/// `EIO`.
const EIO: i32 = 5;

/// Counters of the I/O a [`FaultVfs`] has served, for tests that check how many
/// writes and syncs an operation costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Calls of [`VfsFile::write_all_at`](super::VfsFile::write_all_at).
    pub writes: u64,
    /// Bytes those calls wrote.
    pub bytes_written: u64,
    /// Calls of [`VfsFile::sync_data`](super::VfsFile::sync_data).
    pub syncs: u64,
    /// Calls of [`Vfs::sync_dir`].
    pub dir_syncs: u64,
}

/// An in-memory file system that can lose power and inject faults. Clones share
/// the same disk.
#[derive(Clone, Debug)]
pub struct FaultVfs {
    inner: Arc<Mutex<Inner>>,
}

/// Faults armed by a test.
#[derive(Debug, Default)]
struct Faults {
    /// Bytes that may still be written before writes fail with `ENOSPC`.
    write_budget_bytes: Option<u64>,
    /// Syncs that still succeed before the next one fails.
    syncs_before_failure: Option<u64>,
    /// Files whose reads fail with `EIO`.
    failing_reads: BTreeSet<InodeId>,
    /// Files not in memory: a read in a `cached_only` scope misses, a read
    /// outside one brings the file back into memory.
    evicted: BTreeSet<InodeId>,
}

#[derive(Debug)]
struct Inner {
    disk: Disk,
    faults: Faults,
    /// Drives failed syncs; power losses use their own seed.
    rng: StdRng,
    /// Bumped by each power loss; handles from an older generation are dead.
    generation: u64,
    stats: FaultStats,
}

impl FaultVfs {
    /// An empty file system; `seed` drives what a failed sync leaves behind.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let inner = Inner {
            disk: Disk::default(),
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed),
            generation: 0,
            stats: FaultStats::default(),
        };
        Self {
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Simulates a power cut and restart, deterministically from `seed`: unsynced
    /// writes are lost or torn, unsynced directory changes may revert, armed
    /// faults are cleared and every open handle stops working.
    pub fn power_loss(&self, seed: u64) {
        let mut inner = self.lock();
        let mut rng = StdRng::seed_from_u64(seed);
        inner.disk.lose_power(&mut rng);
        inner.faults = Faults::default();
        inner.generation += 1;
    }

    /// Lets `bytes` more bytes be written, after which writes fail with `ENOSPC`
    /// (a write crossing the limit writes what fits, then fails).
    pub fn fail_writes_after_bytes(&self, bytes: u64) {
        self.lock().faults.write_budget_bytes = Some(bytes);
    }

    /// Lets `syncs` more `sync_data` calls succeed, then fails the next one. The
    /// failed sync makes a random part of the file's unsynced writes durable and
    /// forgets the rest, while reads still show them (so a retried sync that
    /// succeeds proves nothing). One shot: later syncs succeed again.
    pub fn fail_sync_after(&self, syncs: u64) {
        self.lock().faults.syncs_before_failure = Some(syncs);
    }

    /// Flips bit `bit` (0-7) of the byte at `offset` of `path`, in both what reads
    /// see and what is durable: bit rot.
    pub fn flip_bit(&self, path: &Path, offset: u64, bit: u8) -> io::Result<()> {
        let mut inner = self.lock();
        let inode = inner.disk.inode_of(path)?;
        let file = inner.inode_mut(inode)?;
        let index = state::to_usize(offset);
        if index >= file.current.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: offset {offset} is past the end", path.display()),
            ));
        }
        let mask = 1u8 << (bit % 8);
        file.current[index] ^= mask;
        if let Some(byte) = file.synced.get_mut(index) {
            *byte ^= mask;
        }
        Ok(())
    }

    /// Makes every read of the file at `path` fail with `EIO`.
    pub fn fail_reads(&self, path: &Path) -> io::Result<()> {
        let mut inner = self.lock();
        let inode = inner.disk.inode_of(path)?;
        inner.faults.failing_reads.insert(inode);
        Ok(())
    }

    /// Drops the file at `path` from memory, as `posix_fadvise(DONTNEED)` would:
    /// reads inside [`cached_only`](super::cached_only::cached_only) miss until a
    /// read outside one has brought it back.
    pub fn evict(&self, path: &Path) -> io::Result<()> {
        let mut inner = self.lock();
        let inode = inner.disk.inode_of(path)?;
        inner.faults.evicted.insert(inode);
        Ok(())
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.lock().faults = Faults::default();
    }

    /// The I/O served so far.
    #[must_use]
    pub fn stats(&self) -> FaultStats {
        self.lock().stats
    }

    /// What a read of the whole file at `path` would return now.
    pub fn contents(&self, path: &Path) -> io::Result<Vec<u8>> {
        let inner = self.lock();
        let inode = inner.disk.inode_of(path)?;
        Ok(inner
            .disk
            .inodes
            .get(&inode)
            .map(|file| file.current.clone())
            .unwrap_or_default())
    }

    /// How many bytes of the file at `path` are durable.
    pub fn synced_len(&self, path: &Path) -> io::Result<u64> {
        let inner = self.lock();
        let inode = inner.disk.inode_of(path)?;
        Ok(inner
            .disk
            .inodes
            .get(&inode)
            .map_or(0, |file| file.synced.len() as u64))
    }
}

impl Inner {
    fn inode_mut(&mut self, inode: InodeId) -> io::Result<&mut Inode> {
        self.disk
            .inodes
            .get_mut(&inode)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the file was removed"))
    }

    /// Creates an empty file at `path` and names it.
    fn create_file(&mut self, path: &Path) -> InodeId {
        let inode = self.disk.next_inode;
        self.disk.next_inode += 1;
        self.disk.inodes.insert(inode, Inode::default());
        self.disk.change_names(NameOp::Link {
            path: path.to_path_buf(),
            node: Node::File(inode),
        });
        inode
    }
}

impl Vfs for FaultVfs {
    fn open(&self, path: &Path, mode: OpenMode) -> io::Result<FileHandle> {
        let mut inner = self.lock();
        let existing = inner.disk.names.get(path).copied();
        let inode = match (existing, mode) {
            (Some(Node::Dir), _) => return Err(is_a_directory(path)),
            (Some(Node::File(_)), OpenMode::CreateNew) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{}: already exists", path.display()),
                ))
            }
            (Some(Node::File(inode)), _) => inode,
            (None, OpenMode::Existing | OpenMode::ReadOnly) => return Err(not_found(path)),
            (None, OpenMode::Create | OpenMode::CreateNew) => {
                if !inner.disk.parent_exists(path) {
                    return Err(not_found(path.parent().unwrap_or(path)));
                }
                inner.create_file(path)
            }
        };
        let handle = FaultFile::new(
            self.inner.clone(),
            inode,
            inner.generation,
            mode != OpenMode::ReadOnly,
            path.to_path_buf(),
        );
        Ok(Arc::new(handle))
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        let mut inner = self.lock();
        let mut ancestors: Vec<PathBuf> = path
            .ancestors()
            .filter(|dir| dir.parent().is_some() && !dir.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .collect();
        ancestors.reverse();
        for dir in ancestors {
            match inner.disk.names.get(&dir) {
                Some(Node::Dir) => {}
                Some(Node::File(_)) => {
                    return Err(io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        format!("{}: is a file", dir.display()),
                    ))
                }
                None => inner.disk.change_names(NameOp::Link {
                    path: dir,
                    node: Node::Dir,
                }),
            }
        }
        Ok(())
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let inner = self.lock();
        if path.parent().is_some() && inner.disk.names.get(path) != Some(&Node::Dir) {
            return Err(not_found(path));
        }
        let entries = inner
            .disk
            .names
            .keys()
            .filter(|entry| entry.parent() == Some(path))
            .cloned()
            .collect();
        Ok(entries)
    }

    fn exists(&self, path: &Path) -> bool {
        path.parent().is_none() || self.lock().disk.names.contains_key(path)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let mut inner = self.lock();
        inner.disk.inode_of(path)?;
        inner.disk.change_names(NameOp::Unlink {
            path: path.to_path_buf(),
        });
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut inner = self.lock();
        inner.disk.inode_of(from)?;
        if !inner.disk.parent_exists(to) {
            return Err(not_found(to.parent().unwrap_or(to)));
        }
        if inner.disk.names.get(to) == Some(&Node::Dir) {
            return Err(is_a_directory(to));
        }
        inner.disk.change_names(NameOp::Rename {
            from: from.to_path_buf(),
            to: to.to_path_buf(),
        });
        Ok(())
    }

    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        let mut inner = self.lock();
        if path.parent().is_some() && inner.disk.names.get(path) != Some(&Node::Dir) {
            return Err(not_found(path));
        }
        inner.stats.dir_syncs += 1;
        inner.disk.sync_dir(path);
        Ok(())
    }
}
