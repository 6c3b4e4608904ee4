//! Per-stream indexes derived from the WAL: offsets and the Merkle tree.
//!
//! Each stream has a directory `streams/<tenant>/<stream>/` with two files:
//! [`offsets.idx`](offsets) (offset -> WAL position and commit time) and
//! [`tree.hashes`](tree) (every perfect subtree hash of the stream's RFC 6962
//! tree). [`StreamIndexes`] keeps them in step: one entry and one leaf per
//! record. Both files are derived: writes are not synced per batch, a crash may
//! leave them shorter than the log or with a partial tail, and recovery cuts
//! them to a length the log vouches for and re-appends the rest from the WAL.
//! Memory per stream is O(log n) whatever the stream's length.

mod append_file;
mod error;
pub mod offsets;
pub mod tree;
pub mod tree_layout;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_protocol::{Hash, StreamId, TenantId};

use append_file::FileSync;
pub use error::IndexError;
pub use offsets::{OffsetEntry, OffsetIndex};
pub use tree::HashTree;

use crate::io::Vfs;

/// File name of the offset index inside a stream's directory.
pub const OFFSETS_FILE: &str = "offsets.idx";
/// File name of the hash tree inside a stream's directory.
pub const TREE_FILE: &str = "tree.hashes";

/// The directory of a stream's indexes under `streams_dir`.
#[must_use]
pub fn stream_dir(streams_dir: &Path, tenant_id: TenantId, stream_id: StreamId) -> PathBuf {
    streams_dir
        .join(tenant_id.get().to_string())
        .join(stream_id.get().to_string())
}

/// Both indexes of one stream, kept at the same length.
#[derive(Debug)]
pub struct StreamIndexes {
    vfs: Arc<dyn Vfs>,
    streams_dir: PathBuf,
    dir: PathBuf,
    offsets: OffsetIndex,
    tree: HashTree,
    /// Whether the directory entries of the files are known to be durable.
    dirs_synced: bool,
    /// Whether anything changed since the last sync (a snapshot syncs only
    /// the indexes that need it).
    dirty: bool,
}

impl StreamIndexes {
    /// Opens (creating if needed) the indexes of a stream under `streams_dir`,
    /// cut to the length both files hold whole.
    pub fn open(
        vfs: Arc<dyn Vfs>,
        streams_dir: &Path,
        tenant_id: TenantId,
        stream_id: StreamId,
    ) -> Result<Self, IndexError> {
        let dir = stream_dir(streams_dir, tenant_id, stream_id);
        let existed = vfs.exists(&dir.join(OFFSETS_FILE)) && vfs.exists(&dir.join(TREE_FILE));
        vfs.create_dir_all(&dir).map_err(IndexError::io(&dir))?;
        let mut offsets = OffsetIndex::open(&vfs, dir.join(OFFSETS_FILE))?;
        let mut tree = HashTree::open(&vfs, dir.join(TREE_FILE))?;
        let len = offsets.len().min(tree.len());
        offsets.truncate(len)?;
        tree.truncate(len)?;
        Ok(Self {
            vfs,
            streams_dir: streams_dir.to_path_buf(),
            dir,
            offsets,
            tree,
            dirs_synced: existed,
            dirty: true,
        })
    }

