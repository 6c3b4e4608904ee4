//! What a simulation run reports: counters per seed, and the violation that
//! stopped a seed (with everything needed to replay it).

use std::fmt;

/// Counters of one seed (or a sum over seeds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Steps run.
    pub steps: u64,
    /// Power cuts (unsynced data lost or torn) followed by a recovery.
    pub power_losses: u64,
    /// Clean stops and reopens.
    pub clean_restarts: u64,
    /// `ENOSPC` faults armed.
    pub no_space_armed: u64,
    /// Failing-fsync faults armed.
    pub failing_syncs_armed: u64,
    /// Armed faults that made an operation fail.
    pub faults_hit: u64,
    /// Writes the kernel had to reject (stale offsets, erased tenants, ...).
    pub rejections: u64,
    /// Invariant checks passed.
    pub invariants: u64,
    /// Acknowledged records at the end.
    pub records: u64,
}

impl Counters {
    /// Adds another seed's counters.
    pub fn add(&mut self, other: &Self) {
        self.steps += other.steps;
        self.power_losses += other.power_losses;
        self.clean_restarts += other.clean_restarts;
        self.no_space_armed += other.no_space_armed;
        self.failing_syncs_armed += other.failing_syncs_armed;
        self.faults_hit += other.faults_hit;
        self.rejections += other.rejections;
        self.invariants += other.invariants;
        self.records += other.records;
    }
}

impl fmt::Display for Counters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "steps {}, power losses {}, clean restarts {}, faults armed {} (ENOSPC {}, \
             failing fsync {}), faults hit {}, rejections {}, invariants checked {}, \
             records {}",
            self.steps,
            self.power_losses,
            self.clean_restarts,
            self.no_space_armed + self.failing_syncs_armed,
            self.no_space_armed,
            self.failing_syncs_armed,
            self.faults_hit,
            self.rejections,
            self.invariants,
            self.records
        )
    }
}

/// One seed that ran clean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedReport {
    /// The seed.
    pub seed: u64,
    /// Its counters.
    pub counters: Counters,
    /// The final state hash (BLAKE3, hex): equal for equal runs of a seed.
    pub state_hash: String,
}

/// An invariant that did not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("seed {seed}, step {step}: {message} (replay: cargo run --release -p kimberlite-sim -- --seed {seed} --steps {steps})")]
pub struct Violation {
    /// The seed.
    pub seed: u64,
    /// The step at which it was found.
    pub step: u64,
    /// The steps the run was asked for.
    pub steps: u64,
    /// What did not hold.
    pub message: String,
}
