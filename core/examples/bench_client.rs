//! Client benchmark. First the workloads every SDK benchmark runs too (module
//! [`sdk`], against a release `kimberlite` server process; `bench/sdks` compares
//! them), then durable appends of single 1 KiB events pipelined from ONE
//! client (many concurrent tasks sharing one `Client`, so one connection) against
//! the same load from many clients, and verified against plain reads, all over
//! loopback to an in-process server over the storage engine. Prints tables.
//!
//! Run with `cargo run --release -p kimberlite --example bench_client`.
//! Environment:
//! - `KMB_BENCH_SECONDS`: seconds per scenario (default 3).
//! - `KMB_BENCH_READ_EVENTS`: events in the stream the read scenarios read
//!   (default 20000).
//! - `KMB_BENCH_DIR`: where to put the data directory (default: the system's
//!   temporary directory).
//! - `KMB_BENCH_PART`: `sdk` for the shared workloads only, `in-process` for the
//!   in-process tables only, `reads` for the in-process read table only (default:
//!   all).
//! - `KIMBERLITE_BIN`, `KMB_BENCH_CONCURRENCY`: see [`sdk`].

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kimberlite::{Client, ConnectOptions, DataClass, Offset, Placement, StreamId, TenantId};
use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig};
use kimberlite_storage::engine::{Engine, EngineConfig, ProofShape, VerifiedReadRequest};
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;

#[path = "bench_client/sdk.rs"]
mod sdk;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const TENANT: TenantId = TenantId(1);
const ADMIN: &str = "bench-admin-token";
const EVENT_BYTES: usize = 1024;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Starts a server over a fresh engine in `dir` that lets one connection have
/// `in_flight` requests served at once; returns its address and engine.
async fn start_server(dir: &Path, in_flight: usize) -> Result<(String, Arc<Engine>)> {
    let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
    let config = EngineConfig::new(dir, "bench.kimberlite");
    Engine::init(vfs.clone(), &config)?;
    let engine = Arc::new(Engine::open(vfs, config)?.0);
    engine.create_tenant(TENANT, "bench")?;
    let auth = AuthMode::Required {
        admin_token: Some(AdminToken::new(ADMIN)),
    };
    let mut config = ServerConfig::new("127.0.0.1:0".parse()?, auth);
    config.limits.max_in_flight_per_connection = in_flight;
    let server = Server::bind(config, Arc::new(EngineBackend::new(engine.clone()))).await?;
    let address = server.local_addr().to_string();
    // The server stops with the runtime at the end of the program.
    tokio::spawn(server.run(std::future::pending::<()>()));
    Ok((address, engine))
}

async fn connect(address: &str) -> Result<Client> {
    let options = ConnectOptions::new(TENANT).auth_token(ADMIN);
    Ok(Client::connect(address, options).await?)
}

async fn new_stream(client: &Client, name: &str) -> Result<StreamId> {
    Ok(client
        .create_stream(name, DataClass::Public, Placement::Global)
        .await?)
}

fn percentile_ms(sorted: &[Duration], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1e3
}

