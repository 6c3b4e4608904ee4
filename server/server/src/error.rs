//! Errors that stop the server from starting or from shutting down cleanly.
//!
//! Errors of one request or one connection never appear here: they are
//! answered on the wire or end only that connection.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::backend::BackendError;

/// Why the server could not start, or did not stop cleanly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The client address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The metrics address could not be bound.
    #[error("cannot serve metrics on {address}: {source}")]
    BindMetrics {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The bound socket's address could not be read.
    #[error("cannot read the bound address: {0}")]
    LocalAddress(std::io::Error),
    /// A TLS certificate or key file could not be read.
    #[error("cannot read TLS file {path}: {source}")]
    TlsRead {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The certificate PEM holds no certificate.
    #[error("the TLS certificate PEM holds no certificate")]
    TlsNoCertificate,
    /// The certificate PEM could not be parsed.
    #[error("the TLS certificate PEM is malformed: {0}")]
    TlsBadCertificate(String),
    /// The key PEM holds no usable private key.
    #[error("the TLS key PEM holds no usable private key: {0}")]
    TlsBadKey(String),
    /// rustls refused the certificate and key.
    #[error("TLS configuration refused: {0}")]
    TlsConfig(#[from] rustls::Error),
    /// The final sync of the backend at shutdown failed.
    #[error("final sync at shutdown failed: {0}")]
    ShutdownSync(BackendError),
}
