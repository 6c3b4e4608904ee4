//! Logs of a running server: `tracing` to standard error, filtered by
//! `--log-level` or else `RUST_LOG`, else `info`.

use tracing_subscriber::EnvFilter;

use crate::error::CliError;

/// Installs the global subscriber.
///
/// # Errors
/// [`CliError::Logging`] for a filter that does not parse.
pub fn init(level: Option<&str>) -> Result<(), CliError> {
    let filter = match level {
        Some(level) => EnvFilter::try_new(level),
        None => EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new("info")),
    }
    .map_err(|error| CliError::Logging(format!("bad log filter: {error}")))?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init()
        .map_err(|error| CliError::Logging(error.to_string()))
}
