//! An advisory lock on a data directory, so a second server never opens a
//! directory that one is serving, and `verify` never reads a directory that
//! is being written.
//!
//! The lock is `flock` on `<dir>/kimberlite.toml` (opened read-only, so the
//! file is never changed): a server holds it exclusively for its whole life,
//! `verify` takes it shared for the duration of the check. The operating system
//! drops it when the process ends, however it ends.

use std::fs::File;
use std::io;
use std::path::Path;

use fd_lock::RwLock;

use crate::config::CONFIG_FILE;
use crate::error::CliError;

/// The lock file of a data directory, not yet locked.
pub type DirLock = RwLock<File>;

/// Opens the lock of data directory `dir`; `None` when it has no
/// configuration file (a directory made by other tools).
///
/// # Errors
/// An I/O error other than a missing file.
pub fn open(dir: &Path) -> Result<Option<DirLock>, CliError> {
    let path = dir.join(CONFIG_FILE);
    match File::open(&path) {
        Ok(file) => Ok(Some(RwLock::new(file))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(CliError::io(path)(error)),
    }
}

/// The error for a lock that could not be taken: held by another process, or
/// a failed `flock`.
pub fn busy(dir: &Path, error: io::Error) -> CliError {
    if error.kind() == io::ErrorKind::WouldBlock {
        CliError::DirectoryInUse {
            path: dir.to_path_buf(),
        }
    } else {
        CliError::io(dir.join(CONFIG_FILE))(error)
    }
}
