//! The asynchronous [`Client`]: a cheap handle over one shared connection that is
//! re-established, with backoff, by the first call after it was lost.

mod admin;
mod read_in_parts;
mod scan;
mod sql;
mod streams;
mod verified;

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use kimberlite_protocol::message::{Audit, RequestPayload, ResponsePayload};
use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::TenantId;

use crate::connection::{Connection, SentCall};
use crate::error::{Error, ErrorCode, Result};
use crate::options::ConnectOptions;
use crate::session::{establish, Session};
use crate::transport;
use crate::verify::trust::TrustStore;
use crate::verify::{OpenedNotes, TrustedStateDir};

pub use scan::{Scan, VerifiedScan};
pub use sql::{ExecuteResult, QueryResult};
pub use streams::{ReadResult, SubscribeOptions};
pub use verified::{VerifiedEvent, VerifiedRead};

/// The longest wait between two reconnect attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A connection and the session established on it.
#[derive(Clone)]
pub(crate) struct Live {
    pub(crate) connection: Arc<Connection>,
    pub(crate) session: Arc<Session>,
}

/// A request sent on a connection, its answer still to come.
pub(crate) struct InFlight {
    live: Live,
    sent: SentCall,
}

struct Shared {
    address: String,
    options: ConnectOptions,
    trust: TrustStore,
    notes: OpenedNotes,
    /// The server key checkpoints are checked with, once known.
    verifier: std::sync::Mutex<Option<NoteVerifier>>,
    current: tokio::sync::Mutex<Option<Live>>,
}

