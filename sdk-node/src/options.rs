//! `Client.connect` options, mapped onto `kimberlite::ConnectOptions`.

use std::time::Duration;

use kimberlite::{ConnectOptions as CoreOptions, TenantId, TlsOptions as CoreTls};
use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;

use crate::error::invalid_argument;
use crate::values::to_u64;

/// TLS settings (rustls); without them the connection is plain TCP.
#[napi(object)]
pub struct TlsOptions {
    /// Trusted root certificates, DER-encoded.
    pub root_certificates: Vec<Buffer>,
    /// The name to verify; defaults to the address's host.
    pub server_name: Option<String>,
}

/// Audit metadata sent with requests: who acts, why, which operation. The server
/// records actor, reason and correlation id with every SQL change (`kimberlite_audit`).
#[napi(object)]
pub struct Audit {
    /// Who acts (a user or service name).
    pub actor: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Ties several requests to one operation.
    pub correlation_id: Option<String>,
    /// Lets a retried request be recognised.
    pub idempotency_key: Option<String>,
}

impl From<Audit> for kimberlite::Audit {
    fn from(audit: Audit) -> Self {
        Self {
            actor: audit.actor,
            reason: audit.reason,
            correlation_id: audit.correlation_id,
            idempotency_key: audit.idempotency_key,
        }
    }
}

/// How to connect: `{ address, tenant, apiKey, ... }`.
#[napi(object)]
pub struct ConnectOptions {
    /// `host:port` of the server.
    pub address: String,
    /// The tenant every call acts for (default `1n`).
    pub tenant: Option<BigInt>,
    /// The API key (auth token); omit for a server without authentication.
    pub api_key: Option<String>,
    /// Directory of the trusted state (pinned key, trusted checkpoints); without it
    /// trust lasts as long as the client.
    pub state_directory: Option<String>,
    /// Pin the server's C2SP verifier key instead of trusting it on first use.
    pub server_key: Option<String>,
    /// Milliseconds to connect, handshake included (default 10000).
    pub connect_timeout_ms: Option<u32>,
    /// Milliseconds each call may take (default 30000).
    pub request_timeout_ms: Option<u32>,
    /// Reconnection attempts after the connection is lost (default 3).
    pub reconnect_attempts: Option<u32>,
    /// First backoff between reconnection attempts in milliseconds (default 100).
    pub reconnect_backoff_ms: Option<u32>,
    /// TLS settings.
    pub tls: Option<TlsOptions>,
    /// Audit metadata sent with every request (see `Client.withAudit`).
    pub audit: Option<Audit>,
}

/// Splits the JavaScript options into the address and the core options.
pub fn to_core(options: ConnectOptions) -> napi::Result<(String, CoreOptions)> {
    let tenant = match &options.tenant {
        Some(tenant) => to_u64(tenant, "tenant")?,
        None => 1,
    };
    let mut core = CoreOptions::new(TenantId(tenant));
    if let Some(token) = options.api_key {
        core = core.auth_token(token);
    }
    if let Some(directory) = options.state_directory {
        core = core.state_directory(directory);
    }
    if let Some(key) = options.server_key {
        core = core.pinned_server_key(key);
    }
    if let Some(ms) = options.connect_timeout_ms {
        core = core.connect_timeout(Duration::from_millis(u64::from(ms)));
    }
    if let Some(ms) = options.request_timeout_ms {
        core = core.request_timeout(Duration::from_millis(u64::from(ms)));
    }
    if let Some(attempts) = options.reconnect_attempts {
        core = core.reconnect_attempts(attempts);
    }
    if let Some(ms) = options.reconnect_backoff_ms {
        core = core.reconnect_backoff(Duration::from_millis(u64::from(ms)));
    }
    if let Some(audit) = options.audit {
        core = core.audit(audit.into());
    }
    if let Some(tls) = options.tls {
        if tls.root_certificates.is_empty() {
            return Err(invalid_argument("tls needs at least one root certificate"));
        }
        core = core.tls(CoreTls {
            root_certificates: tls
                .root_certificates
                .iter()
                .map(|der| der.to_vec().into())
                .collect(),
            server_name: tls.server_name,
        });
    }
    Ok((options.address, core))
}
