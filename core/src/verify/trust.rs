//! Where a client keeps its trust: a [`TrustedStateDir`] when the options name one,
//! else memory that lives as long as the client. Directory work runs on tokio's
//! blocking threads, since it takes a file lock and fsyncs.
//!
//! With a directory, the client remembers the checkpoint it last loaded or
//! stored for each stream and does not read the file again to load it: a
//! verified read then costs no file access (and no hand-off to a blocking
//! thread) unless it advances the trust. What it remembers may be older than
//! the file, if another client or process advanced it since; an older trusted
//! checkpoint is still a sound anchor (every answer must extend it), and any
//! advance goes through the file's compare-and-store, which finds the newer
//! checkpoint there and proves the answer consistent with it before trusting
//! anything, so a fork or rollback against what others trust is still caught.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::{StreamId, TenantId};

use super::{Checkpoint, StoreOutcome, TrustedStateDir};
use crate::error::{Error, ErrorCode, Result};

type CheckpointKey = (String, TenantId, StreamId);

#[derive(Default)]
pub(crate) struct Memory {
    keys: HashMap<String, String>,
    checkpoints: HashMap<CheckpointKey, Checkpoint>,
}

/// The trusted state of one client.
pub(crate) enum TrustStore {
    /// Kept for the life of the client only.
    Memory(Mutex<Memory>),
    /// Kept in a directory, shared with other clients and processes, with the
    /// checkpoints this client last loaded from it or stored in it.
    Directory(TrustedStateDir, Mutex<HashMap<CheckpointKey, Checkpoint>>),
}

async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(job).await.map_err(|error| {
        Error::new(ErrorCode::TrustedState, "the trusted-state task failed").with_source(error)
    })?
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Notes what the file holds for `key` (None: nothing).
fn remember(
    known: &Mutex<HashMap<CheckpointKey, Checkpoint>>,
    key: CheckpointKey,
    checkpoint: Option<&Checkpoint>,
) {
    let mut known = lock(known);
    match checkpoint {
        Some(checkpoint) => known.insert(key, checkpoint.clone()),
        None => known.remove(&key),
    };
}

impl TrustStore {
    /// Memory, or the directory if one is given.
    pub(crate) fn new(directory: Option<TrustedStateDir>) -> Self {
        directory.map_or_else(
            || Self::Memory(Mutex::default()),
            |directory| Self::Directory(directory, Mutex::default()),
        )
    }

    /// Pins `key` for `address` unless a key is pinned; returns the pinned key.
    pub(crate) async fn pin_key_if_absent(&self, address: &str, key: &str) -> Result<String> {
        match self {
            Self::Memory(memory) => {
                let mut memory = lock(memory);
                let pinned = memory
                    .keys
                    .entry(address.to_owned())
                    .or_insert_with(|| key.to_owned());
                Ok(pinned.clone())
            }
            Self::Directory(directory, _) => {
                let (directory, address, key) =
                    (directory.clone(), address.to_owned(), key.to_owned());
                blocking(move || directory.pin_key_if_absent(&address, &key)).await
            }
        }
    }

    /// The trusted checkpoint of a stream under `verifier`'s key.
    pub(crate) async fn load(
        &self,
        verifier: &NoteVerifier,
        tenant: TenantId,
        stream: StreamId,
    ) -> Result<Option<Checkpoint>> {
        match self {
            Self::Memory(memory) => {
                let memory = lock(memory);
                let key = (verifier.verifier_key(), tenant, stream);
                Ok(memory.checkpoints.get(&key).cloned())
            }
            Self::Directory(directory, known) => {
                let key = (verifier.verifier_key(), tenant, stream);
                if let Some(checkpoint) = lock(known).get(&key) {
                    return Ok(Some(checkpoint.clone()));
                }
                let (directory, verifier) = (directory.clone(), verifier.clone());
                let loaded =
                    blocking(move || directory.load_checkpoint(&verifier, tenant, stream)).await?;
                remember(known, key, loaded.as_ref());
                Ok(loaded)
            }
        }
    }

    /// Trusts `new` (signed as `note`) if the trusted checkpoint is still `expected`.
    pub(crate) async fn compare_and_store(
        &self,
        verifier: &NoteVerifier,
        tenant: TenantId,
        stream: StreamId,
        expected: Option<&Checkpoint>,
        note: &str,
        new: &Checkpoint,
    ) -> Result<StoreOutcome> {
        match self {
            Self::Memory(memory) => {
                let mut memory = lock(memory);
                let key = (verifier.verifier_key(), tenant, stream);
                let current = memory.checkpoints.get(&key);
                if current != expected {
                    return Ok(StoreOutcome::Changed(current.cloned()));
                }
                memory.checkpoints.insert(key, new.clone());
                Ok(StoreOutcome::Stored)
            }
            Self::Directory(directory, known) => {
                let key = (verifier.verifier_key(), tenant, stream);
                let (directory, verifier) = (directory.clone(), verifier.clone());
                let (expected, note) = (expected.cloned(), note.to_owned());
                let outcome = blocking(move || {
                    directory.compare_and_store(&verifier, tenant, stream, expected.as_ref(), &note)
                })
                .await?;
                match &outcome {
                    StoreOutcome::Stored => remember(known, key, Some(new)),
                    StoreOutcome::Changed(current) => remember(known, key, current.as_ref()),
                }
                Ok(outcome)
            }
        }
    }
}
