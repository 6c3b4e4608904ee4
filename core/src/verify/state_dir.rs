//! The trusted-state directory: pinned server keys and the last trusted checkpoint of
//! each (server key, tenant, stream), kept across runs and shared by processes.
//!
//! ```text
//! <dir>/lock                                  advisory lock file (fd-lock)
//! <dir>/keys/<hex of the address>             verifier key, one line
//! <dir>/checkpoints/<key id>/<tenant>-<stream>
//!     "kimberlite trusted checkpoint v1\n" "key <verifier key>\n" <signed note>
//! ```
//!
//! Every write happens under an exclusive OS lock on `lock` and goes to a temporary
//! file that is fsynced, renamed over the old file, and made durable by fsyncing the
//! directory: a reader sees the old or the new state, never a mix, and two processes
//! cannot interleave a read-compare-write. A stored checkpoint is the signed note
//! itself, so loading it re-verifies its signature and origin: a file that was
//! corrupted or edited is refused with `CorruptTrustedState`. (A handle skips
//! the signature check only for the very bytes it checked last for that stream.)

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::{StreamId, TenantId};

use super::checks::stream_origin;
use super::opened::OpenedNotes;
use super::Checkpoint;
use crate::error::{Error, ErrorCode, Result, VerificationFailure};

const CHECKPOINT_HEADER: &str = "kimberlite trusted checkpoint v1\n";

/// What [`TrustedStateDir::compare_and_store`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreOutcome {
    /// The new checkpoint is now trusted.
    Stored,
    /// Nothing was written: the trusted checkpoint was not the expected one (another
    /// process or call advanced it). It is returned so the caller can reconcile.
    Changed(Option<Checkpoint>),
}

/// A trusted-state directory. Cheap to clone; every operation opens what it needs.
#[derive(Clone)]
pub struct TrustedStateDir {
    root: PathBuf,
    /// Notes this handle has opened: a file that holds the same bytes as when it
    /// was last loaded is not checked again (opening is a pure function of the
    /// note, the key and the origin); any other bytes are opened in full.
    opened: Arc<OpenedNotes>,
}

impl PartialEq for TrustedStateDir {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root
    }
}

impl Eq for TrustedStateDir {}

impl std::fmt::Debug for TrustedStateDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedStateDir")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> Error {
    Error::new(
        ErrorCode::TrustedState,
        format!("{what} {}", path.display()),
    )
    .with_source(error)
}