/// A Kimberlite client. Clones share one connection; it is `Send + Sync`.
///
/// Every request carries the handle's audit metadata: [`ConnectOptions::audit`] by
/// default, or what [`Client::with_audit`] gave a handle.
///
/// The connection is driven by background tasks on the tokio runtime that called
/// [`Client::connect`]. Requests from any clone are pipelined on it. When it is lost,
/// calls waiting on it fail with a retryable `Connection` error and the next call
/// reconnects (handshake and extension opt-in included).
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    audit: Option<Arc<Audit>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("address", &self.shared.address)
            .field("tenant_id", &self.shared.options.tenant_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to `address` (`host:port`) and handshakes.
    ///
    /// # Errors
    /// `Connection`, `Timeout`, `Protocol`, `TrustedState` (the state directory
    /// cannot be created) or the server's refusal (e.g. `AuthenticationFailed`).
    pub async fn connect(address: impl Into<String>, options: ConnectOptions) -> Result<Self> {
        let directory = match &options.state_directory {
            Some(path) => Some(TrustedStateDir::open(path.clone())?),
            None => None,
        };
        let shared = Arc::new(Shared {
            address: address.into(),
            trust: TrustStore::new(directory),
            notes: OpenedNotes::default(),
            verifier: std::sync::Mutex::new(None),
            options,
            current: tokio::sync::Mutex::new(None),
        });
        let live = open(&shared).await?;
        *shared.current.lock().await = Some(live);
        let audit = shared.options.audit.clone().map(Arc::new);
        Ok(Self { shared, audit })
    }

    /// A handle on the same connection whose requests carry `audit` (who acts, why,
    /// which operation) instead of this handle's metadata. The server records the
    /// actor, reason and correlation id with every SQL change, in `kimberlite_audit`.
    #[must_use]
    pub fn with_audit(&self, audit: Audit) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            audit: Some(Arc::new(audit)),
        }
    }

    /// The audit metadata this handle's requests carry, if any.
    #[must_use]
    pub fn audit(&self) -> Option<&Audit> {
        self.audit.as_deref()
    }

    /// The tenant every request acts for.
    #[must_use]
    pub fn tenant_id(&self) -> TenantId {
        self.shared.options.tenant_id
    }

    /// The address connected to.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.shared.address
    }

    /// The capability strings the server advertised in its handshake.
    ///
    /// # Errors
    /// As any call, when the connection must be re-established.
    pub async fn server_capabilities(&self) -> Result<Vec<String>> {
        Ok(self.live().await?.session.advertised.clone())
    }

    /// The live connection, re-established if it was lost.
    pub(crate) async fn live(&self) -> Result<Live> {
        let mut current = self.shared.current.lock().await;
        if let Some(live) = current.as_ref() {
            if live.connection.is_alive() {
                return Ok(live.clone());
            }
        }
        *current = None;
        let live = reconnect(&self.shared).await?;
        *current = Some(live.clone());
        Ok(live)
    }

    /// Sends a request and waits for its answer.
    pub(crate) async fn request(&self, payload: RequestPayload) -> Result<ResponsePayload> {
        let sent = self.send_request(payload).await?;
        self.await_answer(sent).await
    }

    /// Sends a request without waiting for its answer; see [`Client::await_answer`].
    pub(crate) async fn send_request(&self, payload: RequestPayload) -> Result<InFlight> {
        let live = self.live().await?;
        let sent = live.connection.send_call(payload, self.audit())?;
        Ok(InFlight { live, sent })
    }

    /// Sends an extension request, failing with `Unsupported` unless `capability` is
    /// enabled on the connection.
    pub(crate) async fn request_extension(
        &self,
        capability: &str,
        payload: RequestPayload,
    ) -> Result<ResponsePayload> {
        let sent = self.send_extension(capability, payload).await?;
        self.await_answer(sent).await
    }

    /// As [`Client::request_extension`] without waiting for the answer.
    pub(crate) async fn send_extension(
        &self,
        capability: &str,
        payload: RequestPayload,
    ) -> Result<InFlight> {
        let live = self.live().await?;
        live.session.require(capability)?;
        let sent = live.connection.send_call(payload, self.audit())?;
        Ok(InFlight { live, sent })
    }

    /// Waits for the answer to a request sent by [`Client::send_request`] or
    /// [`Client::send_extension`], within the request timeout.
    pub(crate) async fn await_answer(&self, in_flight: InFlight) -> Result<ResponsePayload> {
        let InFlight { live, sent } = in_flight;
        live.connection
            .await_call(sent, self.shared.options.request_timeout)
            .await
    }

    pub(crate) fn options(&self) -> &ConnectOptions {
        &self.shared.options
    }

    pub(crate) fn trust(&self) -> &TrustStore {
        &self.shared.trust
    }

    pub(crate) fn notes(&self) -> &OpenedNotes {
        &self.shared.notes
    }

    pub(crate) fn cached_verifier(&self) -> Option<NoteVerifier> {
        let cached = self.shared.verifier.lock();
        cached.unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn cache_verifier(&self, verifier: &NoteVerifier) {
        let mut cached = self
            .shared
            .verifier
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *cached = Some(verifier.clone());
    }
}

/// One attempt: connect, start the tasks, handshake; bounded by the connect timeout.
async fn open(shared: &Shared) -> Result<Live> {
    let options = &shared.options;
    let attempt = async {
        let io = transport::open(&shared.address, options.tls.as_ref()).await?;
        let connection = Arc::new(Connection::start(io, options.tenant_id));
        let session = establish(&connection, options).await?;
        Ok(Live {
            connection,
            session: Arc::new(session),
        })
    };
    match tokio::time::timeout(options.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Error::new(
            ErrorCode::Timeout,
            format!(
                "connecting to {} took more than {} ms",
                shared.address,
                options.connect_timeout.as_millis()
            ),
        )),
    }
}

/// Up to `reconnect_attempts` attempts, waiting `reconnect_backoff` (doubling) between.
async fn reconnect(shared: &Shared) -> Result<Live> {
    let attempts = shared.options.reconnect_attempts.max(1);
    let mut backoff = shared.options.reconnect_backoff;
    let mut attempt = 1;
    loop {
        match open(shared).await {
            Ok(live) => return Ok(live),
            Err(error) if !error.is_retryable() || attempt >= attempts => return Err(error),
            Err(_) => {}
        }
        tokio::time::sleep(backoff).await;
        backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
        attempt += 1;
    }
}

/// The error for an answer of the wrong kind.
pub(crate) fn unexpected(request: &str) -> Error {
    Error::protocol(format!(
        "the server answered {request} with another kind of response"
    ))
}
