//! The in-memory disk behind [`FaultVfs`](super::FaultVfs): file contents with
//! their synced and unsynced parts, and the directory tree with its durable and
//! not-yet-durable entries.
//!
//! Each file (an *inode*) keeps `current` (what reads see, like a page cache),
//! `synced` (what survives a power loss) and `pending`, the ordered writes and
//! truncations since the last successful sync. Applying every pending operation
//! to `synced` gives `current`. The directory tree works the same way: `names` is
//! the tree reads see, `durable_names` the one that survives, and `name_log` the
//! ordered creates, renames and removes in between, as a journaling file system
//! commits them in order.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, RngCore};

/// A file's identity, stable across renames.
pub(super) type InodeId = u64;

/// What a directory entry points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Node {
    /// A regular file.
    File(InodeId),
    /// A directory.
    Dir,
}

/// A write or truncation not yet made durable.
#[derive(Clone, Debug)]
pub(super) enum PendingOp {
    /// `data` written at `offset`.
    Write { offset: u64, data: Vec<u8> },
    /// The file cut or extended to a length.
    SetLen(u64),
}

impl PendingOp {
    /// Applies the operation to `bytes`.
    pub(super) fn apply(&self, bytes: &mut Vec<u8>) {
        match self {
            Self::Write { offset, data } => write_at(bytes, *offset, data),
            Self::SetLen(len) => bytes.resize(to_usize(*len), 0),
        }
    }
}

/// One file's contents.
#[derive(Clone, Debug, Default)]
pub(super) struct Inode {
    /// What reads see.
    pub(super) current: Vec<u8>,
    /// What survives a power loss.
    pub(super) synced: Vec<u8>,
    /// Operations applied to `current` but not to `synced`, in order.
    pub(super) pending: Vec<PendingOp>,
}

impl Inode {
    /// Makes every pending operation durable.
    pub(super) fn sync(&mut self) {
        for op in self.pending.drain(..) {
            op.apply(&mut self.synced);
        }
    }

    /// What an interrupted flush leaves: `synced` plus a random prefix of the
    /// pending operations, the first one left out possibly torn (a prefix of its
    /// bytes followed by garbage). Clears `pending`; `current` is left alone.
    pub(super) fn persist_random_prefix(&mut self, rng: &mut StdRng) {
        let kept = rng.gen_range(0..=self.pending.len());
        for op in &self.pending[..kept] {
            op.apply(&mut self.synced);
        }
        if let Some(PendingOp::Write { offset, data }) = self.pending.get(kept) {
            if !data.is_empty() && rng.gen_bool(0.5) {
                let cut = rng.gen_range(0..data.len());
                let garbage_len = rng.gen_range(0..=data.len() - cut);
                let mut torn = data[..cut].to_vec();
                let start = torn.len();
                torn.resize(cut + garbage_len, 0);
                rng.fill_bytes(&mut torn[start..]);
                write_at(&mut self.synced, *offset, &torn);
            }
        }
        self.pending.clear();
    }

    /// A power loss: only what [`persist_random_prefix`](Self::persist_random_prefix)
    /// keeps remains, and reads see exactly that.
    pub(super) fn lose_power(&mut self, rng: &mut StdRng) {
        self.persist_random_prefix(rng);
        self.current.clone_from(&self.synced);
    }
}

/// A change to the directory tree, durable once its directory is synced.
#[derive(Clone, Debug)]
pub(super) enum NameOp {
    /// A new entry.
    Link { path: PathBuf, node: Node },
    /// An entry removed.
    Unlink { path: PathBuf },
    /// An entry moved, replacing whatever was at `to`.
    Rename { from: PathBuf, to: PathBuf },
}

impl NameOp {
    /// Whether the operation changes an entry of `dir`.
    fn touches(&self, dir: &Path) -> bool {
        let in_dir = |path: &Path| path.parent() == Some(dir);
        match self {
            Self::Link { path, .. } | Self::Unlink { path } => in_dir(path),
            Self::Rename { from, to } => in_dir(from) || in_dir(to),
        }
    }

