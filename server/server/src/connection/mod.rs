//! One client connection: TLS, the read loop, pipelined requests, the writer.
//!
//! The reader decodes frames and handles the requests that change the
//! session (Handshake, EnableExtensions, subscriptions) in order, itself; every
//! other request runs on its own task, at most `max_in_flight_per_connection`
//! at once, and answers by request id through the writer task. When the limit
//! is reached the reader stops reading (backpressure) until a request ends.

mod append_order;
mod dispatch;
mod inbound;
mod reader;
mod reject;
mod session;
mod subscribe_requests;
mod subscription;
mod writer;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::backend::Backend;
use crate::server::Shared;

pub(crate) use reader::stopped;
pub(crate) use reject::reject;

/// Serves one accepted TCP connection, over TLS when `tls` is set.
pub(crate) async fn accept<B: Backend>(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared<B>>,
    stop: watch::Receiver<bool>,
) {
    shared.metrics.connection_opened();
    tracing::debug!(%peer, "connection opened");
    match tls {
        None => serve(stream, peer, shared.clone(), stop).await,
        Some(acceptor) => {
            let timeout = shared.config.limits.handshake_timeout;
            match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => serve(stream, peer, shared.clone(), stop).await,
                Ok(Err(error)) => tracing::warn!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::warn!(%peer, "TLS handshake timed out"),
            }
        }
    }
    shared.metrics.connection_closed();
    tracing::debug!(%peer, "connection closed");
}

async fn serve<B, S>(
    stream: S,
    peer: SocketAddr,
    shared: Arc<Shared<B>>,
    stop: watch::Receiver<bool>,
) where
    B: Backend,
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (read_half, write_half) = tokio::io::split(stream);
    let limits = &shared.config.limits;
    let capacity =
        limits.max_in_flight_per_connection + limits.max_subscriptions_per_connection + 8;
    let (out, queue) = tokio::sync::mpsc::channel(capacity);
    let writer = tokio::spawn(writer::run(write_half, queue, shared.clone(), peer));
    let connection = reader::Connection::new(peer, shared, out, stop);
    connection.run(read_half, writer).await;
}
