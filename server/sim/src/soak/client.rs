//! A raw protocol client for the soak: one request at a time, pushes of its
//! subscription counted as they arrive between answers.

use std::net::SocketAddr;

use kimberlite_protocol::message::{HandshakeRequest, Request, RequestPayload, ResponsePayload};
use kimberlite_protocol::{
    decode_message, encode_message_frame, FrameDecoder, Message, RequestId, TenantId,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One connection.
pub struct SoakClient {
    stream: TcpStream,
    decoder: FrameDecoder,
    next_id: u64,
    /// Subscription pushes received so far.
    pub pushes: u64,
}

impl SoakClient {
    /// Connects and handshakes.
    pub async fn connect(address: SocketAddr) -> Result<Self, String> {
        let stream = TcpStream::connect(address)
            .await
            .map_err(|error| format!("connect: {error}"))?;
        let mut client = Self {
            stream,
            decoder: FrameDecoder::new(),
            next_id: 0,
            pushes: 0,
        };
        let handshake = RequestPayload::Handshake(HandshakeRequest {
            client_version: 5,
            auth_token: None,
        });
        client.call(handshake).await?;
        Ok(client)
    }

    /// Sends a request and waits for its answer; an error answer is `Ok` too
    /// (the caller decides whether it was deliberate).
    pub async fn call(&mut self, payload: RequestPayload) -> Result<ResponsePayload, String> {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        let message = Message::Request(Request {
            id,
            tenant_id: TenantId(1),
            audit: None,
            payload,
        });
        let mut frame = Vec::new();
        encode_message_frame(&message, &mut frame).map_err(|error| error.to_string())?;
        self.stream
            .write_all(&frame)
            .await
            .map_err(|error| format!("write: {error}"))?;
        loop {
            match self.next_message().await? {
                Message::Response(response) if response.request_id == id => {
                    return Ok(response.payload)
                }
                Message::Push(_) => self.pushes += 1,
                other => return Err(format!("unexpected message {other:?}")),
            }
        }
    }

    async fn next_message(&mut self) -> Result<Message, String> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let frame = self
                .decoder
                .next_frame()
                .map_err(|error| format!("frame: {error}"))?;
            if let Some(payload) = frame {
                return decode_message(payload).map_err(|error| format!("decode: {error}"));
            }
            let read = self
                .stream
                .read(&mut chunk)
                .await
                .map_err(|error| format!("read: {error}"))?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            self.decoder.extend(&chunk[..read]);
        }
    }
}
