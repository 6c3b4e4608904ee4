//! Reading and atomically writing small secret files through the [`Vfs`].

use std::io;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::error::CryptoError;
use crate::io::{OpenMode, Vfs};

/// Largest key file read; anything bigger is not one of ours.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// Writes `bytes` to `path` atomically and durably: a temporary file, synced,
/// renamed into place, the directory synced. With `overwrite` false an existing
/// file is an error.
pub(crate) fn write_atomically(
    vfs: &dyn Vfs,
    path: &Path,
    bytes: &[u8],
    overwrite: bool,
) -> Result<(), CryptoError> {
    if !overwrite && vfs.exists(path) {
        return Err(CryptoError::AlreadyExists {
            path: path.to_path_buf(),
        });
    }
    let dir = parent(path);
    let temp = temp_path(path);
    let file = vfs
        .open(&temp, OpenMode::Create)
        .map_err(|error| CryptoError::io(&temp, error))?;
    file.set_len(0)
        .map_err(|error| CryptoError::io(&temp, error))?;
    file.write_all_at(bytes, 0)
        .map_err(|error| CryptoError::io(&temp, error))?;
    file.sync_data()
        .map_err(|error| CryptoError::io(&temp, error))?;
    vfs.rename(&temp, path)
        .map_err(|error| CryptoError::io(path, error))?;
    vfs.sync_dir(&dir)
        .map_err(|error| CryptoError::io(&dir, error))?;
    Ok(())
}

/// Reads a whole small file into zeroizing memory. `Ok(None)` if it is missing.
pub(crate) fn read_secret(
    vfs: &dyn Vfs,
    path: &Path,
) -> Result<Option<Zeroizing<Vec<u8>>>, CryptoError> {
    let file = match vfs.open(path, OpenMode::ReadOnly) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(CryptoError::io(path, error)),
    };
    let len = file.len().map_err(|error| CryptoError::io(path, error))?;
    if len > MAX_KEY_FILE_BYTES {
        return Err(CryptoError::InvalidKeyFile {
            path: path.to_path_buf(),
            reason: "file too large",
        });
    }
    let mut bytes = Zeroizing::new(vec![0u8; usize::try_from(len).unwrap_or(0)]);
    file.read_exact_at(&mut bytes, 0)
        .map_err(|error| CryptoError::io(path, error))?;
    Ok(Some(bytes))
}

/// The directory holding `path`.
pub(crate) fn parent(path: &Path) -> PathBuf {
    path.parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The temporary name used while writing `path`.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}
