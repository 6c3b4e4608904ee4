//! The `kimberlite` command.
//!
//! Placeholder: the server and its commands (`init`, `start`, `dev`, `repl`,
//! `verify`) arrive with issue 5. Until then the binary says so and exits with a
//! failure status, so no script mistakes it for a running database.

fn main() -> std::process::ExitCode {
    eprintln!(
        "kimberlite {}: the server and CLI are not built yet (issue 5); \
         only the protocol crate exists so far",
        env!("CARGO_PKG_VERSION")
    );
    std::process::ExitCode::FAILURE
}
