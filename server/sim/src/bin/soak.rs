//! `soak`: many connections against a release server for a bounded time.
//!
//! ```text
//! cargo build --release -p kimberlite-cli -p kimberlite-sim
//! target/release/soak --seconds 300 --connections 500
//! ```
//!
//! The server is `kimberlite dev` (default: the `kimberlite` binary beside
//! this one) on a fresh data directory and a free loopback port; its default
//! connection limit (1024) admits the 500 connections.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use kimberlite_sim::soak::{soak, SoakConfig, SoakServer};

/// Load and soak test of a Kimberlite server.
#[derive(Debug, Parser)]
struct Args {
    /// How long the connections run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 500)]
    connections: u64,
    /// The kimberlite binary (default: beside this program).
    #[arg(long)]
    server: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("soak: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let binary = match &args.server {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|error| error.to_string())?
            .with_file_name("kimberlite"),
    };
    let dir = std::env::temp_dir().join(format!("kimberlite-soak-{}", std::process::id()));
    let server = SoakServer::spawn(&binary, &dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    let config = SoakConfig {
        connections: args.connections,
        duration: Duration::from_secs(args.seconds),
    };
    let report = runtime.block_on(soak(&server, config));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let report = report?;
    println!("connections {}, {} s", args.connections, args.seconds);
    for (kind, count, p50, p99) in &report.operations {
        println!("  {kind:<12} {count:>9} ops  p50 {p50:>7} us  p99 {p99:>7} us");
    }
    let (middle, last) = report.memory_thirds();
    println!(
        "server RSS after warm-up: middle third {} MiB, last third {} MiB, max {} MiB ({} samples): {}",
        middle / 1024,
        last / 1024,
        report.rss_kib.iter().max().copied().unwrap_or(0) / 1024,
        report.rss_kib.len(),
        if report.memory_flat() {
            "flat"
        } else {
            "GROWING"
        }
    );
    let samples: Vec<String> = report
        .rss_kib
        .iter()
        .map(|kib| (kib / 1024).to_string())
        .collect();
    println!("server RSS samples, MiB: {}", samples.join(" "));
    println!(
        "subscription pushes {}, deliberate errors {}, other errors {}",
        report.pushes,
        report.deliberate_errors,
        report.errors.len()
    );
    for error in report.errors.iter().take(20) {
        println!("  error: {error}");
    }
    Ok(report.errors.is_empty() && report.memory_flat())
}
