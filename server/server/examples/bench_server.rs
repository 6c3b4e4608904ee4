//! End-to-end server benchmark: durable single-event appends of 1 KiB over
//! loopback TCP to an in-process server over the storage engine, from many
//! connections, with the same workload run on the engine alone for the ratio.
//! The clients speak the protocol with the protocol crate directly, so the
//! figures are the server's and not a client library's. Prints a table.
//!
//! Run with `cargo run --release -p kimberlite-server --example bench_server`.
//! Environment:
//! - `KMB_BENCH_SECONDS`: seconds per scenario (default 3).
//! - `KMB_BENCH_CONNECTIONS`: connections (and engine appenders) (default 64).
//! - `KMB_BENCH_DIR`: where to put the data directories (default: the system's
//!   temporary directory).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kimberlite_protocol::message::{AppendEventsRequest, CreateStreamRequest, HandshakeRequest};
use kimberlite_protocol::{
    decode_message, encode_message_frame, DataClass, FrameDecoder, Message, Offset, Placement,
    Request, RequestId, RequestPayload, Response, ResponsePayload, StreamId, TenantId,
};
use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig};
use kimberlite_storage::engine::{Engine, EngineConfig, EngineStats};
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

fn fresh_engine(root: &Path, name: &str) -> Result<Arc<Engine>> {
    let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
    let config = EngineConfig::new(root.join(name), "bench.kimberlite");
    Engine::init(vfs.clone(), &config)?;
    let (engine, _) = Engine::open(vfs, config)?;
    engine.create_tenant(TENANT, "bench")?;
    Ok(Arc::new(engine))
}

/// One connection speaking the protocol: frames out, frames in.
struct Connection {
    socket: TcpStream,
    decoder: FrameDecoder,
    next_id: u64,
    frame: Vec<u8>,
}

impl Connection {
    async fn open(address: SocketAddr) -> Result<Self> {
        let socket = TcpStream::connect(address).await?;
        socket.set_nodelay(true)?;
        let mut connection = Self {
            socket,
            decoder: FrameDecoder::new(),
            next_id: 0,
            frame: Vec::new(),
        };
        let handshake = RequestPayload::Handshake(HandshakeRequest {
            client_version: 5,
            auth_token: Some(ADMIN.to_owned()),
        });
        match connection.call(handshake).await? {
            ResponsePayload::Handshake(answer) if answer.authenticated => Ok(connection),
            other => Err(format!("handshake refused: {other:?}").into()),
        }
    }

    async fn send(&mut self, payload: RequestPayload) -> Result<RequestId> {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        let request = Request {
            id,
            tenant_id: TENANT,
            audit: None,
            payload,
        };
        self.frame.clear();
        encode_message_frame(&Message::Request(request), &mut self.frame)?;
        self.socket.write_all(&self.frame).await?;
        Ok(id)
    }

    /// The next response (pushes are not expected: nothing subscribes).
    async fn receive(&mut self) -> Result<Response> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if let Some(payload) = self.decoder.next_frame()? {
                return match decode_message(payload)? {
                    Message::Response(response) => Ok(response),
                    other => Err(format!("unexpected message {other:?}").into()),
                };
            }
            let read = self.socket.read(&mut chunk).await?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            self.decoder.extend(&chunk[..read]);
        }
    }

    async fn call(&mut self, payload: RequestPayload) -> Result<ResponsePayload> {
        let id = self.send(payload).await?;
        let response = self.receive().await?;
        if response.request_id != id {
            return Err("an answer to another request".into());
        }
        Ok(response.payload)
    }

    async fn create_stream(&mut self, name: String) -> Result<StreamId> {
        let request = RequestPayload::CreateStream(CreateStreamRequest {
            name,
            data_class: DataClass::Public,
            placement: Placement::Global,
        });
        match self.call(request).await? {
            ResponsePayload::CreateStream(answer) => Ok(answer.stream_id),
            other => Err(format!("create stream: {other:?}").into()),
        }
    }

    /// Appends single events until the deadline, with up to `depth` appends in
    /// flight on each of `streams`; returns the latency of each append.
    async fn append_until(
        &mut self,
        streams: &[StreamId],
        depth: usize,
        deadline: Instant,
    ) -> Result<Vec<Duration>> {
        let event = vec![0xA5u8; EVENT_BYTES];
        let mut sent: HashMap<RequestId, (Instant, usize)> = HashMap::new();
        let mut offsets = vec![0u64; streams.len()];
        let mut in_flight = vec![0usize; streams.len()];
        let mut latencies = Vec::new();
        loop {
            for (index, stream) in streams.iter().enumerate() {
                while in_flight[index] < depth && Instant::now() < deadline {
                    let request = RequestPayload::AppendEvents(AppendEventsRequest {
                        stream_id: *stream,
                        events: vec![event.clone()],
                        expected_offset: Offset(offsets[index]),
                    });
                    let id = self.send(request).await?;
                    sent.insert(id, (Instant::now(), index));
                    offsets[index] += 1;
                    in_flight[index] += 1;
                }
            }
            if sent.is_empty() {
                return Ok(latencies);
            }
            let response = self.receive().await?;
            let (began, index) = sent
                .remove(&response.request_id)
                .ok_or("an answer to an unknown request")?;
            in_flight[index] -= 1;
            match response.payload {
                ResponsePayload::AppendEvents(_) => latencies.push(began.elapsed()),
                other => return Err(format!("append refused: {other:?}").into()),
            }
        }
    }
}

