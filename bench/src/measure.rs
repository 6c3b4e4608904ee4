//! Timed runs: many workers repeat one operation until a deadline, each
//! operation's latency is kept, and the run is summarised as items per second
//! (events, rows or queries) with the 50th and 99th latency percentiles.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::Result;

/// One client of a run: an operation repeated until the run's deadline.
pub trait Worker: Send + 'static {
    /// Does the operation once, durably when it writes; returns how many items
    /// (events, rows, queries) it handled.
    fn run_once(&mut self) -> impl Future<Output = Result<u64>> + Send;
}

/// A [`Worker`] for a blocking driver (SQLite), run on a thread of its own.
pub trait BlockingWorker: Send {
    /// As [`Worker::run_once`].
    fn run_once(&mut self) -> Result<u64>;
}

/// What one run measured.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Items handled per second of the run.
    pub items_per_second: f64,
    /// Median latency of one operation, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency of one operation, in milliseconds.
    pub p99_ms: f64,
    /// Operations completed.
    pub operations: u64,
}

/// The latencies and item counts of one worker.
#[derive(Default)]
struct Tally {
    items: u64,
    latencies: Vec<Duration>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.items += other.items;
        self.latencies.extend(other.latencies);
    }

    fn summarise(mut self, elapsed: Duration) -> Summary {
        self.latencies.sort_unstable();
        let seconds = elapsed.as_secs_f64().max(f64::EPSILON);
        Summary {
            items_per_second: self.items as f64 / seconds,
            p50_ms: percentile_ms(&self.latencies, 0.50),
            p99_ms: percentile_ms(&self.latencies, 0.99),
            operations: self.latencies.len() as u64,
        }
    }
}

/// The `fraction` percentile (nearest rank) of sorted latencies, in milliseconds.
fn percentile_ms(sorted: &[Duration], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// Runs every worker on its own task until `duration` has passed.
///
/// # Errors
/// The first error of any worker.
pub async fn drive<W: Worker>(workers: Vec<W>, duration: Duration) -> Result<Summary> {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let began = Instant::now();
                    tally.items += worker.run_once().await?;
                    tally.latencies.push(began.elapsed());
                }
                Ok::<_, crate::Error>(tally)
            })
        })
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        total.merge(task.await??);
    }
    Ok(total.summarise(start.elapsed()))
}

/// Runs every worker on a thread of its own until `duration` has passed.
///
/// # Errors
/// The first error of any worker.
pub fn drive_blocking<W: BlockingWorker>(workers: Vec<W>, duration: Duration) -> Result<Summary> {
    let start = Instant::now();
    let deadline = start + duration;
    let tallies: Vec<Result<Tally>> = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|mut worker| {
                scope.spawn(move || {
                    let mut tally = Tally::default();
                    while Instant::now() < deadline {
                        let began = Instant::now();
                        tally.items += worker.run_once()?;
                        tally.latencies.push(began.elapsed());
                    }
                    Ok(tally)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("a benchmark thread panicked".into()))
            })
            .collect()
    });
    let mut total = Tally::default();
    for tally in tallies {
        total.merge(tally?);
    }
    Ok(total.summarise(start.elapsed()))
}

/// A small, fast pseudo-random sequence (SplitMix64) so readers pick records
/// without a dependency; the same seed gives the same offsets on every system.
#[derive(Clone, Debug)]
pub struct Picker(u64);

impl Picker {
    /// A sequence from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next number below `bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound.max(1)
    }
}
