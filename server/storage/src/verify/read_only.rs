//! A [`Vfs`] that refuses every change, so verification provably writes nothing.
//!
//! Files open only in [`OpenMode::ReadOnly`] (the operating system then refuses
//! writes through the handle as well); creating, removing or renaming anything,
//! and syncing a directory, fail with `PermissionDenied`. A failed read names
//! its file, so a disk error during verification says where it struck.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::io::{FileHandle, OpenMode, Vfs, VfsFile};

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
            OpenMode::ReadOnly => {
                let file = self.inner.open(path, OpenMode::ReadOnly)?;
                Ok(Arc::new(NamedFile {
                    file,
                    path: path.to_path_buf(),
                }))
            }
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

/// A file whose errors name its path.
#[derive(Debug)]
struct NamedFile {
    file: FileHandle,
    path: PathBuf,
}

impl NamedFile {
    fn named(&self, error: io::Error) -> io::Error {
        io::Error::new(error.kind(), format!("{}: {error}", self.path.display()))
    }
}

impl VfsFile for NamedFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.file
            .read_at(buf, offset)
            .map_err(|error| self.named(error))
    }

    fn write_all_at(&self, _buf: &[u8], _offset: u64) -> io::Result<()> {
        Err(refused("write", &self.path))
    }

    fn sync_data(&self) -> io::Result<()> {
        Err(refused("sync files", &self.path))
    }

    fn set_len(&self, _len: u64) -> io::Result<()> {
        Err(refused("truncate files", &self.path))
    }

    fn len(&self) -> io::Result<u64> {
        self.file.len().map_err(|error| self.named(error))
    }
}