/// CPU seconds (user and system) this process has used so far, from
/// `/proc/self/stat` at the usual 100 ticks per second; 0 where unavailable.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name in parentheses; utime and stime are the 12th
    // and 13th of them (fields 14 and 15 of the whole line).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |index: usize| fields.get(index).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => 0.0,
    }
}

/// Engine counters and process CPU time at one moment.
struct Counters {
    stats: EngineStats,
    cpu_seconds: f64,
}

impl Counters {
    fn now(engine: &Engine) -> Self {
        Self {
            stats: engine.stats(),
            cpu_seconds: process_cpu_seconds(),
        }
    }
}

/// What one scenario measured.
struct Figures {
    events: u64,
    seconds: f64,
    latencies: Vec<Duration>,
    group_commits: u64,
    records_per_sync: f64,
    cpu_seconds: f64,
}

impl Figures {
    fn new(
        mut latencies: Vec<Duration>,
        seconds: f64,
        before: &Counters,
        after: &Counters,
    ) -> Self {
        latencies.sort();
        let commits = after.stats.group_commits - before.stats.group_commits;
        let records = after.stats.records - before.stats.records;
        Self {
            events: latencies.len() as u64,
            seconds,
            latencies,
            group_commits: commits,
            records_per_sync: records as f64 / commits.max(1) as f64,
            cpu_seconds: after.cpu_seconds - before.cpu_seconds,
        }
    }

    fn rate(&self) -> f64 {
        self.events as f64 / self.seconds
    }

    fn percentile_ms(&self, fraction: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let index = ((self.latencies.len() - 1) as f64 * fraction).round() as usize;
        self.latencies[index].as_secs_f64() * 1e3
    }

    fn print(&self, name: &str, engine_rate: Option<f64>) {
        let ratio = engine_rate.map_or_else(
            || "-".to_owned(),
            |engine| format!("{:.0}%", 100.0 * self.rate() / engine),
        );
        println!(
            "{name:<42} {:>9.0} {:>8.2} {:>8.2} {:>8.0} {:>8.1} {:>9.1} {:>7}",
            self.rate(),
            self.percentile_ms(0.5),
            self.percentile_ms(0.99),
            self.group_commits as f64 / self.seconds,
            self.records_per_sync,
            1e6 * self.cpu_seconds / self.events.max(1) as f64,
            ratio
        );
    }
}

