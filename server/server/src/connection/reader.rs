//! The read loop of a connection and its orderly end.

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;

use kimberlite_protocol::message::{Audit, CloseReason};
use kimberlite_protocol::{
    CapabilitySet, ErrorCode, FrameDecoder, Message, Request, RequestId, RequestPayload,
    ResponsePayload,
};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use super::append_order::AppendOrder;
use super::dispatch::{execute, prepare_tenant};
use super::inbound::{classify, Inbound};
use super::session::{AuthState, Session};
use super::subscription::Subscriptions;
use crate::auth::Identity;
use crate::backend::{Backend, BackendError, BackendResult};
use crate::server::Shared;

const READ_CHUNK: usize = 64 * 1024;

/// Why the read loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// The client closed its side.
    Eof,
    /// The server is shutting down.
    Shutdown,
    /// Nothing happened for the idle timeout.
    Idle,
    /// A bad frame or message.
    ProtocolError,
    /// The socket failed, or the writer gave up.
    Broken,
}

/// The reader's state for one connection.
pub(super) struct Connection<B: Backend> {
    pub(super) peer: SocketAddr,
    pub(super) shared: Arc<Shared<B>>,
    pub(super) out: mpsc::Sender<Message>,
    stop: watch::Receiver<bool>,
    pub(super) session: Session,
    in_flight: Arc<Semaphore>,
    requests: JoinSet<()>,
    pub(super) subscriptions: Subscriptions,
    append_order: AppendOrder,
}

impl<B: Backend> Connection<B> {
    pub(super) fn new(
        peer: SocketAddr,
        shared: Arc<Shared<B>>,
        out: mpsc::Sender<Message>,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let in_flight = Arc::new(Semaphore::new(
            shared.config.limits.max_in_flight_per_connection,
        ));
        Self {
            peer,
            shared,
            out,
            stop,
            session: Session::new(),
            in_flight,
            requests: JoinSet::new(),
            subscriptions: Subscriptions::default(),
            append_order: AppendOrder::default(),
        }
    }

    /// Reads and serves requests until the connection ends, then winds down.
    pub(super) async fn run<R: AsyncRead + Unpin>(mut self, reader: R, writer: JoinHandle<()>) {
        let end = self.read_loop(reader).await;
        self.finish(end, writer).await;
    }

    fn busy(&mut self) -> bool {
        let limit = self.shared.config.limits.max_in_flight_per_connection;
        self.in_flight.available_permits() < limit || self.subscriptions.live() > 0
    }

    async fn read_loop<R: AsyncRead + Unpin>(&mut self, mut reader: R) -> End {
        let limits = &self.shared.config.limits;
        let idle_timeout = limits.idle_timeout;
        let handshake_timeout = limits.handshake_timeout.min(idle_timeout);
        let mut decoder = FrameDecoder::with_max_payload_len(limits.max_frame_bytes);
        let mut chunk = vec![0u8; READ_CHUNK];
        let mut idle = handshake_timeout;
        let mut deadline = Instant::now() + idle;
        loop {
            loop {
                let inbound = match decoder.next_frame() {
                    Ok(Some(payload)) => classify(payload),
                    Ok(None) => break,
                    Err(error) => {
                        tracing::warn!(peer = %self.peer, %error, "closing connection: bad frame");
                        self.shared.metrics.protocol_error();
                        return End::ProtocolError;
                    }
                };
                if let Some(end) = self.handle(inbound).await {
                    return end;
                }
                // A connection gets `handshake_timeout` from its start to
                // complete a handshake, then `idle_timeout` between requests.
                if self.session.state != AuthState::AwaitingHandshake {
                    idle = idle_timeout;
                    deadline = Instant::now() + idle;
                }
            }
            while self.requests.try_join_next().is_some() {}
            let event = tokio::select! {
                () = stopped(&mut self.stop) => return End::Shutdown,
                () = self.out.closed() => return End::Broken,
                () = tokio::time::sleep_until(deadline) => None,
                read = reader.read(&mut chunk) => Some(read),
            };
            match event {
                None if self.busy() => deadline = Instant::now() + idle,
                None => {
                    tracing::info!(peer = %self.peer, ?idle, "closing idle connection");
                    return End::Idle;
                }
                Some(Ok(0)) if decoder.buffered_len() > 0 => {
                    tracing::warn!(peer = %self.peer, "connection closed inside a frame");
                    self.shared.metrics.protocol_error();
                    return End::ProtocolError;
                }
                Some(Ok(0)) => return End::Eof,
                Some(Ok(read)) => {
                    self.shared.metrics.received(read as u64);
                    decoder.extend(chunk.get(..read).unwrap_or_default());
                }
                Some(Err(error)) => {
                    tracing::debug!(peer = %self.peer, %error, "read failed");
                    return End::Broken;
                }
            }
        }
    }

    /// Serves one inbound message; Some when the connection must end.
    async fn handle(&mut self, inbound: Inbound) -> Option<End> {
        match inbound {
            Inbound::Malformed(reason) => {
                tracing::warn!(peer = %self.peer, %reason, "closing connection: bad message");
                self.shared.metrics.protocol_error();
                Some(End::ProtocolError)
            }
            Inbound::Unsupported { id, message } => {
                self.shared.metrics.unsupported_request();
                let error = BackendError::new(ErrorCode::InvalidRequest, message);
                self.respond(id, Err(error)).await;
                None
            }
            Inbound::Request(request) => {
                self.shared.metrics.request(&request.payload);
                self.request(*request).await;
                None
            }
        }
    }

