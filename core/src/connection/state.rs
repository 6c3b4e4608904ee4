//! What the reader, the writer and the callers of one connection share: waiting
//! requests, subscription routes and the failure that ended the connection.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use kimberlite_protocol::message::{
    CloseReason, Message, PushPayload, ResponsePayload, SubscriptionEvents,
};
use kimberlite_protocol::SubscriptionId;
use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};

/// What a subscription receives from the reader task.
#[derive(Debug)]
pub(crate) enum SubscriptionItem {
    /// Pushed events.
    Events(SubscriptionEvents),
    /// The server ended the subscription.
    Closed(CloseReason),
    /// The connection failed.
    Failed(Error),
}

/// A request waiting for its answer.
pub(crate) struct Pending {
    /// Where the answer goes; None when nobody waits for it.
    pub(crate) reply: Option<oneshot::Sender<Result<ResponsePayload>>>,
    /// For a Subscribe: where its pushes go once the answer names the subscription.
    pub(crate) subscription: Option<mpsc::UnboundedSender<SubscriptionItem>>,
}

#[derive(Default)]
struct Inner {
    pending: HashMap<u64, Pending>,
    subscriptions: HashMap<SubscriptionId, mpsc::UnboundedSender<SubscriptionItem>>,
    failure: Option<Error>,
}

/// The shared state of one connection.
#[derive(Default)]
pub(crate) struct ConnectionState {
    inner: Mutex<Inner>,
}

impl ConnectionState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // No code path panics while holding the lock; if one did, the maps are
        // still consistent (every update is a single insert or remove).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The error that ended the connection, if it has ended.
    pub(crate) fn failure(&self) -> Option<Error> {
        self.lock().failure.clone()
    }

    /// Records a request about to be sent; fails if the connection has ended.
    pub(crate) fn register(&self, id: u64, pending: Pending) -> Result<()> {
        let mut inner = self.lock();
        if let Some(failure) = &inner.failure {
            return Err(failure.clone());
        }
        inner.pending.insert(id, pending);
        Ok(())
    }

    /// Stops waiting for request `id` (timed out or never sent).
    pub(crate) fn forget(&self, id: u64) {
        self.lock().pending.remove(&id);
    }

    /// Stops routing pushes of `subscription_id`.
    pub(crate) fn remove_subscription(&self, subscription_id: SubscriptionId) {
        self.lock().subscriptions.remove(&subscription_id);
    }

    /// Delivers one message from the server.
    ///
    /// # Errors
    /// A protocol error when the server sends a request.
    pub(crate) fn route(&self, message: Message) -> Result<()> {
        match message {
            Message::Response(response) => {
                let mut inner = self.lock();
                // An answer nobody waits for (timed out, or fire-and-forget) is dropped.
                let Some(pending) = inner.pending.remove(&response.request_id.0) else {
                    return Ok(());
                };
                let payload = response.payload;
                if let (ResponsePayload::Subscribe(answer), Some(route)) =
                    (&payload, pending.subscription)
                {
                    inner.subscriptions.insert(answer.subscription_id, route);
                }
                drop(inner);
                if let Some(reply) = pending.reply {
                    let _ = reply.send(into_result(payload));
                }
                Ok(())
            }
            Message::Push(push) => {
                self.route_push(push.payload);
                Ok(())
            }
            Message::Request(_) => Err(Error::protocol("the server sent a request")),
        }
    }

    fn route_push(&self, push: PushPayload) {
        let mut inner = self.lock();
        match push {
            PushPayload::SubscriptionEvents(events) => {
                if let Some(route) = inner.subscriptions.get(&events.subscription_id) {
                    let _ = route.send(SubscriptionItem::Events(events));
                }
            }
            PushPayload::SubscriptionClosed(closed) => {
                if let Some(route) = inner.subscriptions.remove(&closed.subscription_id) {
                    let _ = route.send(SubscriptionItem::Closed(closed.reason));
                }
            }
        }
    }

    /// Ends the connection: every waiting call and subscription gets `error`.
    /// Only the first failure counts.
    pub(crate) fn close(&self, error: Error) {
        let mut inner = self.lock();
        if inner.failure.is_some() {
            return;
        }
        inner.failure = Some(error.clone());
        let pending = std::mem::take(&mut inner.pending);
        let subscriptions = std::mem::take(&mut inner.subscriptions);
        drop(inner);
        for (_, waiting) in pending {
            if let Some(reply) = waiting.reply {
                let _ = reply.send(Err(error.clone()));
            }
        }
        for (_, route) in subscriptions {
            let _ = route.send(SubscriptionItem::Failed(error.clone()));
        }
    }
}

/// A response payload, with an `Error` answer turned into an [`Error`].
fn into_result(payload: ResponsePayload) -> Result<ResponsePayload> {
    match payload {
        ResponsePayload::Error(error) => Err(Error::server(error.code, error.message)),
        other => Ok(other),
    }
}
