//! Load and soak: many connections mixing appends, reads, subscriptions and
//! SQL against one server for a bounded time, while the server's resident
//! memory is sampled. Reports latencies (p50/p99 per operation), every error
//! (only the deliberate stale appends may fail), and whether memory stayed
//! flat after the warm-up (the mean of the last third of the samples against
//! the middle third).

mod client;
mod server;
#[cfg(test)]
mod tests;
mod worker;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use kimberlite_protocol::message::ResponsePayload;

pub use server::SoakServer;
use worker::{run_worker, WorkerReport, KINDS};

/// Memory may grow by this fraction between the middle and the last third.
const FLAT_GROWTH: f64 = 0.10;

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct SoakConfig {
    /// Concurrent connections.
    pub connections: u64,
    /// How long they run.
    pub duration: Duration,
}

/// What a soak found.
#[derive(Debug, Default)]
pub struct SoakReport {
    /// Operations per kind, with (p50, p99) in microseconds.
    pub operations: Vec<(&'static str, usize, u32, u32)>,
    /// Stale appends refused as they must be.
    pub deliberate_errors: u64,
    /// Every other error.
    pub errors: Vec<String>,
    /// Subscription pushes received.
    pub pushes: u64,
    /// Resident memory samples of the server, in KiB.
    pub rss_kib: Vec<u64>,
}

impl SoakReport {
    /// Mean resident memory of the middle and the last third of the samples.
    /// The first third is the warm-up: a fresh server's caches (SQLite pages,
    /// indexes, connection buffers) fill there, so it says nothing about a leak.
    #[must_use]
    pub fn memory_thirds(&self) -> (u64, u64) {
        let len = self.rss_kib.len();
        let third = (len / 3).max(1);
        let mean = |samples: &[u64]| samples.iter().sum::<u64>() / samples.len().max(1) as u64;
        let middle = mean(&self.rss_kib[third.min(len)..(2 * third).min(len)]);
        let last = mean(&self.rss_kib[len.saturating_sub(third)..]);
        (middle, last)
    }

    /// Whether memory stayed flat after the warm-up: the last third at most
    /// `FLAT_GROWTH` above the middle third. A leak keeps growing with the work
    /// done, so it shows between those two thirds as well.
    #[must_use]
    pub fn memory_flat(&self) -> bool {
        let (middle, last) = self.memory_thirds();
        (last as f64) <= (middle as f64) * (1.0 + FLAT_GROWTH)
    }
}

/// Runs the soak against `server` on the current tokio runtime.
pub async fn soak(server: &SoakServer, config: SoakConfig) -> Result<SoakReport, String> {
    let address = server.address();
    prepare(address).await?;
    let deadline = Instant::now() + config.duration;
    let workers: Vec<_> = (0..config.connections)
        .map(|index| tokio::spawn(run_worker(address, index, deadline)))
        .collect();
    let mut report = SoakReport::default();
    let interval = (config.duration / 30).max(Duration::from_millis(100));
    while Instant::now() < deadline {
        report.rss_kib.push(server.rss_kib()?);
        tokio::time::sleep(interval).await;
    }
    report.rss_kib.push(server.rss_kib()?);
    let mut latencies: [Vec<u32>; 5] = Default::default();
    for worker in workers {
        let done: WorkerReport = worker.await.map_err(|error| error.to_string())?;
        for (all, mine) in latencies.iter_mut().zip(done.latencies) {
            all.extend(mine);
        }
        report.deliberate_errors += done.deliberate_errors;
        report.errors.extend(done.errors);
        report.pushes += done.pushes;
    }
    for (kind, mut samples) in KINDS.into_iter().zip(latencies) {
        samples.sort_unstable();
        let at = |q: f64| {
            samples
                .get(((samples.len() as f64 - 1.0) * q) as usize)
                .copied()
        };
        let (p50, p99) = (at(0.5).unwrap_or(0), at(0.99).unwrap_or(0));
        report.operations.push((kind, samples.len(), p50, p99));
    }
    Ok(report)
}

/// Creates the SQL table every connection writes to.
async fn prepare(address: SocketAddr) -> Result<(), String> {
    let mut client = client::SoakClient::connect(address).await?;
    let create = kimberlite_protocol::message::RequestPayload::Query(
        kimberlite_protocol::message::QueryRequest {
            sql: "CREATE TABLE soak (conn INTEGER, n INTEGER)".into(),
            params: Vec::new(),
            break_glass_reason: None,
        },
    );
    match client.call(create).await? {
        ResponsePayload::Error(error) => Err(format!("create table: {}", error.message)),
        _ => Ok(()),
    }
}