    /// Number of records indexed.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.offsets.len()
    }

    /// Whether no record is indexed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// Indexes the next record: its WAL position, commit time and record hash.
    pub fn append_record(
        &mut self,
        wal_position: u64,
        timestamp_ns: u64,
        record_hash: Hash,
    ) -> Result<(), IndexError> {
        self.offsets.append(OffsetEntry {
            wal_position,
            timestamp_ns,
        })?;
        self.tree.append(record_hash);
        // The next snapshot must flush and sync this entry before it claims it.
        self.dirty = true;
        Ok(())
    }

    /// `(WAL position, commit timestamp)` of record `offset`, `None` past the end.
    pub fn offsets_get(&self, offset: u64) -> Result<Option<(u64, u64)>, IndexError> {
        Ok(self
            .offsets
            .get(offset)?
            .map(|entry| (entry.wal_position, entry.timestamp_ns)))
    }

    /// The last offset committed at or before `timestamp_ns`. O(log n) reads.
    pub fn last_at_or_before(&self, timestamp_ns: u64) -> Result<Option<u64>, IndexError> {
        self.offsets.last_at_or_before(timestamp_ns)
    }

    /// The record hash of record `offset`.
    pub fn leaf(&self, offset: u64) -> Result<Hash, IndexError> {
        self.tree.leaf(offset)
    }

    /// The Merkle root at the current length.
    #[must_use]
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The Merkle root of the first `size` records.
    pub fn root_at(&self, size: u64) -> Result<Hash, IndexError> {
        self.tree.root_at(size)
    }

    /// Inclusion proof of record `offset` in the tree of size `size`.
    pub fn inclusion_proof(&self, offset: u64, size: u64) -> Result<Vec<Hash>, IndexError> {
        self.tree.inclusion_proof(offset, size)
    }

    /// Inclusion proofs of records `from..to` in the tree of size `size`, built
    /// together (one read for the run's own nodes, each other node read once).
    pub fn inclusion_proofs(
        &self,
        from: u64,
        to: u64,
        size: u64,
    ) -> Result<Vec<Vec<Hash>>, IndexError> {
        self.tree.inclusion_proofs(from, to, size)
    }

    /// Range proof of records `from..to` in the tree of size `size`.
    pub fn range_proof(&self, from: u64, to: u64, size: u64) -> Result<Vec<Hash>, IndexError> {
        self.tree.range_proof(from, to, size)
    }

    /// Consistency proof from `old_size` to `new_size`.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, IndexError> {
        self.tree.consistency_proof(old_size, new_size)
    }

    /// Drops every record from `len` on (recovery).
    pub fn truncate(&mut self, len: u64) -> Result<(), IndexError> {
        self.dirty = true;
        self.offsets.truncate(len)?;
        self.tree.truncate(len)
    }

    /// Writes pending entries to the files (not synced): one write per file.
    pub fn flush(&mut self) -> Result<(), IndexError> {
        self.offsets.flush()?;
        self.tree.flush()
    }

    /// Flushes only when more than `limit_bytes` wait in memory, so indexing a
    /// batch rarely costs a write while memory per stream stays bounded.
    pub fn flush_if_over(&mut self, limit_bytes: usize) -> Result<(), IndexError> {
        if self.offsets.pending_bytes() + self.tree.pending_bytes() > limit_bytes {
            self.flush()?;
        }
        Ok(())
    }

    /// Makes both files durable, and the first time also their directory
    /// entries, so a snapshot that relies on them never finds them missing.
    /// Costs nothing when nothing changed since the last sync.
    pub fn sync(&mut self) -> Result<(), IndexError> {
        self.flush_for_sync()?.run()
    }

    /// Writes what is pending and returns the syncs that make it durable, to run
    /// without holding the indexes: readers then never wait for a disk sync
    /// behind the lock (they may read from memory only, see
    /// [`cached_only`](crate::io::cached_only::cached_only)). Entries appended
    /// after this call are not covered; the writer thread, the only appender,
    /// runs the syncs before it appends again.
    pub fn flush_for_sync(&mut self) -> Result<IndexSync, IndexError> {
        let mut sync = IndexSync::default();
        if !self.dirty {
            return Ok(sync);
        }
        sync.files.push(self.offsets.flush_for_sync()?);
        sync.files.push(self.tree.flush_for_sync()?);
        if !self.dirs_synced {
            let tenant_dir = self.dir.parent().unwrap_or(&self.streams_dir).to_path_buf();
            let dirs = vec![self.dir.clone(), tenant_dir, self.streams_dir.clone()];
            sync.dirs = Some((self.vfs.clone(), dirs));
            // A failed sync is fatal for the node, so nothing retries on the
            // strength of these flags.
            self.dirs_synced = true;
        }
        self.dirty = false;
        Ok(sync)
    }
}

/// The syncs [`StreamIndexes::flush_for_sync`] left to run.
#[derive(Debug, Default)]
pub struct IndexSync {
    files: Vec<FileSync>,
    /// The directories whose entries are still to sync, the first time only.
    dirs: Option<(Arc<dyn Vfs>, Vec<PathBuf>)>,
}

impl IndexSync {
    /// Syncs the files, then (the first time) their directory entries.
    pub fn run(self) -> Result<(), IndexError> {
        for file in self.files {
            file.run()?;
        }
        if let Some((vfs, dirs)) = self.dirs {
            for dir in &dirs {
                vfs.sync_dir(dir).map_err(IndexError::io(dir))?;
            }
        }
        Ok(())
    }
}
