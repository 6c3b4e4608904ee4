//! `cargo run --release -p kimberlite-reliability --bin crash_loop -- --kills 200
//! [--seed N] [--clients N] [--max-run-ms N]`: the long crash loop (see
//! `kimberlite_reliability::crash_loop`). Builds the `kimberlite` binary of the same
//! profile first; exits non-zero on any violation.

use std::process::ExitCode;

use kimberlite_reliability::binary;
use kimberlite_reliability::crash_loop::{run, Config};

fn main() -> ExitCode {
    match parse().and_then(|config| run(&config)) {
        Ok(summary) if summary.violations.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("crash loop: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse() -> Result<Config, String> {
    let mut config = Config {
        binary: binary::build_and_locate()?,
        kills: 200,
        seed: rand::random(),
        clients: 4,
        max_run_ms: 400,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: {value:?} is not a number"))?;
        let small = || u32::try_from(number).map_err(|_| format!("{flag}: too large"));
        match flag.as_str() {
            "--kills" => config.kills = small()?,
            "--seed" => config.seed = number,
            "--clients" => config.clients = small()?,
            "--max-run-ms" => config.max_run_ms = number.max(10),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(config)
}