/// One task per client in `clients` (streams named after `label`) (a client may appear many times: clones
/// share its connection), each appending single events to its own stream until
/// the time is up. Returns events/s and the sorted latencies.
async fn appenders(
    label: &str,
    clients: Vec<Client>,
    seconds: u64,
) -> Result<(f64, Vec<Duration>)> {
    let mut streams = Vec::with_capacity(clients.len());
    for (index, client) in clients.iter().enumerate() {
        streams.push(new_stream(client, &format!("{label}-{index}")).await?);
    }
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = clients
        .into_iter()
        .zip(streams)
        .map(|(client, stream)| {
            tokio::spawn(async move {
                let event = vec![0xA5u8; EVENT_BYTES];
                let mut latencies = Vec::new();
                let mut offset = 0;
                while Instant::now() < deadline {
                    let began = Instant::now();
                    client
                        .append(stream, vec![event.clone()], Offset(offset))
                        .await?;
                    latencies.push(began.elapsed());
                    offset += 1;
                }
                Ok::<_, kimberlite::Error>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let rate = latencies.len() as f64 / start.elapsed().as_secs_f64();
    latencies.sort();
    Ok((rate, latencies))
}

/// Appends of 64 tasks on one client against 64 clients, then more tasks.
async fn append_scenarios(root: &Path, seconds: u64) -> Result<()> {
    println!(
        "{:<44} {:>12} {:>9} {:>9} {:>10}",
        "appends, single 1 KiB events", "events/s", "p50 ms", "p99 ms", "of 64 cl."
    );
    let (address, _engine) = start_server(&root.join("appends"), 1024).await?;
    let mut many = Vec::with_capacity(64);
    for _ in 0..64 {
        many.push(connect(&address).await?);
    }
    let (reference, latencies) = appenders("many", many, seconds).await?;
    let row = |name: &str, rate: f64, latencies: &[Duration]| {
        println!(
            "{name:<44} {rate:>12.0} {:>9.3} {:>9.3} {:>9.0}%",
            percentile_ms(latencies, 0.5),
            percentile_ms(latencies, 0.99),
            100.0 * rate / reference
        );
    };
    row("64 clients, 1 task each", reference, &latencies);
    let one = connect(&address).await?;
    for tasks in [64, 256, 1024] {
        let (rate, latencies) =
            appenders(&format!("one{tasks}"), vec![one.clone(); tasks], seconds).await?;
        row(&format!("1 client, {tasks} tasks"), rate, &latencies);
    }
    Ok(())
}

/// How a pass over the stream reads it.
#[derive(Clone, Copy)]
enum Pass {
    /// One `read` / `read_verified` call after the other.
    Calls,
    /// A `scan` / `scan_verified`: the next part requested while the last one
    /// is handled (and checked).
    Scan,
}

/// One pass over the whole stream, `max_bytes` at a time; returns the events read.
async fn one_pass(
    client: &Client,
    stream: StreamId,
    max_bytes: u64,
    verified: bool,
    pass: Pass,
) -> Result<usize> {
    let mut events = 0;
    match (pass, verified) {
        (Pass::Scan, true) => {
            let mut scan = client.scan_verified(stream, Offset(0), max_bytes).await?;
            while let Some(part) = scan.next().await? {
                events += part.events.len();
            }
        }
        (Pass::Scan, false) => {
            let mut scan = client.scan(stream, Offset(0), max_bytes).await?;
            while let Some(part) = scan.next().await? {
                events += part.events.len();
            }
        }
        (Pass::Calls, _) => {
            let mut offset = Offset(0);
            loop {
                let (count, next) = if verified {
                    let read = client.read_verified(stream, offset, max_bytes).await?;
                    (read.events.len(), read.next_offset)
                } else {
                    let read = client.read(stream, offset, max_bytes).await?;
                    (read.events.len(), read.next_offset)
                };
                events += count;
                match next {
                    Some(next) if count > 0 => offset = next,
                    _ => break,
                }
            }
        }
    }
    Ok(events)
}

/// Reads the whole stream again and again, `max_bytes` at a time, verified or
/// not, until the time is up; returns events/s.
async fn read_passes(
    client: &Client,
    stream: StreamId,
    max_bytes: u64,
    (verified, pass): (bool, Pass),
    duration: Duration,
) -> Result<f64> {
    let start = Instant::now();
    let deadline = start + duration;
    let mut events = 0usize;
    while Instant::now() < deadline {
        events += one_pass(client, stream, max_bytes, verified, pass).await?;
    }
    Ok(events as f64 / start.elapsed().as_secs_f64())
}

/// The engine alone, in process: the same passes as [`read_passes`] without the
/// network, the server or the client's checks; returns events/s.
fn engine_read_passes(
    engine: &Engine,
    stream: StreamId,
    max_bytes: u64,
    verified: bool,
    seconds: u64,
) -> Result<f64> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let size = engine.stream_length(TENANT, stream)?;
    let mut events = 0usize;
    while Instant::now() < deadline {
        let mut offset = 0;
        while offset < size {
            let count = if verified {
                // The proof shape the server answers the client with (kmb.verify/2).
                let request = VerifiedReadRequest {
                    from_offset: Offset(offset),
                    max_events: u32::MAX,
                    max_bytes,
                    trusted_size: Some(size),
                    shape: ProofShape::Range,
                };
                engine
                    .read_verified_as(TENANT, stream, request)?
                    .records
                    .len()
            } else {
                engine
                    .read(TENANT, stream, Offset(offset), max_bytes)?
                    .events
                    .len()
            };
            if count == 0 {
                break;
            }
            events += count;
            offset += count as u64;
        }
    }
    Ok(events as f64 / start.elapsed().as_secs_f64())
}

/// Signed checkpoints fetched and checked by the client per second (signature,
/// consistency with the trusted one, trusted state updated).
async fn checkpoints_per_second(client: &Client, stream: StreamId, seconds: u64) -> Result<f64> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut count = 0u32;
    while Instant::now() < deadline {
        client.checkpoint(stream).await?;
        count += 1;
    }
    Ok(f64::from(count) / start.elapsed().as_secs_f64())
}

/// Rounds of plain and verified reads, one after the other, so that a machine
/// whose speed drifts (other programs on the cores) moves both alike.
const READ_ROUNDS: u32 = 10;

/// Plain and verified passes in [`READ_ROUNDS`] alternating rounds over
/// `seconds` in all; returns the median plain and verified events/s and the
/// median of each round's verified / plain.
async fn plain_then_verified(
    client: &Client,
    stream: StreamId,
    max_bytes: u64,
    pass: Pass,
    seconds: u64,
) -> Result<(f64, f64, f64)> {
    let each = Duration::from_secs(seconds) / (2 * READ_ROUNDS);
    let (mut plain, mut verified, mut shares) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..READ_ROUNDS {
        let p = read_passes(client, stream, max_bytes, (false, pass), each).await?;
        let v = read_passes(client, stream, max_bytes, (true, pass), each).await?;
        plain.push(p);
        verified.push(v);
        shares.push(v / p);
    }
    Ok((median(plain), median(verified), median(shares)))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Plain against verified reads of one stream, at two read sizes.
async fn read_scenarios(root: &Path, seconds: u64, stored: u64) -> Result<()> {
    println!();
    println!(
        "{:<44} {:>12} {:>9} {:>12} {:>10}",
        "reads of 1 KiB events", "plain ev/s", "MB/s", "verified ev/s", "verified"
    );
    let (address, engine) = start_server(&root.join("reads"), 64).await?;
    let client = connect(&address).await?;
    let stream = new_stream(&client, "reads").await?;
    let batch = vec![vec![0x5Au8; EVENT_BYTES]; 1000];
    let mut offset = 0;
    while offset < stored {
        client.append(stream, batch.clone(), Offset(offset)).await?;
        offset += batch.len() as u64;
    }
    for max_bytes in [64 * 1024, 1024 * 1024] {
        for (name, pass) in [("one reader", Pass::Calls), ("  one scan", Pass::Scan)] {
            let (plain, verified, share) =
                plain_then_verified(&client, stream, max_bytes, pass, seconds).await?;
            println!(
                "{:<44} {plain:>12.0} {:>9.1} {verified:>12.0} {:>9.0}%",
                format!("{name}, {} KiB per read", max_bytes / 1024),
                plain * EVENT_BYTES as f64 / 1e6,
                100.0 * share
            );
        }
        let engine_plain = engine_read_passes(&engine, stream, max_bytes, false, seconds)?;
        let engine_verified = engine_read_passes(&engine, stream, max_bytes, true, seconds)?;
        println!(
            "{:<44} {engine_plain:>12.0} {:>9.1} {engine_verified:>12.0} {:>9.0}%",
            format!("  engine alone, {} KiB per read", max_bytes / 1024),
            engine_plain * EVENT_BYTES as f64 / 1e6,
            100.0 * engine_verified / engine_plain
        );
    }
    let checkpoints = checkpoints_per_second(&client, stream, seconds).await?;
    println!("checkpoints fetched and checked by the client: {checkpoints:.0}/s");
    Ok(())
}

fn main() -> Result<()> {
    let base = std::env::var_os("KMB_BENCH_DIR").map_or_else(std::env::temp_dir, Into::into);
    let root = tempfile::tempdir_in(base)?;
    let seconds = env_u64("KMB_BENCH_SECONDS", 3);
    let stored = env_u64("KMB_BENCH_READ_EVENTS", 20_000).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "kimberlite client benchmark ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let part = std::env::var("KMB_BENCH_PART").unwrap_or_default();
    runtime.block_on(async {
        if part != "in-process" && part != "reads" {
            sdk::run(root.path(), seconds).await?;
        }
        if part != "sdk" {
            println!("\nin-process server over the storage engine");
            if part != "reads" {
                append_scenarios(root.path(), seconds).await?;
            }
            read_scenarios(root.path(), seconds, stored).await?;
        }
        Ok(())
    })
}
