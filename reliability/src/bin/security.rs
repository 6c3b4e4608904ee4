//! `cargo run --release -p kimberlite-reliability --bin security`: the security
//! checks against the real `kimberlite` binary (built first); prints a table and
//! a summary line, exits non-zero when a check failed.

use std::process::ExitCode;

use kimberlite_reliability::binary;
use kimberlite_reliability::security::{print_checks, tenant_checks, tls_checks};

fn main() -> ExitCode {
    let checks = binary::build_and_locate().and_then(|binary| {
        let mut checks = tenant_checks(&binary)?;
        checks.extend(tls_checks(&binary)?);
        Ok(checks)
    });
    match checks {
        Ok(checks) => {
            let failed = print_checks(&checks);
            println!(
                "security summary: {} checks, {} held, {failed} failed",
                checks.len(),
                checks.len() - failed
            );
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("security: {error}");
            ExitCode::FAILURE
        }
    }
}
