//! A minimal HTTP/1.1 responder for `GET /metrics`, on its own address.
//!
//! It reads one request head (at most 8 KiB, within 5 s), answers it and
//! closes the connection, serving at most 16 at once: enough for Prometheus
//! and curl, nothing more.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

use super::Metrics;
use crate::backend::StorageCounters;

/// Reads the durable log's counters for a metrics page.
pub(crate) type StorageSource = Arc<dyn Fn() -> Option<StorageCounters> + Send + Sync>;

const MAX_HEAD_BYTES: usize = 8 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Metrics requests served at once; more connections are closed unanswered.
const MAX_CONCURRENT_REQUESTS: usize = 16;

/// Serves metrics on `listener` until `shutdown` turns true.
pub(crate) async fn serve_metrics(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    storage: StorageSource,
    mut shutdown: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT_REQUESTS));
    loop {
        tokio::select! {
            () = crate::connection::stopped(&mut shutdown) => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        tracing::debug!(%peer, "too many metrics requests; closing");
                        continue;
                    };
                    let metrics = metrics.clone();
                    let storage = storage.clone();
                    tokio::spawn(async move {
                        if let Err(error) = answer(stream, &metrics, storage.as_ref()).await {
                            tracing::debug!(%error, "metrics request failed");
                        }
                        drop(permit);
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics listener failed to accept");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
}

async fn answer(
    mut stream: TcpStream,
    metrics: &Metrics,
    storage: &(dyn Fn() -> Option<StorageCounters> + Send + Sync),
) -> std::io::Result<()> {
    let head = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "request head timeout"))??;
    let request_line = head.lines().next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let response = match (parts.next(), parts.next()) {
        (Some("GET"), Some("/metrics")) => reply(
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            &metrics.render_with(storage()),
        ),
        (Some("GET"), Some(_)) => reply("404 Not Found", "text/plain", "not found\n"),
        _ => reply(
            "405 Method Not Allowed",
            "text/plain",
            "only GET /metrics\n",
        ),
    };
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        if head.len() > MAX_HEAD_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "head too long",
            ));
        }
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

fn reply(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}
