//! Server configuration: addresses, authentication, TLS, limits, capabilities.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use kimberlite_protocol::CapabilitySet;

use crate::limits::Limits;

/// Everything [`Server::bind`](crate::Server::bind) needs besides the backend.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where clients connect (port 0 picks a free port).
    pub address: SocketAddr,
    /// Where `GET /metrics` is served in Prometheus text format; None for no
    /// metrics endpoint.
    pub metrics_address: Option<SocketAddr>,
    /// Who may do what.
    pub auth: AuthMode,
    /// TLS certificate and key; None for plain TCP.
    pub tls: Option<TlsConfig>,
    /// Resource limits.
    pub limits: Limits,
    /// The extension capabilities offered in the handshake (default: all).
    pub capabilities: CapabilitySet,
}

impl ServerConfig {
    /// A configuration with default limits, every capability, no TLS and no
    /// metrics endpoint.
    #[must_use]
    pub fn new(address: SocketAddr, auth: AuthMode) -> Self {
        Self {
            address,
            metrics_address: None,
            auth,
            tls: None,
            limits: Limits::default(),
            capabilities: CapabilitySet::ALL,
        }
    }
}

/// How clients authenticate.
#[derive(Clone, Debug)]
pub enum AuthMode {
    /// Every connection must present the admin token or an API key.
    Required {
        /// The administrator's token, if one is configured.
        admin_token: Option<AdminToken>,
    },
    /// No authentication: every connection may use every tenant, and a tenant
    /// is created on its first request. For local development only.
    Development,
}

/// The administrator's secret token. Its `Debug` output hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

impl AdminToken {
    /// Wraps a token.
    #[must_use]
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token text.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

/// Where the TLS certificate chain and private key come from, both PEM.
#[derive(Clone, PartialEq, Eq)]
pub enum TlsConfig {
    /// Files on disk.
    Files {
        /// The certificate chain, leaf first.
        cert_path: PathBuf,
        /// The private key (PKCS#8, PKCS#1 or SEC1).
        key_path: PathBuf,
    },
    /// PEM text already in memory.
    Pem {
        /// The certificate chain, leaf first.
        cert_pem: Vec<u8>,
        /// The private key.
        key_pem: Vec<u8>,
    },
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Files {
                cert_path,
                key_path,
            } => f
                .debug_struct("Files")
                .field("cert_path", cert_path)
                .field("key_path", key_path)
                .finish(),
            Self::Pem { .. } => f.write_str("Pem(<redacted>)"),
        }
    }
}
