//! Snapshots of derived engine state, bounding recovery's replay.
//!
//! ```text
//! 0   8  magic "KMBSNAP1"
//! 8  32  BLAKE3 of the body
//! 40  8  body length (u64, big-endian)
//! 48  n  body: postcard of Snapshot
//! ```
//! Written to `state/snapshot.tmp`, synced, renamed over `state/snapshot`, and the
//! directory synced, so a crash leaves the old or the new snapshot, never a mix.
//! Written only after every stream index it describes was synced. A snapshot that
//! fails its checksum is ignored (recovery replays the whole log instead): it is
//! derived data, and the WAL stays the source of truth.

use kimberlite_kernel::State;
use serde::{Deserialize, Serialize};

use super::config::Layout;
use super::error::EngineError;
use super::records::Chain;
use super::streams::StreamKey;
use crate::io::{OpenMode, Vfs};

const MAGIC: &[u8; 8] = b"KMBSNAP1";
const HEADER_LEN: usize = 48;

/// Derived state as of a WAL position.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// Every WAL entry before this position is reflected here.
    pub wal_end_lsn: u64,
    /// The kernel state.
    pub state: State,
    /// Length and head of every stream.
    pub chains: Vec<(StreamKey, Chain)>,
}

/// Writes `snapshot` atomically.
pub fn write(vfs: &dyn Vfs, layout: &Layout, snapshot: &Snapshot) -> Result<(), EngineError> {
    let body = postcard::to_allocvec(snapshot)
        .map_err(|error| EngineError::Failed(format!("encoding a snapshot: {error}")))?;
    let mut bytes = Vec::with_capacity(HEADER_LEN + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(blake3::hash(&body).as_bytes());
    bytes.extend_from_slice(&(body.len() as u64).to_be_bytes());
    bytes.extend_from_slice(&body);

    let dir = layout.state_dir();
    vfs.create_dir_all(&dir)?;
    let temporary = dir.join("snapshot.tmp");
    if vfs.exists(&temporary) {
        vfs.remove_file(&temporary)?;
    }
    let file = vfs.open(&temporary, OpenMode::CreateNew)?;
    file.write_all_at(&bytes, 0)?;
    file.sync_data()?;
    drop(file);
    vfs.rename(&temporary, &layout.snapshot())?;
    vfs.sync_dir(&dir)?;
    Ok(())
}

/// Reads the snapshot: `Ok(None)` if there is none, `Err` if it is damaged.
pub fn read(vfs: &dyn Vfs, layout: &Layout) -> Result<Option<Snapshot>, EngineError> {
    let path = layout.snapshot();
    if !vfs.exists(&path) {
        return Ok(None);
    }
    let file = vfs.open(&path, OpenMode::ReadOnly)?;
    let length = usize::try_from(file.len()?).unwrap_or(usize::MAX);
    let damaged = |reason: &str| EngineError::Corruption(format!("{}: {reason}", path.display()));
    if length < HEADER_LEN {
        return Err(damaged("shorter than its header"));
    }
    let mut bytes = vec![0u8; length];
    file.read_exact_at(&mut bytes, 0)?;
    if &bytes[0..8] != MAGIC {
        return Err(damaged("bad magic"));
    }
    let mut declared = [0u8; 8];
    declared.copy_from_slice(&bytes[40..48]);
    if u64::from_be_bytes(declared) != (length - HEADER_LEN) as u64 {
        return Err(damaged("length does not match the file"));
    }
    let body = &bytes[HEADER_LEN..];
    if blake3::hash(body).as_bytes() != &bytes[8..40] {
        return Err(damaged("checksum mismatch"));
    }
    postcard::from_bytes(body)
        .map(Some)
        .map_err(|error| damaged(&error.to_string()))
}
