//! Engine configuration, the clock, and the data directory's layout.
//!
//! ```text
//! <data dir>/
//!   keys/master.key          32-byte node master key (0600)
//!   keys/signing.key         32-byte Ed25519 seed of the node signing key (0600)
//!   keys/tenants/<id>.key    tenant data keys, wrapped under the master key's KEK
//!   wal/<first lsn>.seg      the write-ahead log: every record of every stream
//!   streams/<t>/<s>/         derived per-stream indexes (offsets, Merkle hashes)
//!   state/snapshot           derived engine state at a WAL position (catalog, heads)
//! ```
//! Everything outside `keys/` and `wal/` is derived and rebuilt from the WAL if lost.

use crate::wal::Preallocate;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where time comes from. The kernel reads no clock; the engine stamps commands
/// with this one, so simulations can drive time themselves.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Nanoseconds since the Unix epoch.
    fn now_ns(&self) -> u64;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ns(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
            })
    }
}

/// Tunables of an [`Engine`](super::Engine). The defaults suit a server.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Identity of this node, the prefix of every checkpoint origin.
    pub identity: String,
    /// A WAL segment is closed once it would grow past this size.
    pub segment_size_bytes: u64,
    /// How WAL segments get their space: by default the next one is filled with
    /// zeros on a thread of its own once the log is written to (a sync then
    /// flushes data only, not the file's size and blocks).
    pub wal_preallocate: Preallocate,
    /// Upper bound of one group commit's payload bytes; more waits for the next.
    pub max_batch_bytes: usize,
    /// A snapshot of derived state is written after this many WAL bytes, bounding
    /// the replay work of recovery (a full replay runs at several hundred MB/s,
    /// while a snapshot pauses writes for one sync per changed index file).
    pub snapshot_interval_bytes: u64,
    /// Largest payload of one event.
    pub max_event_bytes: usize,
}

impl EngineConfig {
    /// Defaults for a data directory.
    #[must_use]
    pub fn new(data_dir: impl Into<PathBuf>, identity: impl Into<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            identity: identity.into(),
            segment_size_bytes: 256 * 1024 * 1024,
            wal_preallocate: Preallocate::Background,
            max_batch_bytes: 8 * 1024 * 1024,
            snapshot_interval_bytes: 256 * 1024 * 1024,
            max_event_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Paths inside a data directory.
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout rooted at `root`.
    #[must_use]
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    /// The data directory itself.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `keys/`.
    #[must_use]
    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// `keys/master.key`.
    #[must_use]
    pub fn master_key(&self) -> PathBuf {
        self.keys_dir().join("master.key")
    }

    /// `keys/signing.key`.
    #[must_use]
    pub fn signing_key(&self) -> PathBuf {
        self.keys_dir().join("signing.key")
    }

    /// `wal/`.
    #[must_use]
    pub fn wal_dir(&self) -> PathBuf {
        self.root.join("wal")
    }

    /// `streams/`.
    #[must_use]
    pub fn streams_dir(&self) -> PathBuf {
        self.root.join("streams")
    }

    /// `state/`.
    #[must_use]
    pub fn state_dir(&self) -> PathBuf {
        self.root.join("state")
    }

    /// `state/snapshot`.
    #[must_use]
    pub fn snapshot(&self) -> PathBuf {
        self.state_dir().join("snapshot")
    }
}
