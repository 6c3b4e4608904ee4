//! The real file system, with positional I/O (`pread`/`pwrite`) and `fdatasync`.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{cached_only, FileHandle, OpenMode, Vfs, VfsFile};

/// Permissions of every file the engine creates: owner read/write only. Key files
/// need it; log files hold tenants' (encrypted) data and get the same.
const FILE_MODE: u32 = 0o600;

/// The operating system's file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsVfs;

/// A file of the [`OsVfs`].
#[derive(Debug)]
pub struct OsFile {
    file: File,
}

impl VfsFile for OsFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if cached_only::active() {
            return read_cached(&self.file, buf, offset);
        }
        loop {
            match self.file.read_at(buf, offset) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.file.write_all_at(buf, offset)
    }

    fn sync_data(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.file.set_len(len)
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
}

/// A read from the page cache only: `preadv2(RWF_NOWAIT)`, which fails with
/// `EAGAIN` rather than wait for the disk. Any failure to read that way (also
/// a file system without `RWF_NOWAIT`) is a miss: the caller reads again
/// outside the scope and then sees the real outcome.
#[cfg(target_os = "linux")]
fn read_cached(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use rustix::io::{preadv2, Errno, ReadWriteFlags};
    loop {
        let mut slices = [io::IoSliceMut::new(buf)];
        match preadv2(file, &mut slices, offset, ReadWriteFlags::NOWAIT) {
            Ok(read) => return Ok(read),
            Err(Errno::INTR) => continue,
            Err(_) => return Err(cached_only::miss()),
        }
    }
}

/// Elsewhere nothing tells whether a read would wait: every read is a miss.
#[cfg(not(target_os = "linux"))]
fn read_cached(_file: &File, _buf: &mut [u8], _offset: u64) -> io::Result<usize> {
    Err(cached_only::miss())
}

impl Vfs for OsVfs {
    fn open(&self, path: &Path, mode: OpenMode) -> io::Result<FileHandle> {
        let mut options = OpenOptions::new();
        options.read(true).mode(FILE_MODE);
        match mode {
            OpenMode::Existing => options.write(true),
            OpenMode::Create => options.write(true).create(true),
            OpenMode::CreateNew => options.write(true).create_new(true),
            OpenMode::ReadOnly => &mut options,
        };
        let file = options.open(path).map_err(|error| annotate(error, path))?;
        Ok(Arc::new(OsFile { file }))
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::create_dir_all(path).map_err(|error| annotate(error, path))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|error| annotate(error, path))? {
            entries.push(entry?.path());
        }
        Ok(entries)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path).map_err(|error| annotate(error, path))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to).map_err(|error| annotate(error, from))
    }

    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        File::open(path)
            .and_then(|dir| dir.sync_all())
            .map_err(|error| annotate(error, path))
    }
}

/// Adds the path to an I/O error so a failure names the file it concerns.
fn annotate(error: io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}
