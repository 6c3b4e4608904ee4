//! Why a command failed. Each variant says what to do about it where it can.

use std::io;
use std::path::PathBuf;

/// A failed command; `main` prints it and exits non-zero.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// `init` refuses to touch a directory that holds something.
    #[error(
        "{path} exists and is not empty: refusing to initialise it (choose a new directory, \
         or start this one with `kimberlite start {path}`)",
        path = path.display()
    )]
    DirectoryNotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// `start` was pointed at a directory without a configuration.
    #[error(
        "{path} is not an initialised data directory (no kimberlite.toml): run \
         `kimberlite init {dir}` first",
        path = path.display(),
        dir = dir.display()
    )]
    NotInitialised {
        /// The configuration file looked for.
        path: PathBuf,
        /// The data directory.
        dir: PathBuf,
    },
    /// Another process (a running server) holds the data directory.
    #[error(
        "{path} is in use by a running server: stop it first (a directory is served by one \
         process at a time, and verified only while nothing writes it)",
        path = path.display()
    )]
    DirectoryInUse {
        /// The data directory.
        path: PathBuf,
    },
    /// The configuration file does not parse.
    #[error("{path}: {message}", path = path.display())]
    BadConfig {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file operation failed.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The storage engine refused to initialise or open.
    #[error("storage: {0}")]
    Storage(#[from] kimberlite_storage::engine::EngineError),
    /// The server failed.
    #[error("server: {0}")]
    Server(#[from] kimberlite_server::ServerError),
    /// Opening or rebuilding the SQL views failed.
    #[error("SQL views: {0}")]
    Sql(#[from] kimberlite_sql::SqlError),
    /// A client call failed.
    #[error("{0}")]
    Client(#[from] kimberlite::Error),
    /// Verification could not run.
    #[error("verify: {0}")]
    Verify(#[from] kimberlite_storage::verify::VerifyError),
    /// Verification ran and found problems (already printed).
    #[error("verification failed: {0} problem(s) found")]
    VerificationFailed(usize),
    /// Logging could not be set up.
    #[error("logging: {0}")]
    Logging(String),
}

impl CliError {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
