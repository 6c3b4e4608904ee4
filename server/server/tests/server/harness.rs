//! Starting a server on 127.0.0.1 port 0, and a small raw protocol client.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kimberlite_protocol::message::{HandshakeRequest, PushPayload};
use kimberlite_protocol::{
    encode_message_frame, ErrorCode, FrameDecoder, Message, Request, RequestId, RequestPayload,
    Response, ResponsePayload, TenantId,
};
use kimberlite_server::{AuthMode, Server, ServerConfig, ServerError};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::memory::MemoryBackend;

/// How long a test waits for a message before it fails as hung.
pub const HANG_GUARD: Duration = Duration::from_secs(20);

/// A server running on its own task.
pub struct Running {
    pub address: SocketAddr,
    pub metrics_address: Option<SocketAddr>,
    pub backend: Arc<MemoryBackend>,
    pub metrics: Arc<kimberlite_server::Metrics>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl Running {
    /// Sends the shutdown signal without waiting.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Signals shutdown and waits for `run` to return.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        self.signal_stop();
        tokio::time::timeout(HANG_GUARD, self.task)
            .await
            .expect("server stops")
            .unwrap()
    }

    pub async fn client(&self) -> Client<TcpStream> {
        Client::new(TcpStream::connect(self.address).await.unwrap())
    }

    /// A client whose handshake (without a token) succeeded.
    pub async fn ready_client(&self) -> Client<TcpStream> {
        let mut client = self.client().await;
        let answer = client.handshake(None).await;
        assert!(
            matches!(answer, ResponsePayload::Handshake(_)),
            "{answer:?}"
        );
        client
    }
}

/// A development-mode config on a free port.
pub fn dev_config() -> ServerConfig {
    ServerConfig::new("127.0.0.1:0".parse().unwrap(), AuthMode::Development)
}

pub async fn start(backend: MemoryBackend, config: ServerConfig) -> Running {
    let backend = Arc::new(backend);
    let server = Server::bind(config, backend.clone()).await.unwrap();
    let address = server.local_addr();
    let metrics_address = server.metrics_addr();
    let metrics = server.metrics();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    Running {
        address,
        metrics_address,
        backend,
        metrics,
        stop: Some(stop),
        task,
    }
}

/// A development-mode server over a backend that has tenant 1.
pub async fn start_dev() -> Running {
    start(MemoryBackend::with_tenant(1), dev_config()).await
}