impl TrustedStateDir {
    /// Opens (creating if needed) the directory at `root`.
    ///
    /// # Errors
    /// `TrustedState` when the directory cannot be created.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(|error| io_error("cannot create", &root, error))?;
        Ok(Self {
            root,
            opened: Arc::default(),
        })
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.root
    }

    fn key_path(&self, address: &str) -> PathBuf {
        self.root.join("keys").join(hex::encode(address.as_bytes()))
    }

    fn checkpoint_path(
        &self,
        verifier: &NoteVerifier,
        tenant: TenantId,
        stream: StreamId,
    ) -> PathBuf {
        self.root
            .join("checkpoints")
            .join(format!("{:08x}", verifier.key_id()))
            .join(format!("{tenant}-{stream}"))
    }

    /// The key pinned for `address`, if any.
    ///
    /// # Errors
    /// `TrustedState` when the file cannot be read.
    pub fn pinned_key(&self, address: &str) -> Result<Option<String>> {
        let path = self.key_path(address);
        match fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text.trim_end().to_owned())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(io_error("cannot read", &path, error)),
        }
    }

    /// Pins `key` for `address` unless a key is pinned already; returns the pinned key.
    ///
    /// # Errors
    /// `TrustedState` when the lock or the files cannot be used.
    pub fn pin_key_if_absent(&self, address: &str, key: &str) -> Result<String> {
        self.locked(|| {
            if let Some(existing) = self.pinned_key(address)? {
                return Ok(existing);
            }
            write_atomically(&self.key_path(address), format!("{key}\n").as_bytes())?;
            Ok(key.to_owned())
        })
    }

    /// The trusted checkpoint of (`verifier`'s key, `tenant`, `stream`), if any,
    /// re-verified against the key.
    ///
    /// # Errors
    /// `TrustedState` when the file cannot be read, `CorruptTrustedState` when it
    /// does not parse or verify.
    pub fn load_checkpoint(
        &self,
        verifier: &NoteVerifier,
        tenant: TenantId,
        stream: StreamId,
    ) -> Result<Option<Checkpoint>> {
        let path = self.checkpoint_path(verifier, tenant, stream);
        let text = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error("cannot read", &path, error)),
        };
        parse_checkpoint_file(&text, verifier, tenant, stream, &self.opened)
            .map(Some)
            .map_err(|error| {
                Error::verification(
                    VerificationFailure::CorruptTrustedState,
                    format!("trusted checkpoint {} is unusable: {error}", path.display()),
                )
                .with_source(error)
            })
    }

    /// Stores `note` (whose checkpoint is `new`) as trusted if the trusted checkpoint
    /// is still `expected`, all under the lock.
    ///
    /// # Errors
    /// As [`TrustedStateDir::load_checkpoint`], or `TrustedState` when writing fails.
    pub fn compare_and_store(
        &self,
        verifier: &NoteVerifier,
        tenant: TenantId,
        stream: StreamId,
        expected: Option<&Checkpoint>,
        note: &str,
    ) -> Result<StoreOutcome> {
        self.locked(|| {
            let current = self.load_checkpoint(verifier, tenant, stream)?;
            if current.as_ref() != expected {
                return Ok(StoreOutcome::Changed(current));
            }
            let contents = format!("{CHECKPOINT_HEADER}key {}\n{note}", verifier.verifier_key());
            let path = self.checkpoint_path(verifier, tenant, stream);
            write_atomically(&path, contents.as_bytes())?;
            Ok(StoreOutcome::Stored)
        })
    }

    /// Runs `body` holding the directory's exclusive lock.
    fn locked<T>(&self, body: impl FnOnce() -> Result<T>) -> Result<T> {
        let path = self.root.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| io_error("cannot open", &path, error))?;
        let mut lock = fd_lock::RwLock::new(file);
        let _guard = lock
            .write()
            .map_err(|error| io_error("cannot lock", &path, error))?;
        body()
    }
}

fn parse_checkpoint_file(
    bytes: &[u8],
    verifier: &NoteVerifier,
    tenant: TenantId,
    stream: StreamId,
    opened: &OpenedNotes,
) -> Result<Checkpoint> {
    let corrupt =
        |message: &str| Error::verification(VerificationFailure::CorruptTrustedState, message);
    let text = std::str::from_utf8(bytes).map_err(|_| corrupt("not UTF-8"))?;
    let rest = text
        .strip_prefix(CHECKPOINT_HEADER)
        .ok_or_else(|| corrupt("unknown file format"))?;
    let (key_line, note) = rest
        .split_once('\n')
        .ok_or_else(|| corrupt("no key line"))?;
    if key_line.strip_prefix("key ") != Some(verifier.verifier_key().as_str()) {
        return Err(corrupt("stored for another server key"));
    }
    opened.open(note, verifier, &stream_origin(verifier, tenant, stream))
}

/// Replaces `path` with `bytes`: temporary file, fsync, rename, fsync of the directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let Some(directory) = path.parent() else {
        return Err(Error::new(
            ErrorCode::TrustedState,
            "a state file has no directory",
        ));
    };
    fs::create_dir_all(directory).map_err(|error| io_error("cannot create", directory, error))?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    // The lock is held, so one temporary name per process cannot collide.
    let temporary = directory.join(format!(
        ".{}.tmp-{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let mut file =
        File::create(&temporary).map_err(|error| io_error("cannot create", &temporary, error))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|error| io_error("cannot write", &temporary, error))?;
    drop(file);
    fs::rename(&temporary, path).map_err(|error| io_error("cannot replace", path, error))?;
    sync_directory(directory)
}

#[cfg(unix)]
fn sync_directory(directory: &Path) -> Result<()> {
    File::open(directory)
        .and_then(|handle| handle.sync_all())
        .map_err(|error| io_error("cannot sync", directory, error))
}

#[cfg(not(unix))]
fn sync_directory(_directory: &Path) -> Result<()> {
    // Directories cannot be opened for syncing here; the rename is still atomic.
    Ok(())
}
