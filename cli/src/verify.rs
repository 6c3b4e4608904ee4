//! `kimberlite verify <dir>`: offline verification of a stopped node's data
//! directory, with a progress bar on a terminal and a summary at the end.
//! Exits non-zero when anything is wrong, naming each problem's file, byte
//! offset, stream and record. Nothing is written (see
//! [`kimberlite_storage::verify`]).

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Instant;

use comfy_table::Table;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::verify::{verify_data_dir, VerifyReport};

use crate::args::VerifyArgs;
use crate::dir_lock;
use crate::error::CliError;

/// Streams listed one by one in the summary; more are only counted.
const MAX_LISTED_STREAMS: usize = 50;

/// `kimberlite verify`.
///
/// # Errors
/// [`CliError::VerificationFailed`] when problems were found (they are printed
/// first); [`CliError::Verify`] when the directory cannot be read.
pub fn run(args: &VerifyArgs) -> Result<(), CliError> {
    let mut lock = dir_lock::open(&args.dir)?;
    let _held = match lock.as_mut() {
        Some(lock) => Some(
            lock.try_read()
                .map_err(|error| dir_lock::busy(&args.dir, error))?,
        ),
        None => None,
    };
    let started = Instant::now();
    let bar = ProgressBar::new(0);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let template = "{bar:40} {bytes}/{total_bytes} ({eta} left) verifying the log";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    let report = verify_data_dir(Arc::new(OsVfs), &args.dir, &mut |progress| {
        bar.set_length(progress.total_bytes);
        bar.set_position(progress.done_bytes);
    });
    bar.finish_and_clear();
    let report = report?;
    let seconds = started.elapsed().as_secs_f64();
    print_report(&args.dir.display().to_string(), &report, seconds);
    if report.is_ok() {
        println!("OK: every record verified");
        Ok(())
    } else {
        Err(CliError::VerificationFailed(report.problems.len()))
    }
}

fn print_report(dir: &str, report: &VerifyReport, seconds: f64) {
    println!(
        "{dir}: {} streams, {} records, {} WAL bytes in {} segments, {seconds:.2} s",
        report.streams.len(),
        report.records,
        report.wal_bytes,
        report.segments,
    );
    if !report.streams.is_empty() {
        let mut table = Table::new();
        table.set_header([
            "tenant",
            "stream",
            "records",
            "payload bytes",
            "hashes",
            "root",
        ]);
        for stream in report.streams.iter().take(MAX_LISTED_STREAMS) {
            let hashes = if stream.erased {
                "key erased".to_owned()
            } else {
                format!("{} recomputed", stream.hashes_recomputed)
            };
            table.add_row([
                stream.tenant_id.to_string(),
                stream.stream_id.to_string(),
                stream.records.to_string(),
                stream.payload_bytes.to_string(),
                hashes,
                stream.root.to_hex(),
            ]);
        }
        println!("{table}");
        if report.streams.len() > MAX_LISTED_STREAMS {
            println!(
                "... and {} more streams",
                report.streams.len() - MAX_LISTED_STREAMS
            );
        }
    }
    for tenant in &report.erased_tenants {
        println!(
            "tenant {tenant}: data key erased; payloads unreadable, chains and trees checked \
             from the stored record hashes"
        );
    }
    for notice in &report.notices {
        println!("notice: {notice}");
    }
    for problem in &report.problems {
        println!("PROBLEM: {problem}");
    }
}