    /// Applies the operation to a tree.
    pub(super) fn apply(&self, names: &mut BTreeMap<PathBuf, Node>) {
        match self {
            Self::Link { path, node } => {
                names.insert(path.clone(), *node);
            }
            Self::Unlink { path } => {
                names.remove(path);
            }
            Self::Rename { from, to } => {
                if let Some(node) = names.remove(from) {
                    names.insert(to.clone(), node);
                }
            }
        }
    }
}

/// Every file and directory of a [`FaultVfs`](super::FaultVfs).
#[derive(Debug, Default)]
pub(super) struct Disk {
    /// File contents by inode.
    pub(super) inodes: BTreeMap<InodeId, Inode>,
    /// The tree reads see.
    pub(super) names: BTreeMap<PathBuf, Node>,
    /// The tree that survives a power loss.
    pub(super) durable_names: BTreeMap<PathBuf, Node>,
    /// Tree changes not yet durable, in order.
    pub(super) name_log: Vec<NameOp>,
    /// The next inode number.
    pub(super) next_inode: InodeId,
}

impl Disk {
    /// Whether `path`'s parent directory exists (a path without one always does).
    pub(super) fn parent_exists(&self, path: &Path) -> bool {
        match path.parent() {
            None => true,
            Some(parent) if parent.as_os_str().is_empty() => true,
            Some(parent) => self.names.get(parent) == Some(&Node::Dir),
        }
    }

    /// Records and applies a tree change.
    pub(super) fn change_names(&mut self, op: NameOp) {
        op.apply(&mut self.names);
        self.name_log.push(op);
    }

    /// Makes durable every tree change up to the last one inside `dir` (a
    /// journal commits in order, so earlier changes elsewhere come along).
    pub(super) fn sync_dir(&mut self, dir: &Path) {
        if let Some(last) = self.name_log.iter().rposition(|op| op.touches(dir)) {
            for op in self.name_log.drain(..=last) {
                op.apply(&mut self.durable_names);
            }
        }
    }

    /// A power loss: a random prefix of the pending tree changes survives, every
    /// file keeps its synced bytes and a random prefix of its unsynced writes,
    /// and files no longer named anywhere are gone.
    pub(super) fn lose_power(&mut self, rng: &mut StdRng) {
        let kept = rng.gen_range(0..=self.name_log.len());
        for op in self.name_log.drain(..).take(kept) {
            op.apply(&mut self.durable_names);
        }
        self.names.clone_from(&self.durable_names);
        let live: BTreeSet<InodeId> = self
            .names
            .values()
            .filter_map(|node| match node {
                Node::File(inode) => Some(*inode),
                Node::Dir => None,
            })
            .collect();
        self.inodes.retain(|id, _| live.contains(id));
        for inode in self.inodes.values_mut() {
            inode.lose_power(rng);
        }
    }

    /// The inode a path names.
    pub(super) fn inode_of(&self, path: &Path) -> io::Result<InodeId> {
        match self.names.get(path) {
            Some(Node::File(inode)) => Ok(*inode),
            Some(Node::Dir) => Err(is_a_directory(path)),
            None => Err(not_found(path)),
        }
    }
}

/// Writes `data` at `offset`, zero-filling any gap past the end.
pub(super) fn write_at(bytes: &mut Vec<u8>, offset: u64, data: &[u8]) {
    let start = to_usize(offset);
    let end = start + data.len();
    if bytes.len() < end {
        bytes.resize(end, 0);
    }
    bytes[start..end].copy_from_slice(data);
}

/// A file offset as an index into memory (the simulated disk lives in memory, so
/// every offset it holds fits).
pub(super) fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// The error for a missing path.
pub(super) fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: no such file", path.display()),
    )
}

/// The error for a directory where a file was expected.
pub(super) fn is_a_directory(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::IsADirectory,
        format!("{}: is a directory", path.display()),
    )
}
