//! The keyword arguments of `Client(...)` and `AsyncClient.connect(...)` as core's
//! [`ConnectOptions`].

use std::time::Duration;

use kimberlite::{ConnectOptions, TenantId, TlsOptions};
use pyo3::prelude::*;
use rustls_pki_types::CertificateDer;

/// The connection settings as Python passes them.
pub struct Settings {
    /// The tenant every request acts for.
    pub tenant: u64,
    /// API key or admin token.
    pub api_key: Option<String>,
    /// Where trusted keys and checkpoints are kept.
    pub state_directory: Option<std::path::PathBuf>,
    /// The pinned C2SP verifier key of the server.
    pub server_key: Option<String>,
    /// Seconds to connect and handshake.
    pub connect_timeout: f64,
    /// Seconds per request.
    pub request_timeout: f64,
    /// Attempts per call after the connection was lost.
    pub reconnect_attempts: u32,
    /// Seconds before the second attempt, doubling after.
    pub reconnect_backoff: f64,
    /// DER certificates of trusted authorities; TLS is on when given.
    pub tls_root_certificates: Option<Vec<Vec<u8>>>,
    /// The name the certificate is checked against.
    pub tls_server_name: Option<String>,
    /// Audit metadata sent with every request.
    pub audit: Option<crate::audit::Audit>,
}

fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        crate::error::invalid_argument(format!("{name} must be a non-negative number of seconds"))
    })
}

impl Settings {
    /// Core's options.
    pub fn into_options(self) -> PyResult<ConnectOptions> {
        let mut options = ConnectOptions::new(TenantId(self.tenant))
            .connect_timeout(seconds("connect_timeout", self.connect_timeout)?)
            .request_timeout(seconds("request_timeout", self.request_timeout)?)
            .reconnect_attempts(self.reconnect_attempts)
            .reconnect_backoff(seconds("reconnect_backoff", self.reconnect_backoff)?);
        if let Some(token) = self.api_key {
            options = options.auth_token(token);
        }
        if let Some(directory) = self.state_directory {
            options = options.state_directory(directory);
        }
        if let Some(key) = self.server_key {
            options = options.pinned_server_key(key);
        }
        if let Some(audit) = self.audit {
            options = options.audit(audit.into());
        }
        if let Some(roots) = self.tls_root_certificates {
            options = options.tls(TlsOptions {
                root_certificates: roots.into_iter().map(CertificateDer::from).collect(),
                server_name: self.tls_server_name,
            });
        }
        Ok(options)
    }
}

/// A data class by name (`"PHI"`, `"PII"`, ..., `"Public"`).
pub fn data_class(name: &str) -> PyResult<kimberlite::DataClass> {
    kimberlite::DataClass::ALL
        .into_iter()
        .find(|class| format!("{class:?}") == name)
        .ok_or_else(|| {
            crate::error::invalid_argument(format!(
                "unknown data class {name:?}; one of {:?}",
                kimberlite::DataClass::ALL
            ))
        })
}

/// A placement by name: `"Global"`, or a region (`"USEast1"`, `"APSoutheast2"` or
/// any other name).
pub fn placement(name: &str) -> PyResult<kimberlite::Placement> {
    use kimberlite::{Placement, Region};
    match name {
        "" => Err(crate::error::invalid_argument("a placement needs a name")),
        "Global" => Ok(Placement::Global),
        "USEast1" => Ok(Placement::Region(Region::USEast1)),
        "APSoutheast2" => Ok(Placement::Region(Region::APSoutheast2)),
        other => Ok(Placement::Region(Region::Custom(other.to_owned()))),
    }
}
