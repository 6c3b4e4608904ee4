//! Storage engine benchmark: durable append throughput and latency, large
//! batches, reads, proofs, recovery time and peak memory. Prints a table.
//!
//! Run with `cargo run --release -p kimberlite-storage --example bench_storage`.
//! Environment:
//! - `KMB_BENCH_SECONDS`: seconds per append scenario (default 3).
//! - `KMB_BENCH_RECOVERY_MB`: size of the log replayed by the recovery
//!   scenario, in MiB (default 256); the figure is scaled to one GiB.
//! - `KMB_BENCH_ONLY`: run only the scenarios whose name contains this text.
//! - `KMB_BENCH_DIR`: where to put the data directories (default: the system's
//!   temporary directory).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const TENANT: TenantId = TenantId(1);
const KIB: usize = 1024;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

struct Bench {
    root: tempfile::TempDir,
    seconds: u64,
    only: String,
}

fn fresh_engine(root: &Path, name: &str) -> Result<(Engine, PathBuf)> {
    let dir = root.join(name);
    let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
    let config = EngineConfig::new(&dir, "bench.kimberlite");
    Engine::init(vfs.clone(), &config)?;
    let (engine, _) = Engine::open(vfs, config)?;
    engine.create_tenant(TENANT, "bench")?;
    Ok((engine, dir))
}

fn streams(engine: &Engine, count: usize) -> Result<Vec<StreamId>> {
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let name = format!("s{index}");
        ids.push(engine.create_stream(TENANT, &name, DataClass::Public, Placement::Global)?);
    }
    Ok(ids)
}

