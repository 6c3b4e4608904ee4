//! The node's configuration file, `<data dir>/kimberlite.toml`.
//!
//! `kimberlite init` writes it with every setting spelled out at its default,
//! so the file documents itself; `kimberlite start` reads it and lets command
//! line flags override the address and the metrics address. Unknown keys are
//! errors, so a misspelt setting is never silently ignored.

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kimberlite_server::{AdminToken, AuthMode, Limits, ServerConfig, TlsConfig};
use serde::Deserialize;

use crate::error::CliError;

/// File name of the configuration inside a data directory.
pub const CONFIG_FILE: &str = "kimberlite.toml";

/// The whole configuration file.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Who the node is.
    pub node: NodeSection,
    /// Where it listens.
    pub server: ServerSection,
    /// TLS; plain TCP without it.
    pub tls: Option<TlsSection>,
    /// Resource limits; each missing key keeps its default.
    #[serde(default)]
    pub limits: LimitsSection,
}

/// `[node]`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NodeSection {
    /// The node's name: prefix of checkpoint origins and signing key name.
    pub name: String,
    /// Authentication off, tenants created on first use.
    #[serde(default)]
    pub development: bool,
}

/// `[server]`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// Where clients connect.
    pub address: SocketAddr,
    /// Where `GET /metrics` is served; none without it.
    pub metrics_address: Option<SocketAddr>,
}

/// `[tls]`: PEM files, relative paths being relative to the data directory.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

/// `[limits]`; see [`Limits`] for what each one bounds.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[allow(
    missing_docs,
    reason = "each field is the Limits field of the same name"
)]
pub struct LimitsSection {
    pub max_frame_bytes: Option<usize>,
    pub max_append_events: Option<usize>,
    pub max_append_bytes: Option<usize>,
    pub max_read_bytes: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_in_flight_per_connection: Option<usize>,
    pub idle_timeout_secs: Option<u64>,
    pub write_timeout_secs: Option<u64>,
    pub handshake_timeout_secs: Option<u64>,
    pub max_subscription_credits: Option<u32>,
    pub max_subscriptions_per_connection: Option<usize>,
    pub max_push_bytes: Option<u64>,
    pub shutdown_grace_secs: Option<u64>,
}

impl LimitsSection {
    /// The defaults with this section's values applied.
    #[must_use]
    pub fn to_limits(&self) -> Limits {
        let mut limits = Limits::default();
        let secs = Duration::from_secs;
        let set = |target: &mut usize, value: Option<usize>| *target = value.unwrap_or(*target);
        set(&mut limits.max_frame_bytes, self.max_frame_bytes);
        set(&mut limits.max_append_events, self.max_append_events);
        set(&mut limits.max_append_bytes, self.max_append_bytes);
        set(&mut limits.max_connections, self.max_connections);
        set(
            &mut limits.max_in_flight_per_connection,
            self.max_in_flight_per_connection,
        );
        set(
            &mut limits.max_subscriptions_per_connection,
            self.max_subscriptions_per_connection,
        );
        limits.max_read_bytes = self.max_read_bytes.unwrap_or(limits.max_read_bytes);
        limits.max_push_bytes = self.max_push_bytes.unwrap_or(limits.max_push_bytes);
        limits.max_subscription_credits = self
            .max_subscription_credits
            .unwrap_or(limits.max_subscription_credits);
        limits.idle_timeout = self.idle_timeout_secs.map_or(limits.idle_timeout, secs);
        limits.write_timeout = self.write_timeout_secs.map_or(limits.write_timeout, secs);
        limits.handshake_timeout = self
            .handshake_timeout_secs
            .map_or(limits.handshake_timeout, secs);
        limits.shutdown_grace = self.shutdown_grace_secs.map_or(limits.shutdown_grace, secs);
        limits
    }
}

impl NodeConfig {
    /// Reads `<dir>/kimberlite.toml`.
    ///
    /// # Errors
    /// [`CliError::NotInitialised`] when it is missing, [`CliError::BadConfig`]
    /// when it does not parse.
    pub fn load(dir: &Path) -> Result<Self, CliError> {
        let path = dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(CliError::NotInitialised {
                    path,
                    dir: dir.to_path_buf(),
                })
            }
            Err(error) => return Err(CliError::io(&path)(error)),
        };
        toml::from_str(&text).map_err(|error| CliError::BadConfig {
            path,
            message: error.to_string(),
        })
    }

    /// The server configuration for data directory `dir` with the admin token.
    #[must_use]
    pub fn server_config(&self, dir: &Path, admin_token: Option<AdminToken>) -> ServerConfig {
        let auth = if self.node.development {
            AuthMode::Development
        } else {
            AuthMode::Required { admin_token }
        };
        let mut config = ServerConfig::new(self.server.address, auth);
        config.metrics_address = self.server.metrics_address;
        config.limits = self.limits.to_limits();
        config.tls = self.tls.as_ref().map(|tls| TlsConfig::Files {
            cert_path: dir.join(&tls.cert),
            key_path: dir.join(&tls.key),
        });
        config
    }
}

/// The text of a new configuration file, every limit at its default.
#[must_use]
pub fn render_new(name: &str, address: SocketAddr, development: bool) -> String {
    let limits = Limits::default();
    format!(
        "# Kimberlite node configuration, written by `kimberlite init`.\n\
         # Command line flags of `kimberlite start` override [server] settings.\n\
         \n\
         [node]\n\
         # Prefix of every checkpoint origin and the signing key's name.\n\
         name = \"{name}\"\n\
         # true: authentication OFF and tenants created on first use. Local use only.\n\
         development = {development}\n\
         \n\
         [server]\n\
         address = \"{address}\"\n\
         # metrics_address = \"127.0.0.1:9464\"   # serve GET /metrics (Prometheus text)\n\
         \n\
         # [tls]\n\
         # cert = \"tls/cert.pem\"   # PEM chain, leaf first; relative to this directory\n\
         # key = \"tls/key.pem\"\n\
         \n\
         [limits]\n\
         max_frame_bytes = {}\n\
         max_append_events = {}\n\
         max_append_bytes = {}\n\
         max_read_bytes = {}\n\
         max_connections = {}\n\
         max_in_flight_per_connection = {}\n\
         idle_timeout_secs = {}\n\
         write_timeout_secs = {}\n\
         handshake_timeout_secs = {}\n\
         max_subscription_credits = {}\n\
         max_subscriptions_per_connection = {}\n\
         max_push_bytes = {}\n\
         shutdown_grace_secs = {}\n",
        limits.max_frame_bytes,
        limits.max_append_events,
        limits.max_append_bytes,
        limits.max_read_bytes,
        limits.max_connections,
        limits.max_in_flight_per_connection,
        limits.idle_timeout.as_secs(),
        limits.write_timeout.as_secs(),
        limits.handshake_timeout.as_secs(),
        limits.max_subscription_credits,
        limits.max_subscriptions_per_connection,
        limits.max_push_bytes,
        limits.shutdown_grace.as_secs(),
    )
}
