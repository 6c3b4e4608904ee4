//! The command line: every subcommand, flag and default, with its help text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The default address of `kimberlite dev` and of a new configuration.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:3000";

/// Kimberlite: a verifiable, durable database.
#[derive(Debug, Parser)]
#[command(name = "kimberlite", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a data directory: configuration, master and signing keys, admin token.
    Init(InitArgs),
    /// Run the server on an initialised data directory.
    Start(StartArgs),
    /// Initialise ./data for development if it is missing, then start it.
    Dev(DevArgs),
    /// An interactive SQL shell against a running server.
    Repl(ReplArgs),
    /// Check every record of a stopped node's data directory, changing nothing.
    Verify(VerifyArgs),
    /// Create and list tenants (needs the admin token).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Create, revoke and list API keys (needs the admin token).
    #[command(subcommand)]
    Key(KeyCommand),
}

/// `kimberlite init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The data directory to create (it must be missing or empty).
    pub dir: PathBuf,
    /// Turn authentication off and create tenants on first use. Local use only.
    #[arg(long)]
    pub development: bool,
    /// The node's name: the prefix of its checkpoint origins and its key name
    /// (default: `kimberlite-` and 8 random hex digits).
    #[arg(long)]
    pub name: Option<String>,
    /// The address written to the configuration.
    #[arg(long, default_value = DEFAULT_ADDRESS)]
    pub address: SocketAddr,
}

/// Logging flags shared by the commands that run a server.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Log filter (`error`, `warn`, `info`, `debug`, `trace`, or a tracing
    /// directive list); overrides RUST_LOG. Default: RUST_LOG, else `info`.
    #[arg(long)]
    pub log_level: Option<String>,
}

/// Flags of a running server that override the configuration file.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where clients connect (overrides the configuration; port 0 picks one).
    #[arg(long)]
    pub address: Option<SocketAddr>,
    /// Where `GET /metrics` is served (overrides the configuration).
    #[arg(long)]
    pub metrics_address: Option<SocketAddr>,
    /// Logging.
    #[command(flatten)]
    pub log: LogArgs,
}

/// `kimberlite start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The data directory, made by `kimberlite init`.
    pub dir: PathBuf,
    /// Overrides.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// `kimberlite dev`.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// The data directory; initialised in development mode if missing or empty.
    #[arg(long, default_value = "./data")]
    pub dir: PathBuf,
    /// Where clients connect.
    #[arg(long, default_value = DEFAULT_ADDRESS)]
    pub address: SocketAddr,
    /// Where `GET /metrics` is served.
    #[arg(long)]
    pub metrics_address: Option<SocketAddr>,
    /// Logging.
    #[command(flatten)]
    pub log: LogArgs,
}

/// How a client command reaches the server.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The server's address, `host:port`.
    #[arg(long, env = "KIMBERLITE_ADDRESS", default_value = DEFAULT_ADDRESS)]
    pub address: String,
}

/// `kimberlite repl`.
#[derive(Debug, Args)]
pub struct ReplArgs {
    /// The server.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The tenant the statements run for.
    #[arg(long, default_value_t = 1)]
    pub tenant: u64,
    /// An API key (or the admin token); none in development mode.
    #[arg(long, env = "KIMBERLITE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The history file (default: ~/.kimberlite_history).
    #[arg(long)]
    pub history: Option<PathBuf>,
}

/// `kimberlite verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The data directory of a stopped node.
    pub dir: PathBuf,
}

/// How an admin command authenticates.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The server.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The admin token printed by `kimberlite init` (also in `<dir>/keys/admin.token`).
    #[arg(long, env = "KIMBERLITE_ADMIN_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// `kimberlite tenant ...`.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant.
    Create {
        /// The new tenant's id.
        id: u64,
        /// Its display name (default: `tenant-<id>`).
        #[arg(long)]
        name: Option<String>,
        /// Server and token.
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// List every tenant.
    List {
        /// Server and token.
        #[command(flatten)]
        admin: AdminArgs,
    },
}

/// `kimberlite key ...`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key for a tenant; its token is printed only this once.
    Create {
        /// The tenant the key may use.
        #[arg(long)]
        tenant: u64,
        /// A label to recognise the key by.
        #[arg(long, default_value = "")]
        label: String,
        /// Server and token.
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Revoke an API key.
    Revoke {
        /// The key's id, as `key create` and `key list` show it.
        key_id: String,
        /// Server and token.
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// List a tenant's API keys (without secrets).
    List {
        /// The tenant.
        #[arg(long)]
        tenant: u64,
        /// Server and token.
        #[command(flatten)]
        admin: AdminArgs,
    },
}
