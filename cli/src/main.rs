//! The `kimberlite` command: `init`, `start`, `dev`, `repl`, `verify`, and
//! tenant and API key administration.
//!
//! ```text
//! kimberlite dev                        # ./data in development mode, on 127.0.0.1:3000
//! kimberlite init ./node                # a production data directory; prints the admin token
//! kimberlite start ./node               # serve it until SIGINT or SIGTERM
//! kimberlite repl --address 127.0.0.1:3000
//! kimberlite verify ./node              # offline check of every record (server stopped)
//! kimberlite tenant create 7 --token <admin token>
//! kimberlite key create --tenant 7 --token <admin token>
//! ```
//!
//! Every command prints what went wrong and exits with status 1 on failure;
//! docs/cli.md describes each command and the files it makes.

mod admin;
mod args;
mod config;
mod dir_lock;
mod error;
mod init;
mod logging;
mod repl;
mod serve;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kimberlite: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: &Command) -> Result<(), CliError> {
    match command {
        Command::Init(args) => init::run(args),
        Command::Start(args) => serve::start(args),
        Command::Dev(args) => serve::dev(args),
        Command::Repl(args) => repl::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Tenant(command) => admin::tenant(command),
        Command::Key(command) => admin::key(command),
    }
}
