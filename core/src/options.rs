//! What [`crate::Client::connect`] needs to know: tenant, credentials, TLS, timeouts,
//! where trusted state lives, how the server's signing key is trusted, and the audit
//! metadata every request carries by default.

use std::path::PathBuf;
use std::time::Duration;

use kimberlite_protocol::message::Audit;
use kimberlite_protocol::TenantId;
use rustls_pki_types::CertificateDer;

/// How the server's checkpoint-signing key is trusted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ServerKeyTrust {
    /// Trust the key the server announces the first time (per address), then
    /// remember it in the state directory (or for the life of the client without one)
    /// and refuse any other key later.
    #[default]
    TrustOnFirstUse,
    /// Only this C2SP verifier key (`name+keyid+base64`) is accepted.
    Pinned(String),
}

/// TLS settings (rustls with the `ring` provider).
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Certificates of the authorities trusted to sign the server's certificate.
    pub root_certificates: Vec<CertificateDer<'static>>,
    /// The name checked against the certificate; defaults to the address's host.
    pub server_name: Option<String>,
}

/// Options of a connection; [`ConnectOptions::new`] gives the defaults.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// The tenant every request acts for.
    pub tenant_id: TenantId,
    /// The API key or admin token sent in the handshake.
    pub auth_token: Option<String>,
    /// TLS, or plain TCP when None.
    pub tls: Option<TlsOptions>,
    /// Bound on TCP connect, TLS and handshake together.
    pub connect_timeout: Duration,
    /// Bound on each request's answer.
    pub request_timeout: Duration,
    /// Where trusted keys and checkpoints are kept across runs; in memory when None.
    pub state_directory: Option<PathBuf>,
    /// How the server's signing key is trusted.
    pub server_key: ServerKeyTrust,
    /// Connection attempts per call after the connection was lost (at least 1).
    pub reconnect_attempts: u32,
    /// The wait before the second attempt; it doubles after each failure.
    pub reconnect_backoff: Duration,
    /// Audit metadata (actor, reason, correlation id, idempotency key) sent with every
    /// request, unless a handle made by [`crate::Client::with_audit`] says otherwise.
    /// The server records the actor, reason and correlation id with each SQL change.
    pub audit: Option<Audit>,
}

impl ConnectOptions {
    /// Defaults for `tenant_id`: no token, no TLS, 10 s to connect, 30 s per request,
    /// trust on first use kept in memory, 3 reconnect attempts from 100 ms backoff.
    #[must_use]
    pub fn new(tenant_id: TenantId) -> Self {
        Self {
            tenant_id,
            auth_token: None,
            tls: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            state_directory: None,
            server_key: ServerKeyTrust::TrustOnFirstUse,
            reconnect_attempts: 3,
            reconnect_backoff: Duration::from_millis(100),
            audit: None,
        }
    }

    /// With this API key or admin token.
    #[must_use]
    pub fn auth_token(mut self, token: impl Into<String>) -> Self {
        self.auth_token = Some(token.into());
        self
    }

    /// With TLS.
    #[must_use]
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = Some(tls);
        self
    }

    /// With this connect timeout.
    #[must_use]
    pub const fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// With this per-request timeout.
    #[must_use]
    pub const fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Keeping trusted keys and checkpoints in `directory`.
    #[must_use]
    pub fn state_directory(mut self, directory: impl Into<PathBuf>) -> Self {
        self.state_directory = Some(directory.into());
        self
    }

    /// Accepting only checkpoints signed by this verifier key.
    #[must_use]
    pub fn pinned_server_key(mut self, verifier_key: impl Into<String>) -> Self {
        self.server_key = ServerKeyTrust::Pinned(verifier_key.into());
        self
    }

    /// With this many connection attempts per call after a drop.
    #[must_use]
    pub const fn reconnect_attempts(mut self, attempts: u32) -> Self {
        self.reconnect_attempts = attempts;
        self
    }

    /// Sending this audit metadata with every request.
    #[must_use]
    pub fn audit(mut self, audit: Audit) -> Self {
        self.audit = Some(audit);
        self
    }

    /// Sending this actor (and no other audit metadata) with every request.
    #[must_use]
    pub fn audit_actor(self, actor: impl Into<String>) -> Self {
        self.audit(Audit {
            actor: Some(actor.into()),
            ..Audit::default()
        })
    }

    /// With this initial reconnect backoff.
    #[must_use]
    pub const fn reconnect_backoff(mut self, backoff: Duration) -> Self {
        self.reconnect_backoff = backoff;
        self
    }
}
