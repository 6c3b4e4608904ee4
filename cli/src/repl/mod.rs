//! `kimberlite repl`: a SQL shell over the blocking client.
//!
//! On a terminal it offers line editing and a history file; otherwise it reads
//! statements from standard input until its end, so `echo 'SELECT 1' |
//! kimberlite repl` works in scripts. Results print as tables; an error is
//! printed (to standard error) and the shell goes on. The exit status is 0 at
//! the end of input or after `\quit`; only a failed connection is an error.

mod input;
mod render;
#[cfg(test)]
mod tests;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, TenantId};
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use crate::args::ReplArgs;
use crate::error::CliError;
use input::{parse_line, Input, HELP};

const PROMPT: &str = "kimberlite> ";

/// Whether the shell goes on after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

/// `kimberlite repl`.
///
/// # Errors
/// Only when the server cannot be reached; statement errors are printed.
pub fn run(args: &ReplArgs) -> Result<(), CliError> {
    let mut options = ConnectOptions::new(TenantId(args.tenant));
    if let Some(key) = &args.api_key {
        options = options.auth_token(key.clone());
    }
    let client = Client::connect(args.connect.address.clone(), options)?;
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        println!(
            "connected to {} as tenant {}; \\help for help, \\q to quit",
            args.connect.address, args.tenant
        );
        interactive_loop(&client, history_path(args))
    } else {
        piped_loop(&client)
    }
}

fn history_path(args: &ReplArgs) -> Option<PathBuf> {
    args.history.clone().or_else(|| {
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".kimberlite_history"))
    })
}

fn interactive_loop(client: &Client, history: Option<PathBuf>) -> Result<(), CliError> {
    let mut editor = match DefaultEditor::new() {
        Ok(editor) => editor,
        // No usable terminal after all: read plainly.
        Err(_) => return piped_loop(client),
    };
    if let Some(path) = &history {
        // A missing history file is normal on first use.
        let _ = editor.load_history(path);
    }
    loop {
        match editor.readline(PROMPT) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if handle_line(client, &line) == Flow::Quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                eprintln!("ERROR: reading input: {error}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        if let Err(error) = editor.save_history(path) {
            eprintln!(
                "warning: cannot save history to {}: {error}",
                path.display()
            );
        }
    }
    Ok(())
}

fn piped_loop(client: &Client) -> Result<(), CliError> {
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(CliError::io("standard input"))?;
        if handle_line(client, &line) == Flow::Quit {
            break;
        }
    }
    Ok(())
}

fn handle_line(client: &Client, line: &str) -> Flow {
    for input in parse_line(line) {
        match input {
            Input::Quit => return Flow::Quit,
            Input::Help => println!("{HELP}"),
            Input::Unknown(word) => eprintln!("ERROR: unknown command \\{word}; try \\help"),
            Input::Tables => run_sql(client, "SHOW TABLES"),
            Input::Streams => run_sql(client, "SHOW STREAMS"),
            Input::Info => match client.server_info() {
                Ok(info) => {
                    println!("server version:   {}", info.server_version);
                    println!("protocol version: {}", info.protocol_version);
                    println!("signing key:      {}", info.signing_key);
                    println!("capabilities:     {}", info.capabilities.join(", "));
                }
                Err(error) => eprintln!("ERROR: {error}"),
            },
            Input::Sql(sql) => run_sql(client, &sql),
        }
    }
    Flow::Continue
}

fn run_sql(client: &Client, sql: &str) {
    match client.query(sql, &[]) {
        Ok(result) => println!("{}", render::result(&result)),
        Err(error) => eprintln!("ERROR: {error}"),
    }
}
