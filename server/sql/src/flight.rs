//! The records of one tenant that are queued for the SQL log but not yet
//! durable: their positions, the commit times of those that became durable
//! (the views hold a provisional time until then), and whether one failed.
//!
//! A statement that only changes rows is applied to the views under the
//! tenant's statement lock and then waits for durability without it, so the
//! group commit batches the statements of many connections into one sync.
//! While records are in flight the views are ahead of the log by exactly those
//! records; readers see only the positions before the first of them. If one
//! fails (the node stopped, the tenant was erased) the views are rebuilt from
//! the log once every record in flight is resolved.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use kimberlite_storage::engine::{AppendOutcome, EngineError};

/// The in-flight records of one tenant.
#[derive(Debug, Default)]
pub struct Flight {
    state: Mutex<FlightState>,
    drained: Condvar,
}

#[derive(Debug, Default)]
struct FlightState {
    pending: BTreeSet<u64>,
    resolved: Vec<(u64, u64)>,
    broken: bool,
}

/// What changed since the last look, taken under the statement lock.
#[derive(Debug, Default)]
pub struct Resolved {
    /// (position, commit time) of records that became durable.
    pub timestamps: Vec<(u64, u64)>,
    /// The first position still in flight: readers see only positions before it.
    pub first_pending: Option<u64>,
    /// A record failed or landed elsewhere: the views must be rebuilt.
    pub broken: bool,
}

impl Flight {
    fn lock(&self) -> MutexGuard<'_, FlightState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A record predicted at `position` was queued.
    pub fn begin(&self, position: u64) {
        self.lock().pending.insert(position);
    }

    /// The outcome of the record predicted at `position` (called on the
    /// engine's answering thread, so it only records).
    pub fn resolve(&self, position: u64, outcome: &Result<AppendOutcome, EngineError>) {
        let mut state = self.lock();
        state.pending.remove(&position);
        match outcome {
            Ok(outcome) if outcome.first_offset.get() == position => {
                state.resolved.push((position, outcome.timestamp_ns));
            }
            _ => state.broken = true,
        }
        if state.pending.is_empty() {
            self.drained.notify_all();
        }
    }

    /// Takes the commit times of records that became durable.
    pub fn take_times(&self) -> Vec<(u64, u64)> {
        std::mem::take(&mut self.lock().resolved)
    }

    /// Whether no record is in flight.
    pub fn is_idle(&self) -> bool {
        self.lock().pending.is_empty()
    }

    /// The views no longer match the log.
    pub fn mark_broken(&self) {
        self.lock().broken = true;
    }

    /// Takes the commit times to write and the current limits.
    pub fn take(&self) -> Resolved {
        let mut state = self.lock();
        Resolved {
            timestamps: std::mem::take(&mut state.resolved),
            first_pending: state.pending.first().copied(),
            broken: state.broken,
        }
    }

    /// Waits until no record is in flight, then clears everything: the caller
    /// rebuilds the views from the log.
    pub fn drain_for_rebuild(&self) {
        let mut state = self.lock();
        while !state.pending.is_empty() {
            state = self
                .drained
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.resolved.clear();
        state.broken = false;
    }
}
