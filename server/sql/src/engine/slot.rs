//! One tenant's slot: its views behind the statement lock, the records it
//! has in flight, and when the views' open SQLite transaction commits.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::error::SqlError;
use crate::flight::Flight;
use crate::rewrite::Visibility;
use crate::store::TenantStore;

/// One tenant's views and the records it has in flight.
#[derive(Debug)]
pub struct TenantSlot {
    pub(super) store: Mutex<TenantStore>,
    /// Records queued for the log but not yet durable.
    pub flight: Arc<Flight>,
}

impl TenantSlot {
    /// Takes the tenant's statement lock.
    pub(super) fn lock_store(&self) -> MutexGuard<'_, TenantStore> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits the views' open transaction before a read.
    pub(super) fn prepare_for_read(&self, store: &mut TenantStore) -> Result<(), SqlError> {
        store
            .prepare_for_read()
            .inspect_err(|_| self.flight.mark_broken())
    }

    /// Commits the views' open transaction unless records still in flight
    /// may add to it (their statements settle in turn). A failed commit
    /// leaves the views behind the log, so they are marked for a rebuild;
    /// the log, not the views, answers for the statements.
    pub(super) fn settle(&self, store: &mut TenantStore) {
        if !store.should_commit(!self.flight.is_idle()) {
            return;
        }
        // The times known by now go into the commit, so that a stop after it
        // leaves as few provisional times as possible.
        store.note_commit_times(self.flight.take_times());
        if let Err(error) = store.prepare_for_read() {
            tracing::warn!(%error, "SQL view commit failed; the views are rebuilt from the log");
            self.flight.mark_broken();
        }
    }

    /// After a statement's record is durable: commits the views' open
    /// transaction if that was the last record in flight, unless another
    /// statement holds the lock (it settles the transaction itself).
    pub(super) fn settle_after_durable(&self) {
        if !self.flight.is_idle() {
            return;
        }
        if let Ok(mut store) = self.store.try_lock() {
            self.settle(&mut store);
        }
    }
}

/// What readers may see: the log positions before `limit`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Seen {
    /// The first position in flight, if any.
    pub(super) first_pending: Option<u64>,
}

impl Seen {
    /// The durable length as the views know it.
    pub(super) fn length(self, store: &TenantStore) -> u64 {
        self.first_pending.unwrap_or_else(|| store.next_position())
    }

    /// What a query "on the current rows" reads.
    pub(super) fn current(self) -> Visibility {
        match self.first_pending {
            None => Visibility::Current,
            Some(first) => Visibility::At(i64::try_from(first).unwrap_or(i64::MAX) - 1),
        }
    }
}
