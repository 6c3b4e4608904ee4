//! `kimberlite-sim`: runs simulation seeds and prints what they did.
//!
//! ```text
//! cargo run --release -p kimberlite-sim -- --seeds 0..1000 --steps 300
//! cargo run --release -p kimberlite-sim -- --seed 42      # replay one seed
//! ```

use std::ops::Range;
use std::process::ExitCode;

use clap::Parser;
use kimberlite_sim::{run_seed_traced, Counters};

/// Deterministic simulation of the Kimberlite storage engine under faults.
#[derive(Debug, Parser)]
struct Args {
    /// Run this one seed (replays a failure exactly).
    #[arg(long, conflicts_with = "seeds")]
    seed: Option<u64>,
    /// Run the seeds A..B (B excluded).
    #[arg(long, value_parser = parse_range, default_value = "0..100")]
    seeds: Range<u64>,
    /// Steps per seed.
    #[arg(long, default_value_t = 300)]
    steps: u64,
    /// Print one line per seed.
    #[arg(long)]
    verbose: bool,
    /// Print every step's operation.
    #[arg(long)]
    trace: bool,
}

fn parse_range(text: &str) -> Result<Range<u64>, String> {
    let (start, end) = text
        .split_once("..")
        .ok_or_else(|| format!("expected A..B, got {text}"))?;
    let start = start.parse().map_err(|error| format!("{start}: {error}"))?;
    let end = end.parse().map_err(|error| format!("{end}: {error}"))?;
    Ok(start..end)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let seeds = args.seed.map_or(args.seeds.clone(), |seed| seed..seed + 1);
    let mut total = Counters::default();
    let mut ran = 0u64;
    for seed in seeds {
        match run_seed_traced(seed, args.steps, args.trace) {
            Ok(report) => {
                if args.verbose || args.seed.is_some() {
                    println!(
                        "seed {seed}: {}; state {}",
                        report.counters, report.state_hash
                    );
                }
                total.add(&report.counters);
                ran += 1;
            }
            Err(violation) => {
                println!("seeds run clean before the failure: {ran}; {total}");
                eprintln!("FAILED: {violation}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("seeds run: {ran} ({} steps each); {total}", args.steps);
    ExitCode::SUCCESS
}
