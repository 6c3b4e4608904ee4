//! A small data directory on the fault-injecting file system ([`FaultVfs`]),
//! what a correct engine answers about it, and an observation of what an engine
//! opened on it (after damage) actually answers.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use kimberlite::{DataClass, Hash, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::Vfs;
use kimberlite_storage::verify::{verify_data_dir, VerifyReport};
use kimberlite_storage::wal::Preallocate;

/// The data directory inside the fault file system.
pub const ROOT: &str = "/data";
/// The tenant of the fixture.
pub const TENANT: TenantId = TenantId(7);

/// A populated directory and the answers a correct engine gives about it.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The file system holding it.
    pub vfs: FaultVfs,
    /// Each stream and its events.
    pub streams: Vec<(StreamId, Vec<Vec<u8>>)>,
    /// Each stream's Merkle root at its full length.
    pub roots: Vec<Hash>,
    /// Time probes: (stream, time, the last offset at or before it).
    pub probes: Vec<(StreamId, u64, Option<Offset>)>,
}

/// The engine configuration (small segments, so the log has several; prepared
/// between batches, so every build of a seed lays out the same files).
#[must_use]
pub fn config() -> EngineConfig {
    let mut config = EngineConfig::new(ROOT, "faults.test");
    config.segment_size_bytes = 4096;
    config.wal_preallocate = Preallocate::Inline;
    config
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
        })
}

/// Opens an engine on `vfs` (a panic becomes an error).
///
/// # Errors
/// The engine's refusal, or the panic's message.
pub fn open(vfs: &FaultVfs) -> Result<Engine, String> {
    let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
    let opened = catch_unwind(AssertUnwindSafe(|| Engine::open(shared, config())));
    match opened {
        Ok(Ok((engine, _))) => Ok(engine),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("PANIC while opening".to_owned()),
    }
}

/// Builds the fixture: a tenant with two sealed streams of multi-event
/// appends, a snapshot in the middle, stopped cleanly.
///
/// # Errors
/// A message when building fails (a bug, not a finding).
pub fn build(seed: u64) -> Result<Fixture, String> {
    let vfs = FaultVfs::new(seed);
    let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
    Engine::init(shared, &config()).map_err(|error| error.to_string())?;
    let engine = open(&vfs)?;
    let fail = |error: kimberlite_storage::engine::EngineError| error.to_string();
    engine.create_tenant(TENANT, "clinic").map_err(fail)?;
    let mut streams = Vec::new();
    for name in ["visits", "labs"] {
        let id = engine
            .create_stream(TENANT, name, DataClass::PHI, Placement::Global)
            .map_err(fail)?;
        streams.push((id, Vec::new()));
    }
    let mut times = Vec::new();
    for round in 0..24u64 {
        if round == 12 {
            engine.sync().map_err(fail)?;
        }
        let (id, events) = &mut streams[usize::from(round % 2 == 1)];
        let batch: Vec<Vec<u8>> = (0..1 + round % 3)
            .map(|index| format!("marker-{round}-{index}-{}", "x".repeat(40)).into_bytes())
            .collect();
        times.push((*id, now_ns()));
        engine
            .append(TENANT, *id, Offset(events.len() as u64), batch.clone())
            .map_err(fail)?;
        events.extend(batch);
    }
    let mut probes = Vec::new();
    for (id, time) in times {
        let found = engine.offset_at_timestamp(TENANT, id, time).map_err(fail)?;
        probes.push((id, time, found));
    }
    let mut roots = Vec::new();
    for (id, events) in &streams {
        roots.push(
            engine
                .root_at(TENANT, *id, events.len() as u64)
                .map_err(fail)?,
        );
    }
    engine.shutdown().map_err(fail)?;
    Ok(Fixture {
        vfs,
        streams,
        roots,
        probes,
    })
}

/// Every file of the directory, relative to it.
#[must_use]
pub fn files(vfs: &FaultVfs) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::from(ROOT)];
    while let Some(dir) = pending.pop() {
        for path in vfs.read_dir(&dir).unwrap_or_default() {
            if vfs.read_dir(&path).is_ok() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(ROOT) {
                found.push(relative.to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// Offline verification of the fixture's directory.
///
/// # Errors
/// Verification could not run; its message.
pub fn verify(vfs: &FaultVfs) -> Result<VerifyReport, String> {
    let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
    let run = catch_unwind(AssertUnwindSafe(|| {
        verify_data_dir(shared, Path::new(ROOT), &mut |_| {})
    }));
    match run {
        Ok(report) => report.map_err(|error| error.to_string()),
        Err(_) => Err("PANIC while verifying".to_owned()),
    }
}

/// What an engine opened on a (damaged) fixture answered.
#[derive(Clone, Debug, Default)]
pub struct Observation {
    /// The refusal to open, if it refused.
    pub refused: Option<String>,
    /// Answers that differ from the correct ones: data served wrongly.
    pub wrong: Vec<String>,
    /// Calls answered with an error (clean refusals).
    pub errors: Vec<String>,
    /// A panic, if any.
    pub panicked: bool,
}

/// Opens an engine on the fixture and compares every read, root and time
/// probe with the correct answers.
#[must_use]
pub fn observe(fixture: &Fixture) -> Observation {
    let mut seen = Observation::default();
    let engine = match open(&fixture.vfs) {
        Ok(engine) => engine,
        Err(error) => {
            seen.panicked = error.starts_with("PANIC");
            seen.refused = Some(error);
            return seen;
        }
    };
    let checked = catch_unwind(AssertUnwindSafe(|| compare(&engine, fixture, &mut seen)));
    seen.panicked |= checked.is_err();
    if let Err(error) = engine.shutdown() {
        seen.errors.push(format!("shutdown: {error}"));
    }
    seen
}

fn compare(engine: &Engine, fixture: &Fixture, seen: &mut Observation) {
    for ((id, events), root) in fixture.streams.iter().zip(&fixture.roots) {
        for (offset, event) in events.iter().enumerate() {
            match engine.read(TENANT, *id, Offset(offset as u64), 1) {
                Ok(batch) if batch.events.first() == Some(event) => {}
                Ok(batch) => seen.wrong.push(format!(
                    "stream {} offset {offset}: served {:?}",
                    id.0,
                    batch
                        .events
                        .first()
                        .map(|bytes| String::from_utf8_lossy(bytes))
                )),
                Err(error) => seen.errors.push(format!("read: {error}")),
            }
        }
        match engine.root_at(TENANT, *id, events.len() as u64) {
            Ok(found) if found == *root => {}
            Ok(_) => seen
                .wrong
                .push(format!("stream {}: wrong Merkle root", id.0)),
            Err(error) => seen.errors.push(format!("root: {error}")),
        }
    }
    for (id, time, expected) in &fixture.probes {
        match engine.offset_at_timestamp(TENANT, *id, *time) {
            Ok(found) if found == *expected => {}
            Ok(found) => seen.wrong.push(format!(
                "stream {} time {time}: offset {found:?}, not {expected:?}",
                id.0
            )),
            Err(error) => seen.errors.push(format!("time index: {error}")),
        }
    }
}
