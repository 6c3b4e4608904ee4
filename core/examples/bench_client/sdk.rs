//! The workloads every client benchmark runs the same way (the Rust client here,
//! sdk-python/bench/bench.py, sdk-node/bench/bench.mjs, sdk-go/bench_test.go), so
//! `bench/sdks` can put their figures side by side:
//!
//! - a release `kimberlite` server (`KIMBERLITE_BIN`) on a fresh data directory in
//!   development mode, started by the program itself on a free loopback port;
//! - `append`: `KMB_BENCH_CONCURRENCY` (64) callers sharing ONE client, each
//!   appending single 1 KiB events to its own stream, durable, for
//!   `KMB_BENCH_SECONDS`; events/s;
//! - `read` and `read_verified`: one caller reading a stream of
//!   `KMB_BENCH_READ_EVENTS` (20,000) 1 KiB events from the start to the end, 64 KiB
//!   per call, again and again; events/s;
//! - `server_info`: one caller, one round trip after the other; calls/s.
//!
//! Each figure is also printed as `RESULT <language> <workload> <ops_per_sec>`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kimberlite::{Client, ConnectOptions, DataClass, Offset, Placement, StreamId, TenantId};

use super::{env_u64, Result, EVENT_BYTES};

/// Bytes per read call of the read workloads.
const READ_BYTES: u64 = 64 * 1024;

/// A server process, killed when dropped.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn server_binary() -> PathBuf {
    std::env::var_os("KIMBERLITE_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/kimberlite"),
        PathBuf::from,
    )
}

/// `kimberlite init --development` then `start` on a free port; the address.
fn start(dir: &Path) -> Result<(ServerProcess, String)> {
    let binary = server_binary();
    let data = dir.join("data");
    let init = Command::new(&binary)
        .arg("init")
        .arg(&data)
        .arg("--development")
        .stdin(Stdio::null())
        .output()?;
    if !init.status.success() {
        return Err(format!("{} init failed", binary.display()).into());
    }
    let mut child = Command::new(&binary)
        .args(["start", "--address", "127.0.0.1:0"])
        .arg(&data)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no server stdout")?;
    let process = ServerProcess(child);
    for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
        if let Some(address) = line?.strip_prefix("kimberlite listening on ") {
            return Ok((process, address.trim().to_owned()));
        }
    }
    Err("the server exited before listening".into())
}

fn result(workload: &str, rate: f64, unit: &str) {
    println!("{workload:<44} {rate:>14.0} {unit}");
    println!("RESULT rust {workload} {rate:.0}");
}

async fn appends(client: &Client, concurrency: u64, seconds: u64) -> Result<f64> {
    let mut streams = Vec::new();
    for index in 0..concurrency {
        let name = format!("bench-append-{index}");
        streams.push(
            client
                .create_stream(&name, DataClass::Public, Placement::Global)
                .await?,
        );
    }
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|stream| {
            let client = client.clone();
            tokio::spawn(async move {
                let event = vec![0x61u8; EVENT_BYTES];
                let mut offset = 0;
                while Instant::now() < deadline {
                    client
                        .append(stream, vec![event.clone()], Offset(offset))
                        .await?;
                    offset += 1;
                }
                Ok::<_, kimberlite::Error>(offset)
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

async fn fill(client: &Client, events: u64) -> Result<StreamId> {
    let stream = client
        .create_stream("bench-read", DataClass::Public, Placement::Global)
        .await?;
    let mut offset = 0;
    while offset < events {
        let batch = (events - offset).min(500);
        let payloads = vec![vec![0x62u8; EVENT_BYTES]; batch as usize];
        client.append(stream, payloads, Offset(offset)).await?;
        offset += batch;
    }
    Ok(stream)
}

/// Whole-stream read passes of `READ_BYTES` per call (the same passes as the
/// in-process part); events/s.
async fn reads(client: &Client, stream: StreamId, verified: bool, seconds: u64) -> Result<f64> {
    super::read_passes(
        client,
        stream,
        READ_BYTES,
        (verified, super::Pass::Calls),
        Duration::from_secs(seconds),
    )
    .await
}

async fn round_trips(client: &Client, seconds: u64) -> Result<f64> {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < Duration::from_secs(seconds) {
        client.server_info().await?;
        calls += 1;
    }
    Ok(f64::from(calls) / start.elapsed().as_secs_f64())
}

/// Runs the shared workloads against a release server in `dir`.
pub async fn run(dir: &Path, seconds: u64) -> Result<()> {
    let concurrency = env_u64("KMB_BENCH_CONCURRENCY", 64).max(1);
    let stored = env_u64("KMB_BENCH_READ_EVENTS", 20_000).max(1);
    let (_server, address) = start(dir)?;
    let client = Client::connect(address, ConnectOptions::new(TenantId(1))).await?;
    println!(
        "rust client, release server {}: {concurrency} concurrent appenders on one client, \
         {seconds} s per workload",
        server_binary().display()
    );
    let rate = appends(&client, concurrency, seconds).await?;
    result("append", rate, "events/s");
    let stream = fill(&client, stored).await?;
    result(
        "read",
        reads(&client, stream, false, seconds).await?,
        "events/s",
    );
    let verified = reads(&client, stream, true, seconds).await?;
    result("read_verified", verified, "events/s");
    result(
        "server_info",
        round_trips(&client, seconds).await?,
        "calls/s",
    );
    Ok(())
}
