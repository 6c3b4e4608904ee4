//! An open file of a [`FaultVfs`](super::FaultVfs): positional reads and writes
//! against the in-memory disk, with the armed faults applied.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::state::{to_usize, InodeId, PendingOp};
use super::{Inner, EIO, ENOSPC};
use crate::io::{cached_only, VfsFile};

/// A handle on a [`FaultVfs`](super::FaultVfs) file. It follows the file across
/// renames and dies at the next power loss.
#[derive(Debug)]
pub struct FaultFile {
    inner: Arc<Mutex<Inner>>,
    inode: InodeId,
    generation: u64,
    writable: bool,
    /// The path it was opened by, for error messages.
    path: PathBuf,
}

impl FaultFile {
    pub(super) fn new(
        inner: Arc<Mutex<Inner>>,
        inode: InodeId,
        generation: u64,
        writable: bool,
        path: PathBuf,
    ) -> Self {
        Self {
            inner,
            inode,
            generation,
            writable,
            path,
        }
    }

    /// Locks the disk, failing if power was lost since this handle was opened.
    fn lock(&self) -> io::Result<MutexGuard<'_, Inner>> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.generation != self.generation {
            return Err(self.error(io::ErrorKind::Other, "handle from before a power loss"));
        }
        Ok(inner)
    }

    fn error(&self, kind: io::ErrorKind, what: &str) -> io::Error {
        io::Error::new(kind, format!("{}: {what}", self.path.display()))
    }

    fn check_writable(&self) -> io::Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(self.error(io::ErrorKind::PermissionDenied, "opened read-only"))
        }
    }
}

impl VfsFile for FaultFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let mut inner = self.lock()?;
        if inner.faults.failing_reads.contains(&self.inode) {
            return Err(io::Error::from_raw_os_error(EIO));
        }
        if cached_only::active() {
            if inner.faults.evicted.contains(&self.inode) {
                return Err(cached_only::miss());
            }
        } else {
            inner.faults.evicted.remove(&self.inode);
        }
        let file = inner.inode_mut(self.inode)?;
        let start = to_usize(offset).min(file.current.len());
        let read = buf.len().min(file.current.len() - start);
        buf[..read].copy_from_slice(&file.current[start..start + read]);
        Ok(read)
    }

    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.check_writable()?;
        let mut inner = self.lock()?;
        inner.stats.writes += 1;
        let mut data = buf;
        let mut full = false;
        if let Some(budget) = inner.faults.write_budget_bytes.as_mut() {
            let fits = to_usize(*budget).min(buf.len());
            *budget -= fits as u64;
            full = fits < buf.len();
            data = &buf[..fits];
        }
        inner.stats.bytes_written += data.len() as u64;
        if !data.is_empty() {
            let op = PendingOp::Write {
                offset,
                data: data.to_vec(),
            };
            let file = inner.inode_mut(self.inode)?;
            op.apply(&mut file.current);
            file.pending.push(op);
        }
        if full {
            return Err(io::Error::from_raw_os_error(ENOSPC));
        }
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        let mut inner = self.lock()?;
        inner.stats.syncs += 1;
        let fail = match inner.faults.syncs_before_failure.as_mut() {
            Some(0) => true,
            Some(remaining) => {
                *remaining -= 1;
                false
            }
            None => false,
        };
        if fail {
            inner.faults.syncs_before_failure = None;
            let Inner { disk, rng, .. } = &mut *inner;
            if let Some(file) = disk.inodes.get_mut(&self.inode) {
                file.persist_random_prefix(rng);
            }
            return Err(io::Error::from_raw_os_error(EIO));
        }
        inner.inode_mut(self.inode)?.sync();
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.check_writable()?;
        let mut inner = self.lock()?;
        let op = PendingOp::SetLen(len);
        let file = inner.inode_mut(self.inode)?;
        op.apply(&mut file.current);
        file.pending.push(op);
        Ok(())
    }

    fn len(&self) -> io::Result<u64> {
        let mut inner = self.lock()?;
        Ok(inner.inode_mut(self.inode)?.current.len() as u64)
    }
}
