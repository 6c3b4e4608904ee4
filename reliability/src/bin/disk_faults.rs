//! `cargo run --release -p kimberlite-reliability --bin disk_faults -- [--flips N]
//! [--seed N]`: bit flips in every kind of data file (N per kind, default 40) and
//! the operational faults; prints a table per file kind and a summary line.
//! Exits non-zero when a rule broke.

use std::process::ExitCode;

use kimberlite_reliability::binary;
use kimberlite_reliability::disk_faults::{
    bit_flips, by_kind, operational_faults, print_table, Verdict,
};
use kimberlite_reliability::security::print_checks;
use kimberlite_reliability::sql_cache::sql_cache_checks;

fn main() -> ExitCode {
    let mut flips = 40;
    let mut seed: u64 = rand::random();
    let mut args = std::env::args().skip(1);
    while let (Some(flag), Some(value)) = (args.next(), args.next()) {
        match (flag.as_str(), value.parse::<u64>()) {
            ("--flips", Ok(number)) => flips = usize::try_from(number).unwrap_or(flips),
            ("--seed", Ok(number)) => seed = number,
            _ => {
                eprintln!("usage: disk_faults [--flips N] [--seed N]");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("disk faults: seed {seed}, {flips} bit flips per file kind");
    let (trials, operations) = match (bit_flips(seed, flips), operational_faults(seed)) {
        (Ok(trials), Ok(operations)) => (trials, operations),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("disk faults: {error}");
            return ExitCode::FAILURE;
        }
    };
    for trial in trials.iter().filter(|trial| trial.failed()) {
        println!("RULE BROKEN: {trial:?}");
    }
    for trial in trials
        .iter()
        .filter(|trial| trial.verdict == Verdict::Clean)
    {
        println!(
            "undetected by verify: {} byte {} ({}), engine: {} wrong, {} errors",
            trial.file.display(),
            trial.offset,
            trial.kind,
            trial.engine.wrong.len(),
            trial.engine.errors.len()
        );
    }
    print_table(&by_kind(&trials));
    println!();
    println!("| operational fault | outcome | rules held |");
    println!("|---|---|---|");
    for row in &operations {
        println!("| {} | {} | {} |", row.fault, row.outcome, row.passed);
    }
    println!();
    let cache_failed = match binary::build_and_locate().and_then(|path| sql_cache_checks(&path)) {
        Ok(checks) => print_checks(&checks),
        Err(error) => {
            eprintln!("SQL cache faults: {error}");
            1
        }
    };
    let broken = cache_failed
        + trials.iter().filter(|trial| trial.failed()).count()
        + operations.iter().filter(|row| !row.passed).count();
    let silent = trials
        .iter()
        .filter(|trial| trial.verdict == Verdict::Clean)
        .count();
    println!(
        "disk faults summary: seed {seed}, {} bit flips, {} operational faults, 3 SQL cache \
         faults, rules broken {broken}, flips verify did not report {silent}",
        trials.len(),
        operations.len()
    );
    if broken == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