    async fn request(&mut self, request: Request) {
        let id = request.id;
        if let RequestPayload::Handshake(handshake) = request.payload {
            let answer = self.session.handshake(&self.shared, handshake).await;
            self.respond(id, answer).await;
            return;
        }
        match self.session.admit(&request) {
            Err(error) => {
                self.respond(id, Err(error)).await;
                return;
            }
            Ok(Identity::ApiKey { key_id, .. }) if self.shared.revoked_keys.contains(key_id) => {
                let refused = BackendError::new(
                    ErrorCode::AuthenticationFailed,
                    format!("API key {key_id} was revoked"),
                );
                self.respond(id, Err(refused)).await;
                return;
            }
            Ok(_) => {}
        }
        let tenant_id = request.tenant_id;
        match request.payload {
            RequestPayload::EnableExtensions(enable) => {
                let offered = self.shared.config.capabilities;
                let answer = self.session.enable_extensions(offered, &enable);
                self.respond(id, Ok(answer)).await;
            }
            RequestPayload::Subscribe(subscribe) => {
                let payload = RequestPayload::Subscribe(subscribe.clone());
                match prepare_tenant(&self.shared, tenant_id, &payload).await {
                    Ok(()) => self.subscribe(id, tenant_id, subscribe).await,
                    Err(error) => self.respond(id, Err(error)).await,
                }
            }
            RequestPayload::SubscribeCredit(credit) => self.credit(id, &credit).await,
            RequestPayload::Unsubscribe(unsubscribe) => self.unsubscribe(id, &unsubscribe).await,
            payload => self.spawn(id, tenant_id, request.audit, payload).await,
        }
    }

    /// Runs a request on its own task once an in-flight slot is free.
    async fn spawn(
        &mut self,
        id: RequestId,
        tenant_id: kimberlite_protocol::TenantId,
        audit: Option<Audit>,
        payload: RequestPayload,
    ) {
        let Ok(permit) = self.in_flight.clone().acquire_owned().await else {
            return;
        };
        let turn = match &payload {
            RequestPayload::AppendEvents(append) => {
                Some(self.append_order.next_turn(tenant_id, append.stream_id))
            }
            _ => None,
        };
        let shared = self.shared.clone();
        let out = self.out.clone();
        let capabilities = self.session.capabilities;
        self.requests.spawn(async move {
            let done = match turn {
                Some(turn) => Some(turn.wait().await),
                None => None,
            };
            let answer = execute(&shared, tenant_id, audit, payload).await;
            drop(done);
            send_answer(&shared, &out, capabilities, id, answer).await;
            drop(permit);
        });
    }

    pub(super) async fn respond(&self, id: RequestId, answer: BackendResult<ResponsePayload>) {
        send_answer(
            &self.shared,
            &self.out,
            self.session.capabilities,
            id,
            answer,
        )
        .await;
    }

    /// Ends the connection: lets or stops in-flight requests, closes
    /// subscriptions, and lets the writer flush what is queued.
    async fn finish(mut self, end: End, writer: JoinHandle<()>) {
        match end {
            End::Eof | End::Shutdown => while self.requests.join_next().await.is_some() {},
            End::Idle | End::ProtocolError | End::Broken => self.requests.abort_all(),
        }
        match end {
            End::Shutdown => {
                self.subscriptions
                    .close_all(CloseReason::ServerShutdown)
                    .await
            }
            End::ProtocolError => {
                self.subscriptions
                    .close_all(CloseReason::ProtocolError)
                    .await
            }
            End::Eof | End::Idle | End::Broken => self.subscriptions.abort_all(),
        }
        while self.requests.join_next().await.is_some() {}
        let timeout = self.shared.config.limits.write_timeout;
        drop(self.out);
        let mut writer = writer;
        if tokio::time::timeout(timeout, &mut writer).await.is_err() {
            tracing::debug!(peer = %self.peer, "writer did not finish in time");
            writer.abort();
        }
    }
}

/// Resolves once the server's stop signal turns true (or its sender is gone).
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Codes 30 and 31 exist only since the 0.9.1 clients, and older clients that
/// also speak version 5 cannot decode them: unless the connection enabled
/// extension codes, send the older code that fits (the message keeps the detail).
fn older_code(code: ErrorCode, capabilities: CapabilitySet) -> ErrorCode {
    if capabilities.contains(kimberlite_protocol::capability::ERRORS) {
        return code;
    }
    match code {
        ErrorCode::TenantIdTooLarge => ErrorCode::InvalidRequest,
        ErrorCode::RowVersionChainTooLarge => ErrorCode::QueryExecutionError,
        other => other,
    }
}

/// Queues the answer to request `id`, adapted to what the connection enabled.
async fn send_answer<B: Backend>(
    shared: &Shared<B>,
    out: &mpsc::Sender<Message>,
    capabilities: CapabilitySet,
    id: RequestId,
    answer: BackendResult<ResponsePayload>,
) {
    let payload = match answer {
        Ok(payload) => payload,
        Err(error) => {
            shared.metrics.error(error.code);
            ResponsePayload::Error(kimberlite_protocol::message::ErrorResponse {
                code: older_code(error.code, capabilities),
                message: error.message,
            })
        }
    };
    let payload = capabilities.adapt_response(payload);
    // A closed queue means the connection is ending; the answer has nowhere to go.
    let _ = out.send(Message::response(id, payload)).await;
}
