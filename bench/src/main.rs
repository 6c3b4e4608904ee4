//! `kimberlite-bench`: runs the comparison against servers that are already
//! running (`bench/compare` starts them), prints each figure as it comes, and
//! writes REPORT.md and results.json.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use kimberlite_bench::machine::describe;
use kimberlite_bench::report::{thousands, Comparison};
use kimberlite_bench::{compare, sdk, Result, Settings, Targets};

/// Kimberlite against PostgreSQL and SQLite on the same workloads.
#[derive(Debug, Parser)]
#[command(name = "kimberlite-bench")]
struct Args {
    /// Seconds each workload runs on each system.
    #[arg(long, env = "KMB_COMPARE_SECONDS", default_value_t = 5.0)]
    seconds: f64,
    /// A running Kimberlite server, `host:port`.
    #[arg(long)]
    kimberlite: Option<String>,
    /// A file holding the server's admin token (none: a development server).
    #[arg(long)]
    kimberlite_token_file: Option<PathBuf>,
    /// A running PostgreSQL server, as a libpq-style connection string.
    #[arg(long)]
    postgres: Option<String>,
    /// Skip SQLite.
    #[arg(long)]
    no_sqlite: bool,
    /// A scratch directory on the disk to measure (SQLite file, client state,
    /// fdatasync probe).
    #[arg(long, required_unless_present = "report_only")]
    work_dir: Option<PathBuf>,
    /// Where REPORT.md and results.json go.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Output of `bench/sdks` (lines `RESULT <language> <workload> <ops/s>`).
    #[arg(long)]
    sdk_results: Option<PathBuf>,
    /// What the report says about the SDK figures' origin.
    #[arg(long, default_value = "")]
    sdk_note: String,
    /// `name=version` of a program compared, for the report (repeatable).
    #[arg(long = "program-version")]
    versions: Vec<String>,
    /// Only rewrite REPORT.md from `<out>/results.json`, with the SDK figures
    /// and note given (the SDK benchmarks run after the comparison).
    #[arg(long)]
    report_only: bool,
    /// The small workload set of the tests instead of the full one.
    #[arg(long)]
    smoke: bool,
    /// Only the workloads whose name contains this text (to profile one, say
    /// `--only "64 clients"`); the report then lists only those.
    #[arg(long)]
    only: Option<String>,
}

#[tokio::main]
async fn main() {
    if let Err(error) = run(Args::parse()).await {
        eprintln!("kimberlite-bench: {error}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<()> {
    let duration = Duration::from_secs_f64(args.seconds);
    let mut settings = if args.smoke {
        Settings::smoke(duration)
    } else {
        Settings::full(duration)
    };
    if let Some(only) = &args.only {
        settings
            .workloads
            .retain(|workload| workload.label().contains(only.as_str()));
    }
    if args.report_only {
        return rewrite_report(&args, &settings);
    }
    let work_dir = args.work_dir.clone().ok_or("--work-dir is needed")?;
    std::fs::create_dir_all(&work_dir)?;
    let mut machine = describe(&work_dir, Duration::from_secs(3))?;
    println!(
        "disk: {:.0} write + fdatasync rounds/s",
        machine.fdatasync_per_second
    );
    for version in &args.versions {
        let (name, value) = version.split_once('=').unwrap_or((version, ""));
        machine.versions.push((name.to_owned(), value.to_owned()));
    }
    machine.versions.push((
        "SQLite (bundled)".to_owned(),
        rusqlite::version().to_owned(),
    ));
    let token = match &args.kimberlite_token_file {
        Some(path) => Some(std::fs::read_to_string(path)?.trim().to_owned()),
        None => None,
    };
    let sqlite_dir = work_dir.join("sqlite");
    std::fs::create_dir_all(&sqlite_dir)?;
    let targets = Targets {
        kimberlite: args.kimberlite.clone().map(|address| (address, token)),
        postgres: args.postgres.clone(),
        sqlite_dir: (!args.no_sqlite).then_some(sqlite_dir),
        state_dir: work_dir.join("client-state"),
    };
    let rows = compare(&targets, &settings, |row| {
        println!(
            "{:<40} {:<40} {:>12} {:<10} p50 {:>8.2} ms  p99 {:>8.2} ms",
            row.workload,
            row.system_label,
            thousands(row.summary.items_per_second),
            row.unit,
            row.summary.p50_ms,
            row.summary.p99_ms
        );
    })
    .await?;
    let comparison = Comparison {
        machine,
        seconds_per_run: args.seconds,
        rows,
        sdk_results: sdk_results(&args),
        sdk_note: args.sdk_note.clone(),
    };
    comparison.write(&args.out, &settings)?;
    print!("{}", comparison.headline(&settings));
    println!("wrote {}", args.out.join("REPORT.md").display());
    Ok(())
}

/// The SDK figures of `--sdk-results`, none when it is missing or unreadable.
fn sdk_results(args: &Args) -> Vec<sdk::SdkResult> {
    match &args.sdk_results {
        Some(path) => sdk::parse(&std::fs::read_to_string(path).unwrap_or_default()),
        None => Vec::new(),
    }
}

/// `--report-only`: the last comparison's figures with this run's SDK figures.
fn rewrite_report(args: &Args, settings: &Settings) -> Result<()> {
    let json = std::fs::read(args.out.join("results.json"))?;
    let mut comparison: Comparison = serde_json::from_slice(&json)?;
    comparison.sdk_results = sdk_results(args);
    comparison.sdk_note = args.sdk_note.clone();
    comparison.write(&args.out, settings)?;
    println!(
        "wrote {} with {} SDK figures",
        args.out.join("REPORT.md").display(),
        comparison.sdk_results.len()
    );
    Ok(())
}