/// Every appender owns a stream and appends `batch` events of `event_bytes`
/// in a loop until the time is up. Returns (events, bytes, seconds, latencies).
fn run_appenders(
    engine: &Arc<Engine>,
    appenders: usize,
    batch: usize,
    event_bytes: usize,
    seconds: u64,
) -> Result<(u64, u64, f64, Vec<Duration>, String)> {
    let ids = streams(engine, appenders)?;
    let before = engine.stats();
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let threads: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::spawn(move || -> Result<Vec<Duration>> {
                let events = vec![vec![0xA5u8; event_bytes]; batch];
                let mut latencies = Vec::new();
                let mut offset = engine.stream_length(TENANT, id)?;
                while !stop.load(Ordering::Relaxed) {
                    let began = Instant::now();
                    engine.append(TENANT, id, Offset(offset), events.clone())?;
                    latencies.push(began.elapsed());
                    offset += batch as u64;
                }
                Ok(latencies)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for thread in threads {
        latencies.extend(thread.join().map_err(|_| "an appender panicked")??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let events = (latencies.len() * batch) as u64;
    let after = engine.stats();
    let commits = after.group_commits - before.group_commits;
    let per_sync = (after.records - before.records) as f64 / commits.max(1) as f64;
    let per_sync = format!("{per_sync:.1}");
    Ok((
        events,
        events * event_bytes as u64,
        elapsed,
        latencies,
        per_sync,
    ))
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

fn ms(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1e3)
}

impl Bench {
    fn wanted(&self, scenario: &str) -> bool {
        scenario.contains(&self.only)
    }

    fn row(
        &self,
        name: String,
        rate: String,
        mb_s: String,
        p50: String,
        p99: String,
        per_sync: String,
    ) {
        println!("{name:<40} {rate:>14} {mb_s:>10} {p50:>10} {p99:>10} {per_sync:>9}");
    }

    fn appends(&mut self) -> Result<()> {
        for (batch, event_bytes) in [(1, KIB), (100, KIB)] {
            for appenders in [1, 8, 64] {
                let name = format!("append {appenders}x batch {batch} of 1 KiB");
                if !self.wanted(&name) {
                    continue;
                }
                let (engine, _dir) =
                    fresh_engine(self.root.path(), &format!("a{batch}-{appenders}"))?;
                let engine = Arc::new(engine);
                let (events, bytes, seconds, mut latencies, per_sync) =
                    run_appenders(&engine, appenders, batch, event_bytes, self.seconds)?;
                latencies.sort();
                self.row(
                    name,
                    format!("{:.0} ev/s", events as f64 / seconds),
                    format!("{:.1}", bytes as f64 / seconds / 1e6),
                    ms(percentile(&latencies, 0.5)),
                    ms(percentile(&latencies, 0.99)),
                    per_sync,
                );
                engine.shutdown()?;
            }
        }
        for appenders in [1, 4] {
            if !self.wanted(&format!("append {appenders}x 1 MiB batches")) {
                continue;
            }
            let (engine, _dir) = fresh_engine(self.root.path(), &format!("mib-{appenders}"))?;
            let engine = Arc::new(engine);
            let (_, bytes, seconds, mut latencies, per_sync) =
                run_appenders(&engine, appenders, 1024, KIB, self.seconds)?;
            latencies.sort();
            self.row(
                format!("append {appenders}x 1 MiB batches"),
                format!("{:.0} batch/s", latencies.len() as f64 / seconds),
                format!("{:.1}", bytes as f64 / seconds / 1e6),
                ms(percentile(&latencies, 0.5)),
                ms(percentile(&latencies, 0.99)),
                per_sync,
            );
            engine.shutdown()?;
        }
        Ok(())
    }

    fn reads_and_proofs(&mut self) -> Result<()> {
        if !self.wanted("read, verified read and consistency proof") {
            return Ok(());
        }
        let (engine, _dir) = fresh_engine(self.root.path(), "reads")?;
        let id = streams(&engine, 1)?[0];
        let total = 100_000u64;
        for first in (0..total).step_by(1000) {
            let events = vec![vec![0x5Au8; KIB]; 1000];
            engine.append(TENANT, id, Offset(first), events)?;
        }
        let began = Instant::now();
        let mut offset = 0;
        while offset < total {
            let batch = engine.read(TENANT, id, Offset(offset), 1 << 20)?;
            offset = batch.next_offset.ok_or("a read returned nothing")?.get();
        }
        let seconds = began.elapsed().as_secs_f64();
        self.row(
            "read 1 KiB events, 1 MiB per call".into(),
            format!("{:.0} ev/s", total as f64 / seconds),
            format!("{:.1}", (total as usize * KIB) as f64 / seconds / 1e6),
            "-".into(),
            "-".into(),
            "-".into(),
        );
        let began = Instant::now();
        let mut proven = 0u64;
        let mut offset = 0;
        while offset < 20_000 {
            let read =
                engine.read_verified(TENANT, id, Offset(offset), 100, u64::MAX, Some(offset))?;
            proven += read.records.len() as u64;
            offset += read.records.len() as u64;
        }
        let seconds = began.elapsed().as_secs_f64();
        self.row(
            "verified read, 100 records + proofs".into(),
            format!("{:.0} rec/s", proven as f64 / seconds),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
        );
        let began = Instant::now();
        let mut proofs = 0u64;
        for old in (1..total).step_by(97) {
            engine.consistency_proof(TENANT, id, old, total)?;
            proofs += 1;
        }
        let seconds = began.elapsed().as_secs_f64();
        self.row(
            "consistency proof at 100k records".into(),
            format!("{:.0} proof/s", proofs as f64 / seconds),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
        );
        engine.shutdown()?;
        Ok(())
    }

    fn recovery(&mut self) -> Result<()> {
        if !self.wanted("recovery") {
            return Ok(());
        }
        let megabytes = env_u64("KMB_BENCH_RECOVERY_MB", 256);
        let (engine, dir) = fresh_engine(self.root.path(), "recovery")?;
        let ids = streams(&engine, 16)?;
        let per_batch = 256;
        let batches = (megabytes as usize * KIB) / per_batch;
        for round in 0..batches {
            let id = ids[round % ids.len()];
            let offset = engine.stream_length(TENANT, id)?;
            let events = vec![vec![0x33u8; KIB]; per_batch];
            engine.append(TENANT, id, Offset(offset), events)?;
        }
        engine.shutdown()?;
        drop(engine);
        // The worst case: every derived file lost, the whole log replayed.
        std::fs::remove_dir_all(dir.join("streams"))?;
        std::fs::remove_dir_all(dir.join("state"))?;
        let began = Instant::now();
        let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
        let (engine, report) = Engine::open(vfs, EngineConfig::new(&dir, "bench.kimberlite"))?;
        let seconds = began.elapsed().as_secs_f64();
        let gib = megabytes as f64 / 1024.0;
        self.row(
            format!("recovery, full replay of {megabytes} MiB"),
            format!("{:.0} rec/s", report.records_replayed as f64 / seconds),
            format!("{:.1}", megabytes as f64 * 1.048_576 / seconds),
            format!("{:.2} s", seconds),
            format!("{:.2} s/GiB", seconds / gib),
            "-".into(),
        );
        engine.shutdown()?;
        Ok(())
    }
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<()> {
    let base = std::env::var_os("KMB_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let root = tempfile::tempdir_in(base)?;
    let seconds = env_u64("KMB_BENCH_SECONDS", 3);
    let only = std::env::var("KMB_BENCH_ONLY").unwrap_or_default();
    let mut bench = Bench {
        root,
        seconds,
        only,
    };
    println!(
        "kimberlite-storage benchmark ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<40} {:>14} {:>10} {:>10} {:>10} {:>9}",
        "scenario", "rate", "MB/s", "p50 ms", "p99 ms", "rec/sync"
    );
    bench.appends()?;
    bench.reads_and_proofs()?;
    bench.recovery()?;
    match peak_rss_kib() {
        Some(kib) => println!("peak RSS (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak RSS: unavailable"),
    }
    Ok(())
}
