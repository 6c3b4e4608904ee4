//! The simulated clock: time moves only when the simulator moves it, so a seed
//! stamps the same commit timestamps on every run.

use std::sync::atomic::{AtomicU64, Ordering};

use kimberlite_storage::engine::Clock;

/// 2023-11-14T22:13:20Z, where every simulation starts.
const START_NS: u64 = 1_700_000_000_000_000_000;

/// A clock that reads what the simulator last set.
#[derive(Debug)]
pub struct SimClock {
    now_ns: AtomicU64,
}

impl Default for SimClock {
    fn default() -> Self {
        Self {
            now_ns: AtomicU64::new(START_NS),
        }
    }
}

impl SimClock {
    /// Moves time forward by `ns`.
    pub fn advance(&self, ns: u64) {
        self.now_ns.fetch_add(ns, Ordering::SeqCst);
    }
}

impl Clock for SimClock {
    fn now_ns(&self) -> u64 {
        self.now_ns.load(Ordering::SeqCst)
    }
}