/// The error code and message of an error answer; panics on anything else.
pub fn error_of(payload: &ResponsePayload) -> (ErrorCode, String) {
    match payload {
        ResponsePayload::Error(error) => (error.code, error.message.clone()),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// A raw protocol client: frames in, frames out, nothing hidden.
pub struct Client<S> {
    stream: S,
    decoder: FrameDecoder,
    next_id: u64,
    pub tenant: TenantId,
    pushes: VecDeque<PushPayload>,
    responses: Vec<Response>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub fn new(stream: S) -> Self {
        Self {
            stream,
            decoder: FrameDecoder::new(),
            next_id: 0,
            tenant: TenantId(1),
            pushes: VecDeque::new(),
            responses: Vec::new(),
        }
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    pub async fn send_message(&mut self, message: &Message) {
        let mut frame = Vec::new();
        encode_message_frame(message, &mut frame).unwrap();
        self.send_raw(&frame).await;
    }

    /// Sends a request for `self.tenant`; returns its id.
    pub async fn send(&mut self, payload: RequestPayload) -> RequestId {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        let request = Request {
            id,
            tenant_id: self.tenant,
            audit: None,
            payload,
        };
        self.send_message(&Message::Request(request)).await;
        id
    }

    /// The next message, or None once the server closed the connection.
    pub async fn next_message(&mut self) -> Option<Message> {
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(payload) = self.decoder.next_frame().unwrap() {
                return Some(kimberlite_protocol::decode_message(payload).unwrap());
            }
            let read = tokio::time::timeout(HANG_GUARD, self.stream.read(&mut chunk))
                .await
                .expect("the server answers or closes");
            match read {
                Ok(0) | Err(_) => return None,
                Ok(read) => self.decoder.extend(&chunk[..read]),
            }
        }
    }

    /// Sends `payload` and returns the next message, or None once the server
    /// has closed the connection (a write to a closed socket counts as closed).
    pub async fn next_message_after(&mut self, payload: RequestPayload) -> Option<Message> {
        self.next_id += 1;
        let request = Request {
            id: RequestId(self.next_id),
            tenant_id: self.tenant,
            audit: None,
            payload,
        };
        let mut frame = Vec::new();
        encode_message_frame(&Message::Request(request), &mut frame).unwrap();
        if self.stream.write_all(&frame).await.is_err() {
            return None;
        }
        self.next_message().await
    }

    /// The answer to request `id`; pushes and other answers are kept aside.
    pub async fn response(&mut self, id: RequestId) -> ResponsePayload {
        if let Some(index) = self
            .responses
            .iter()
            .position(|response| response.request_id == id)
        {
            return self.responses.remove(index).payload;
        }
        loop {
            match self.next_message().await.expect("connection open") {
                Message::Response(response) if response.request_id == id => {
                    return response.payload
                }
                Message::Response(response) => self.responses.push(response),
                Message::Push(push) => self.pushes.push_back(push.payload),
                Message::Request(request) => panic!("server sent a request {request:?}"),
            }
        }
    }

    /// The next answer of any id, in arrival order.
    pub async fn any_response(&mut self) -> Response {
        if !self.responses.is_empty() {
            return self.responses.remove(0);
        }
        loop {
            match self.next_message().await.expect("connection open") {
                Message::Response(response) => return response,
                Message::Push(push) => self.pushes.push_back(push.payload),
                Message::Request(request) => panic!("server sent a request {request:?}"),
            }
        }
    }

    pub async fn call(&mut self, payload: RequestPayload) -> ResponsePayload {
        let id = self.send(payload).await;
        self.response(id).await
    }

    /// The next push, in arrival order.
    pub async fn push(&mut self) -> PushPayload {
        if let Some(push) = self.pushes.pop_front() {
            return push;
        }
        loop {
            match self.next_message().await.expect("connection open") {
                Message::Push(push) => return push.payload,
                Message::Response(response) => self.responses.push(response),
                Message::Request(request) => panic!("server sent a request {request:?}"),
            }
        }
    }

    pub async fn handshake(&mut self, token: Option<&str>) -> ResponsePayload {
        let auth_token = token.map(str::to_owned);
        self.call(RequestPayload::Handshake(HandshakeRequest {
            client_version: 5,
            auth_token,
        }))
        .await
    }

    /// Closes the client's sending side.
    pub async fn shutdown_write(&mut self) {
        self.stream.shutdown().await.unwrap();
    }

    /// Asserts the server closes the connection without sending anything more.
    pub async fn expect_closed(&mut self) {
        let next = self.next_message().await;
        assert!(
            next.is_none(),
            "expected the connection to close, got {next:?}"
        );
    }
}

pub fn create_stream(name: &str) -> RequestPayload {
    RequestPayload::CreateStream(kimberlite_protocol::message::CreateStreamRequest {
        name: name.to_owned(),
        data_class: kimberlite_protocol::DataClass::Public,
        placement: kimberlite_protocol::Placement::Global,
    })
}

pub fn append(stream: u64, events: &[&[u8]], expected_offset: u64) -> RequestPayload {
    RequestPayload::AppendEvents(kimberlite_protocol::message::AppendEventsRequest {
        stream_id: kimberlite_protocol::StreamId(stream),
        events: events.iter().map(|event| event.to_vec()).collect(),
        expected_offset: kimberlite_protocol::Offset(expected_offset),
    })
}

pub fn read(stream: u64, from_offset: u64, max_bytes: u64) -> RequestPayload {
    RequestPayload::ReadEvents(kimberlite_protocol::message::ReadEventsRequest {
        stream_id: kimberlite_protocol::StreamId(stream),
        from_offset: kimberlite_protocol::Offset(from_offset),
        max_bytes,
    })
}

pub fn stream_info(stream: u64) -> RequestPayload {
    RequestPayload::StreamInfo(kimberlite_protocol::message::StreamInfoRequest {
        stream_id: kimberlite_protocol::StreamId(stream),
    })
}

pub fn enable(capabilities: &[&str]) -> RequestPayload {
    RequestPayload::EnableExtensions(kimberlite_protocol::message::EnableExtensionsRequest {
        capabilities: capabilities.iter().map(|name| (*name).to_owned()).collect(),
    })
}

/// Creates stream `name` and returns its id.
pub async fn new_stream<S: AsyncRead + AsyncWrite + Unpin>(
    client: &mut Client<S>,
    name: &str,
) -> u64 {
    match client.call(create_stream(name)).await {
        ResponsePayload::CreateStream(created) => created.stream_id.get(),
        other => panic!("CreateStream failed: {other:?}"),
    }
}
