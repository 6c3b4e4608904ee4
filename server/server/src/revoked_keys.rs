//! API keys revoked while this server runs.
//!
//! A connection authenticates once, at its handshake. A key revoked later must stop
//! working on connections that are already open, not only on new ones, so every
//! request of a key-authenticated session is checked against this set. Revocations
//! from before the server started need no entry: the handshake reads the stored key,
//! which already says it is revoked.

use std::collections::BTreeSet;
use std::sync::{PoisonError, RwLock};

/// The ids of keys revoked since the server started.
#[derive(Debug, Default)]
pub(crate) struct RevokedKeys {
    ids: RwLock<BTreeSet<u64>>,
}

impl RevokedKeys {
    /// Records that `key_id` is revoked.
    pub(crate) fn insert(&self, key_id: u64) {
        // A poisoned lock still holds a valid set: inserting cannot leave it half-done.
        self.ids
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key_id);
    }

    /// Whether `key_id` was revoked since the server started.
    pub(crate) fn contains(&self, key_id: u64) -> bool {
        self.ids
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&key_id)
    }
}
