//! The listener: binds, accepts within the connection limit, and shuts down
//! gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::backend::Backend;
use crate::config::{AuthMode, ServerConfig};
use crate::connection;
use crate::error::ServerError;
use crate::metrics::{serve_metrics, Metrics};
use crate::revoked_keys::RevokedKeys;
use crate::tls::tls_acceptor;

/// Connections refused at the limit that may wait at once for their first
/// request (to answer it with `RateLimited`); more are simply closed.
const MAX_PENDING_REJECTIONS: usize = 16;

/// What every connection task shares.
pub(crate) struct Shared<B> {
    pub(crate) backend: Arc<B>,
    pub(crate) config: ServerConfig,
    pub(crate) metrics: Arc<Metrics>,
    /// Keys revoked while the server runs; open sessions check it per request.
    pub(crate) revoked_keys: RevokedKeys,
}

/// A bound server, ready to [`run`](Self::run).
pub struct Server<B: Backend> {
    listener: TcpListener,
    local_address: SocketAddr,
    metrics_listener: Option<(TcpListener, SocketAddr)>,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared<B>>,
}

impl<B: Backend> std::fmt::Debug for Server<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_address", &self.local_address)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Server<B> {
    /// Binds the client address (and the metrics address, if configured) and
    /// loads the TLS certificate.
    ///
    /// # Errors
    /// A [`ServerError`] for an address that cannot be bound or a TLS file
    /// that cannot be used.
    pub async fn bind(mut config: ServerConfig, backend: Arc<B>) -> Result<Self, ServerError> {
        config.limits = config.limits.normalized();
        let tls = config.tls.as_ref().map(tls_acceptor).transpose()?;
        let address = config.address;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ServerError::Bind { address, source })?;
        let local_address = listener.local_addr().map_err(ServerError::LocalAddress)?;
        let metrics_listener = match config.metrics_address {
            Some(address) => {
                let listener = TcpListener::bind(address)
                    .await
                    .map_err(|source| ServerError::BindMetrics { address, source })?;
                let bound = listener.local_addr().map_err(ServerError::LocalAddress)?;
                Some((listener, bound))
            }
            None => None,
        };
        let metrics = Arc::new(Metrics::new());
        let shared = Arc::new(Shared {
            backend,
            config,
            metrics,
            revoked_keys: RevokedKeys::default(),
        });
        Ok(Self {
            listener,
            local_address,
            metrics_listener,
            tls,
            shared,
        })
    }

    /// The address clients connect to.
    #[must_use]
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_address
    }

    /// The address of the metrics endpoint, if there is one.
    #[must_use]
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().map(|(_, address)| *address)
    }

    /// The server's counters and gauges.
    #[must_use]
    pub fn metrics(&self) -> Arc<Metrics> {
        self.shared.metrics.clone()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight
    /// requests finish (up to `limits.shutdown_grace`), closes subscriptions
    /// with `ServerShutdown`, syncs the backend and returns.
    ///
    /// # Errors
    /// [`ServerError::ShutdownSync`] if the final sync fails.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), ServerError> {
        let Self {
            listener,
            local_address,
            metrics_listener,
            tls,
            shared,
        } = self;
        announce(&shared.config, local_address, tls.is_some());
        let (stop_sender, stop) = watch::channel(false);
        if let Some((metrics_listener, address)) = metrics_listener {
            tracing::info!(%address, "serving metrics at GET /metrics");
            let backend = shared.backend.clone();
            tokio::spawn(serve_metrics(
                metrics_listener,
                shared.metrics.clone(),
                Arc::new(move || backend.storage_counters()),
                stop.clone(),
            ));
        }
        let acceptor = Acceptor {
            connections: Arc::new(Semaphore::new(shared.config.limits.max_connections)),
            rejections: Arc::new(Semaphore::new(MAX_PENDING_REJECTIONS)),
            tasks: JoinSet::new(),
            tls,
            shared: shared.clone(),
            stop,
        };
        let mut tasks = acceptor.accept_until(listener, shutdown).await;
        tracing::info!("shutting down: no new connections, finishing in-flight requests");
        let _ = stop_sender.send(true);
        drain(&mut tasks, shared.config.limits.shutdown_grace).await;
        shared
            .backend
            .sync()
            .await
            .map_err(ServerError::ShutdownSync)?;
        tracing::info!("server stopped");
        Ok(())
    }
}

fn announce(config: &ServerConfig, address: SocketAddr, tls: bool) {
    if matches!(config.auth, AuthMode::Development) {
        tracing::warn!(
            "DEVELOPMENT MODE: authentication is OFF. Any client may read and write every \
             tenant, and tenants are created on first use. Never expose this server."
        );
    }
    tracing::info!(%address, tls, "kimberlite server listening");
}

/// Waits for the connection tasks, aborting them after `grace`.
async fn drain(tasks: &mut JoinSet<()>, grace: Duration) {
    let finished = tokio::time::timeout(grace, async {
        while let Some(result) = tasks.join_next().await {
            log_join(result);
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            open = tasks.len(),
            "shutdown grace elapsed; dropping connections"
        );
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

fn log_join(result: Result<(), tokio::task::JoinError>) {
    if let Err(error) = result {
        if error.is_panic() {
            tracing::error!(%error, "a connection task panicked");
        }
    }
}

struct Acceptor<B> {
    connections: Arc<Semaphore>,
    rejections: Arc<Semaphore>,
    tasks: JoinSet<()>,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared<B>>,
    stop: watch::Receiver<bool>,
}

impl<B: Backend> Acceptor<B> {
    async fn accept_until(
        mut self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> JoinSet<()> {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                Some(result) = self.tasks.join_next(), if !self.tasks.is_empty() => log_join(result),
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => self.admit(stream, peer),
                    Err(error) => {
                        // Usually out of file descriptors: wait rather than spin.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
        self.tasks
    }

    fn admit(&mut self, stream: TcpStream, peer: SocketAddr) {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%peer, %error, "cannot set TCP_NODELAY");
        }
        let shared = self.shared.clone();
        let tls = self.tls.clone();
        match self.connections.clone().try_acquire_owned() {
            Ok(permit) => {
                let stop = self.stop.clone();
                self.tasks.spawn(async move {
                    connection::accept(stream, peer, tls, shared, stop).await;
                    drop(permit);
                });
            }
            Err(_) => {
                shared.metrics.connection_rejected();
                let limit = shared.config.limits.max_connections;
                tracing::warn!(%peer, limit, "refusing connection: connection limit reached");
                if let Ok(permit) = self.rejections.clone().try_acquire_owned() {
                    tokio::spawn(async move {
                        connection::reject(stream, peer, tls, &shared).await;
                        drop(permit);
                    });
                }
            }
        }
    }
}
