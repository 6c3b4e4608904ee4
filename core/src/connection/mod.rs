//! One connection to a server: a reader task, a writer task and the table of
//! requests waiting for their answer.
//!
//! Callers hand a request to [`Connection::call`]; it gets the next request id, is
//! framed and queued for the writer task, which writes whatever is queued in one go
//! (so requests pipeline), and the caller waits on a oneshot channel. The reader task
//! owns the [`kimberlite_protocol::FrameDecoder`], answers waiting callers by request
//! id and routes pushes to subscriptions. Whatever ends the connection (end of
//! stream, I/O error, bytes that break the protocol) fails every waiting call and
//! subscription with the same error, and every later call at once.

mod reader;
mod state;
mod writer;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kimberlite_protocol::message::{Audit, Message, RequestPayload, ResponsePayload};
use kimberlite_protocol::{frame_message, RequestId, TenantId};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::{Error, ErrorCode, Result};
use crate::transport::Io;

pub(crate) use state::SubscriptionItem;
use state::{ConnectionState, Pending};

/// A request on its way; its answer comes through [`Connection::await_call`].
/// Dropped unawaited, the answer is read and thrown away.
pub(crate) struct SentCall {
    id: u64,
    answer: oneshot::Receiver<Result<ResponsePayload>>,
}

/// A live (or failed) connection. Dropping it stops its tasks.
pub(crate) struct Connection {
    tenant_id: TenantId,
    next_id: AtomicU64,
    outbound: mpsc::UnboundedSender<Vec<u8>>,
    state: Arc<ConnectionState>,
    reader: JoinHandle<()>,
}

impl Connection {
    /// Starts the reader and writer tasks over `io` on the current runtime.
    pub(crate) fn start(io: Box<dyn Io>, tenant_id: TenantId) -> Self {
        let (read_half, write_half) = tokio::io::split(io);
        let state = Arc::new(ConnectionState::default());
        let (outbound, queue) = mpsc::unbounded_channel();
        let reader = tokio::spawn(reader::read_loop(read_half, Arc::clone(&state)));
        tokio::spawn(writer::write_loop(write_half, queue, Arc::clone(&state)));
        Self {
            tenant_id,
            next_id: AtomicU64::new(1),
            outbound,
            state,
            reader,
        }
    }

    /// Whether the connection has not failed yet.
    pub(crate) fn is_alive(&self) -> bool {
        self.state.failure().is_none()
    }

    /// Sends `payload` and waits up to `timeout` for its answer.
    ///
    /// An `Error` response becomes an error with the server's code.
    pub(crate) async fn call(
        &self,
        payload: RequestPayload,
        timeout: Duration,
    ) -> Result<ResponsePayload> {
        self.call_audited(payload, timeout, None).await
    }

    /// As [`Connection::call`], the request carrying `audit`.
    pub(crate) async fn call_audited(
        &self,
        payload: RequestPayload,
        timeout: Duration,
        audit: Option<&Audit>,
    ) -> Result<ResponsePayload> {
        let sent = self.send_call(payload, audit)?;
        self.await_call(sent, timeout).await
    }

    /// Queues `payload` for the writer at once and returns the handle to wait on
    /// with [`Connection::await_call`]: a caller can do other work (such as checking
    /// the previous answer) while this one is on its way.
    pub(crate) fn send_call(
        &self,
        payload: RequestPayload,
        audit: Option<&Audit>,
    ) -> Result<SentCall> {
        let (reply, answer) = oneshot::channel();
        let id = self.send(payload, audit, Some(reply), None)?;
        Ok(SentCall { id, answer })
    }

    /// Waits up to `timeout` for the answer to a request of [`Connection::send_call`].
    pub(crate) async fn await_call(
        &self,
        sent: SentCall,
        timeout: Duration,
    ) -> Result<ResponsePayload> {
        self.answer(sent.id, sent.answer, timeout).await
    }

    /// As [`Connection::call`]; for a Subscribe, `subscription` receives the pushes
    /// from the moment the answer is read, so none is lost.
    pub(crate) async fn call_with(
        &self,
        payload: RequestPayload,
        timeout: Duration,
        subscription: Option<mpsc::UnboundedSender<SubscriptionItem>>,
    ) -> Result<ResponsePayload> {
        let (reply, answer) = oneshot::channel();
        let id = self.send(payload, None, Some(reply), subscription)?;
        self.answer(id, answer, timeout).await
    }

    async fn answer(
        &self,
        id: u64,
        answer: oneshot::Receiver<Result<ResponsePayload>>,
        timeout: Duration,
    ) -> Result<ResponsePayload> {
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(self
                .state
                .failure()
                .unwrap_or_else(|| Error::connection("the connection task ended"))),
            Err(_) => {
                self.state.forget(id);
                Err(Error::new(
                    ErrorCode::Timeout,
                    format!("no answer within {} ms", timeout.as_millis()),
                ))
            }
        }
    }

    /// Sends `payload` without waiting for its answer (credits, unsubscribe).
    pub(crate) fn send_only(&self, payload: RequestPayload) -> Result<()> {
        self.send(payload, None, None, None).map(|_| ())
    }

    /// Stops routing pushes of a subscription that is being ended.
    pub(crate) fn remove_subscription(&self, subscription_id: kimberlite_protocol::SubscriptionId) {
        self.state.remove_subscription(subscription_id);
    }

    fn send(
        &self,
        payload: RequestPayload,
        audit: Option<&Audit>,
        reply: Option<oneshot::Sender<Result<ResponsePayload>>>,
        subscription: Option<mpsc::UnboundedSender<SubscriptionItem>>,
    ) -> Result<u64> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = Message::request(RequestId(id), self.tenant_id, payload);
        if let (Some(audit), Message::Request(request)) = (audit, &mut message) {
            request.audit = Some(audit.clone());
        }
        let frame = frame_message(&message).map_err(|error| {
            Error::invalid_argument("the request does not fit in one frame").with_source(error)
        })?;
        self.state.register(
            id,
            Pending {
                reply,
                subscription,
            },
        )?;
        if self.outbound.send(frame).is_err() {
            self.state.forget(id);
            return Err(self
                .state
                .failure()
                .unwrap_or_else(|| Error::connection("the connection is closed")));
        }
        Ok(id)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The writer ends by itself once `outbound` is dropped (it then shuts the
        // socket down); the reader would otherwise wait for the server.
        self.reader.abort();
        self.state
            .close(Error::connection("the connection was closed by the client"));
    }
}
