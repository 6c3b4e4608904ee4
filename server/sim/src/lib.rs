//! Kimberlite simulation: a seeded, deterministic simulator that drives the
//! storage engine (and through it the kernel) over the fault-injecting
//! [`FaultVfs`](kimberlite_storage::io::fault::FaultVfs) with random workloads
//! and faults, checking invariants after every step.
//!
//! ```
//! let report = kimberlite_sim::run_seed(7, 40)?;
//! assert_eq!(report.counters.steps, 40);
//! // The same seed replays exactly.
//! assert_eq!(kimberlite_sim::run_seed(7, 40)?.state_hash, report.state_hash);
//! # Ok::<(), kimberlite_sim::Violation>(())
//! ```
//!
//! What a seed does: create tenants and streams (and create existing ones
//! again), append random batches with the right expected offset and with
//! stale or future ones, send invalid writes, read with random byte budgets,
//! ask for proofs and checkpoints, write snapshots, erase a tenant's key, stop
//! and reopen cleanly, cut the power, and arm `ENOSPC` or a failing `fsync`.
//!
//! What it checks, against a model of what was acknowledged: every
//! acknowledged record is present and byte-identical at a dense offset; record
//! hashes, chain links and Merkle roots equal a recomputation with the
//! protocol's functions; inclusion and consistency proofs verify; signed
//! checkpoints open with the node's key; rejections are the predicted ones and
//! errors appear only while a fault is armed; a write in doubt (failed under a
//! fault) is after recovery there whole or not at all; recovery loses nothing
//! acknowledged and shows nothing unacknowledged; a restart that lost nothing
//! leaves the state hash (BLAKE3 of the catalog and every record hash)
//! unchanged. A failing seed names itself and replays exactly.

pub mod check;
pub mod clock;
pub mod model;
pub mod node;
mod ops;
pub mod recovery;
pub mod report;
mod run;
pub mod soak;

pub use report::{Counters, SeedReport, Violation};
pub use run::{run_seed, run_seed_traced};
