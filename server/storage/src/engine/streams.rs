//! The registry of open streams: each stream's durable length and its indexes.
//!
//! Readers see a stream only up to `committed`, which the writer thread advances
//! after the records are durable *and* indexed, so a read never observes a record
//! that a crash could take back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use kimberlite_protocol::{Hash, StreamId, TenantId};

use crate::index::StreamIndexes;

/// Identifies a stream across tenants.
pub type StreamKey = (TenantId, StreamId);

/// One open stream.
#[derive(Debug)]
pub struct StreamHandle {
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// The stream.
    pub stream_id: StreamId,
    committed: AtomicU64,
    indexes: RwLock<StreamIndexes>,
    /// The last checkpoint signed for this stream. Signing is deterministic
    /// (Ed25519) over (size, root, last commit time), all fixed once durable, so
    /// a note found here for the same size and root is the one signing again
    /// would make; readers of an idle stream then share one signature.
    last_signed: Mutex<Option<SignedNote>>,
}

/// A signed checkpoint note and the tree it commits to.
#[derive(Clone, Debug)]
pub(crate) struct SignedNote {
    pub(crate) size: u64,
    pub(crate) root: Hash,
    pub(crate) note: String,
}

impl StreamHandle {
    pub(crate) fn new(key: StreamKey, indexes: StreamIndexes, committed: u64) -> Self {
        Self {
            tenant_id: key.0,
            stream_id: key.1,
            committed: AtomicU64::new(committed),
            indexes: RwLock::new(indexes),
            last_signed: Mutex::new(None),
        }
    }

    /// The note last signed for `size` and `root`, if it is the latest one.
    pub(crate) fn signed_note(&self, size: u64, root: &Hash) -> Option<String> {
        let last = self
            .last_signed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        last.as_ref()
            .filter(|signed| signed.size == size && signed.root == *root)
            .map(|signed| signed.note.clone())
    }

    /// Remembers the latest signed note.
    pub(crate) fn remember_signed(&self, signed: SignedNote) {
        *self
            .last_signed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(signed);
    }

    /// Number of durable, indexed records.
    #[must_use]
    pub fn committed(&self) -> u64 {
        self.committed.load(Ordering::Acquire)
    }

    pub(crate) fn publish(&self, length: u64) {
        self.committed.store(length, Ordering::Release);
    }

    /// Shared access to the indexes. A poisoned lock means a writer panicked
    /// mid-update; the indexes are derived and rebuilt on restart, so the data
    /// is still served from what was published.
    pub(crate) fn indexes(&self) -> RwLockReadGuard<'_, StreamIndexes> {
        self.indexes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn indexes_mut(&self) -> RwLockWriteGuard<'_, StreamIndexes> {
        self.indexes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// All open streams, shared by the writer and readers.
#[derive(Debug, Default)]
pub struct StreamRegistry {
    streams: RwLock<HashMap<StreamKey, Arc<StreamHandle>>>,
}

impl StreamRegistry {
    /// The stream, if it exists and has been opened.
    #[must_use]
    pub fn get(&self, key: StreamKey) -> Option<Arc<StreamHandle>> {
        self.streams
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned()
    }

    pub(crate) fn insert(&self, handle: Arc<StreamHandle>) {
        let key = (handle.tenant_id, handle.stream_id);
        self.streams
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, handle);
    }

    /// Forgets every stream (recovery starting over).
    pub(crate) fn clear(&self) {
        self.streams
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// Every open stream.
    #[must_use]
    pub fn all(&self) -> Vec<Arc<StreamHandle>> {
        self.streams
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}
