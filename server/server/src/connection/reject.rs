//! Refusing a connection at the connection limit: answer its first request
//! with `RateLimited`, then close.

use std::net::SocketAddr;

use kimberlite_protocol::{decode_request_prefix, frame_message, ErrorCode, FrameDecoder, Message};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::backend::Backend;
use crate::server::Shared;

/// Waits (at most `handshake_timeout`) for the first request of a refused
/// connection and answers it with `RateLimited`.
pub(crate) async fn reject<B: Backend>(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    shared: &Shared<B>,
) {
    let limits = &shared.config.limits;
    let message = format!(
        "the server is at its limit of {} connections; retry later",
        limits.max_connections
    );
    let answered = tokio::time::timeout(limits.handshake_timeout, async {
        match tls {
            None => answer_first(stream, &message).await,
            Some(acceptor) => match acceptor.accept(stream).await {
                Ok(stream) => answer_first(stream, &message).await,
                Err(error) => Err(error),
            },
        }
    })
    .await;
    if let Ok(Err(error)) = answered {
        tracing::debug!(%peer, %error, "refused connection ended with an error");
    }
}

async fn answer_first<S>(mut stream: S, message: &str) -> std::io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut decoder = FrameDecoder::new();
    let mut chunk = [0u8; 4096];
    let id = loop {
        match decoder.next_frame() {
            Ok(Some(payload)) => break decode_request_prefix(payload).ok().map(|prefix| prefix.id),
            Ok(None) => {}
            Err(_) => break None,
        }
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break None;
        }
        decoder.extend(&chunk[..read]);
    };
    if let Some(id) = id {
        let answer = Message::error(id, ErrorCode::RateLimited, message);
        if let Ok(frame) = frame_message(&answer) {
            stream.write_all(&frame).await?;
        }
    }
    stream.shutdown().await
}
