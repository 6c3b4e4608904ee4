//! The machine a comparison ran on: cores, processor, memory, kernel, load,
//! and how many write + fdatasync rounds per second the disk does (every
//! durable write of every system waits for one, so it bounds them all).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::Result;

/// What the report says about the machine.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Machine {
    /// Logical cores the program may use.
    pub cores: usize,
    /// The processor's model name.
    pub processor: String,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// The kernel release.
    pub kernel: String,
    /// The 1-minute load average when the run began.
    pub load_average: String,
    /// 4 KiB write + fdatasync rounds per second in the data directory's file system.
    pub fdatasync_per_second: f64,
    /// Name and version of each program compared.
    pub versions: Vec<(String, String)>,
}

/// The first value of `key` in a `key : value` file such as /proc/cpuinfo.
fn proc_field(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == key).then(|| value.trim().to_owned())
    })
}

/// Describes this machine, probing the disk under `probe_dir` for `probe`.
///
/// # Errors
/// The probe file cannot be written or synced.
pub fn describe(probe_dir: &Path, probe: Duration) -> Result<Machine> {
    let memory_kib: f64 = proc_field("/proc/meminfo", "MemTotal")
        .and_then(|value| value.trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    let read_trimmed = |path: &str| {
        std::fs::read_to_string(path)
            .map(|text| text.trim().to_owned())
            .unwrap_or_default()
    };
    let load = read_trimmed("/proc/loadavg");
    Ok(Machine {
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        processor: proc_field("/proc/cpuinfo", "model name").unwrap_or_default(),
        memory_gib: memory_kib / (1024.0 * 1024.0),
        kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        load_average: load.split_whitespace().next().unwrap_or("").to_owned(),
        fdatasync_per_second: fdatasync_rate(probe_dir, probe)?,
        versions: Vec::new(),
    })
}

/// Rewrites 4 KiB at the start of a file and fdatasyncs it, over and over for
/// `duration`; returns rounds per second.
///
/// # Errors
/// The file cannot be written or synced.
pub fn fdatasync_rate(dir: &Path, duration: Duration) -> Result<f64> {
    let path = dir.join("fdatasync-probe");
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)?;
    let block = [0x42u8; 4096];
    let start = Instant::now();
    let mut rounds = 0u64;
    while start.elapsed() < duration {
        std::os::unix::fs::FileExt::write_all_at(&file, &block, 0)?;
        file.flush()?;
        file.sync_data()?;
        rounds += 1;
    }
    let rate = rounds as f64 / start.elapsed().as_secs_f64();
    drop(file);
    std::fs::remove_file(&path)?;
    Ok(rate)
}
