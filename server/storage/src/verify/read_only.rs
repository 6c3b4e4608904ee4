//! A [`Vfs`] that refuses every change, so verification provably writes nothing.
//!
//! Files open only in [`OpenMode::ReadOnly`] (the operating system then refuses
//! writes through the handle as well); creating, removing or renaming anything,
//! and syncing a directory, fail with `PermissionDenied`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::io::{FileHandle, OpenMode, Vfs};

/// Read-only access to another [`Vfs`].
#[derive(Debug, Clone)]
pub struct ReadOnlyVfs {
    inner: Arc<dyn Vfs>,
}

impl ReadOnlyVfs {
    /// Wraps `inner`.
    #[must_use]
    pub fn new(inner: Arc<dyn Vfs>) -> Self {
        Self { inner }
    }
}

fn refused(what: &str, path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{}: verification is read-only and does not {what}",
            path.display()
        ),
    )
}

impl Vfs for ReadOnlyVfs {
    fn open(&self, path: &Path, mode: OpenMode) -> io::Result<FileHandle> {
        match mode {
            OpenMode::ReadOnly => self.inner.open(path, OpenMode::ReadOnly),
            OpenMode::Existing | OpenMode::Create | OpenMode::CreateNew => {
                Err(refused("open files for writing", path))
            }
        }
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        Err(refused("create directories", path))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        self.inner.read_dir(path)
    }

    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        Err(refused("remove files", path))
    }

    fn rename(&self, from: &Path, _to: &Path) -> io::Result<()> {
        Err(refused("rename files", from))
    }

    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        Err(refused("sync directories", path))
    }
}