/// The engine alone: `appenders` threads, each appending single 1 KiB events to
/// its own stream (the workload of the storage benchmark's "append 64x batch 1").
fn engine_alone(root: &Path, appenders: usize, seconds: u64) -> Result<Figures> {
    let engine = fresh_engine(root, &format!("engine{appenders}"))?;
    let mut ids = Vec::with_capacity(appenders);
    for index in 0..appenders {
        let name = format!("s{index}");
        ids.push(engine.create_stream(TENANT, &name, DataClass::Public, Placement::Global)?);
    }
    let before = Counters::now(&engine);
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let threads: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::spawn(move || -> Result<Vec<Duration>> {
                let mut latencies = Vec::new();
                let mut offset = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let began = Instant::now();
                    engine.append(TENANT, id, Offset(offset), vec![vec![0xA5u8; EVENT_BYTES]])?;
                    latencies.push(began.elapsed());
                    offset += 1;
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
    let seconds = start.elapsed().as_secs_f64();
    let figures = Figures::new(latencies, seconds, &before, &Counters::now(&engine));
    engine.shutdown()?;
    Ok(figures)
}

/// How the appends of one server scenario are spread.
struct Spread {
    connections: usize,
    streams_per_connection: usize,
    depth: usize,
}

/// Every connection appends to streams of its own, `depth` appends in flight on
/// each.
async fn over_the_server(
    root: &Path,
    name: &str,
    spread: &Spread,
    seconds: u64,
) -> Result<Figures> {
    let engine = fresh_engine(root, name)?;
    let auth = AuthMode::Required {
        admin_token: Some(AdminToken::new(ADMIN)),
    };
    let mut config = ServerConfig::new("127.0.0.1:0".parse()?, auth);
    let limits = &mut config.limits;
    limits.max_connections = limits.max_connections.max(spread.connections + 1);
    let in_flight = spread.streams_per_connection * spread.depth;
    limits.max_in_flight_per_connection = limits.max_in_flight_per_connection.max(in_flight);
    let server = Server::bind(config, Arc::new(EngineBackend::new(engine.clone()))).await?;
    let address = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));

    let mut opened = Vec::with_capacity(spread.connections);
    for index in 0..spread.connections {
        let mut connection = Connection::open(address).await?;
        let mut streams = Vec::with_capacity(spread.streams_per_connection);
        for stream in 0..spread.streams_per_connection {
            streams.push(
                connection
                    .create_stream(format!("c{index}-s{stream}"))
                    .await?,
            );
        }
        opened.push((connection, streams));
    }
    let before = Counters::now(&engine);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let depth = spread.depth;
    let tasks: Vec<_> = opened
        .into_iter()
        .map(|(mut connection, streams)| {
            tokio::spawn(async move { connection.append_until(&streams, depth, deadline).await })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let figures = Figures::new(
        latencies,
        start.elapsed().as_secs_f64(),
        &before,
        &Counters::now(&engine),
    );
    let _ = stop.send(());
    running.await??;
    engine.shutdown()?;
    Ok(figures)
}

/// Write-and-`fdatasync` rounds of 4 KiB per second on the data directory's file
/// system, alone: the ceiling of group commits per second.
fn syncs_per_second(root: &Path) -> Result<f64> {
    use std::io::Write;
    let mut file = std::fs::File::create(root.join("sync-probe"))?;
    let block = vec![0u8; 4096];
    let start = Instant::now();
    let mut rounds = 0u32;
    while start.elapsed() < Duration::from_secs(1) {
        file.write_all(&block)?;
        file.sync_data()?;
        rounds += 1;
    }
    Ok(f64::from(rounds) / start.elapsed().as_secs_f64())
}

fn main() -> Result<()> {
    let base = std::env::var_os("KMB_BENCH_DIR").map_or_else(std::env::temp_dir, Into::into);
    let root = tempfile::tempdir_in(base)?;
    let seconds = env_u64("KMB_BENCH_SECONDS", 3);
    let connections = usize::try_from(env_u64("KMB_BENCH_CONNECTIONS", 64))?.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "kimberlite-server end-to-end benchmark ({} cores), durable appends of single 1 KiB \
         events; the file system does {:.0} write+fdatasync rounds/s",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        syncs_per_second(root.path())?
    );
    println!(
        "{:<42} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7}",
        "scenario", "events/s", "p50 ms", "p99 ms", "syncs/s", "rec/sync", "CPU us/ev", "of eng."
    );
    let engine = engine_alone(root.path(), connections, seconds)?;
    engine.print(&format!("engine in process, {connections} appenders"), None);
    let wide = connections * 8;
    let engine_wide = engine_alone(root.path(), wide, seconds)?;
    engine_wide.print(&format!("engine in process, {wide} appenders"), None);
    let scenarios = [
        (
            format!("server, {connections} conns, 1 stream each"),
            connections,
            1,
            1,
            engine.rate(),
        ),
        (
            format!("server, {connections} conns, 8 streams each"),
            connections,
            8,
            1,
            engine_wide.rate(),
        ),
        (
            "server, 1 conn, 1 stream, 64 in flight".to_owned(),
            1,
            1,
            64,
            engine.rate(),
        ),
    ];
    for (index, (name, connections, streams_per_connection, depth, engine_rate)) in
        scenarios.into_iter().enumerate()
    {
        let spread = Spread {
            connections,
            streams_per_connection,
            depth,
        };
        let figures = runtime.block_on(over_the_server(
            root.path(),
            &format!("server{index}"),
            &spread,
            seconds,
        ))?;
        figures.print(&name, Some(engine_rate));
    }
    Ok(())
}
