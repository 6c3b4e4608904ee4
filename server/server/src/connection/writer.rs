//! The writer task of a connection: frames queued messages and writes them.
//!
//! Requests, subscriptions and the reader all queue [`Message`]s on one bounded
//! channel; the writer batches whatever is queued into one write. A response
//! too large for a frame is replaced by an `InvalidRequest` error for the same
//! request id. A socket that accepts nothing for `write_timeout` ends the
//! writer, which the reader notices and closes the connection.

use std::net::SocketAddr;
use std::sync::Arc;

use kimberlite_protocol::{encode_message_frame, ErrorCode, Message};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::backend::Backend;
use crate::server::Shared;

/// Stop batching once this many bytes are ready to write.
const BATCH_BYTES: usize = 256 * 1024;

pub(super) async fn run<B, W>(
    mut socket: W,
    mut queue: mpsc::Receiver<Message>,
    shared: Arc<Shared<B>>,
    peer: SocketAddr,
) where
    B: Backend,
    W: AsyncWrite + Unpin,
{
    let timeout = shared.config.limits.write_timeout;
    let mut buffer = Vec::with_capacity(16 * 1024);
    while let Some(message) = queue.recv().await {
        encode(&message, &mut buffer, peer);
        while buffer.len() < BATCH_BYTES {
            match queue.try_recv() {
                Ok(message) => encode(&message, &mut buffer, peer),
                Err(_) => break,
            }
        }
        let written = tokio::time::timeout(timeout, async {
            socket.write_all(&buffer).await?;
            socket.flush().await
        })
        .await;
        match written {
            Ok(Ok(())) => shared.metrics.sent(buffer.len() as u64),
            Ok(Err(error)) => {
                tracing::debug!(%peer, %error, "write failed; closing connection");
                return;
            }
            Err(_) => {
                tracing::warn!(%peer, ?timeout, "client stopped reading; closing connection");
                return;
            }
        }
        buffer.clear();
    }
    let _ = tokio::time::timeout(timeout, socket.shutdown()).await;
}

fn encode(message: &Message, buffer: &mut Vec<u8>, peer: SocketAddr) {
    let Err(error) = encode_message_frame(message, buffer) else {
        return;
    };
    match message {
        Message::Response(response) => {
            tracing::warn!(%peer, %error, id = %response.request_id, "response too large");
            let replacement = Message::error(
                response.request_id,
                ErrorCode::InvalidRequest,
                format!("the answer does not fit in a frame ({error}); ask for less"),
            );
            let _ = encode_message_frame(&replacement, buffer);
        }
        Message::Request(_) | Message::Push(_) => {
            tracing::error!(%peer, %error, "dropping a message too large for a frame");
        }
    }
}
