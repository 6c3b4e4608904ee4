//! A subscription: pushed events taken one at a time, credits granted back as the
//! consumer takes them, so the server never pushes more than the credit window ahead.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use kimberlite_protocol::message::{
    CloseReason, RequestPayload, SubscribeCreditRequest, SubscribeResponse, UnsubscribeRequest,
};
use kimberlite_protocol::{Offset, SubscriptionId};
use tokio::sync::mpsc;

use crate::connection::{Connection, SubscriptionItem};
use crate::error::{Error, Result};

/// One pushed event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionEvent {
    /// The event's offset in its stream.
    pub offset: Offset,
    /// The event bytes.
    pub payload: Vec<u8>,
}

/// Events of a stream as the server pushes them. Dropping it unsubscribes.
///
/// A subscription lives on the connection that opened it: if that connection is
/// lost, [`Subscription::next`] fails with a retryable `Connection` error and a new
/// subscription must be opened (from the next offset wanted).
pub struct Subscription {
    connection: Arc<Connection>,
    id: SubscriptionId,
    start_offset: Offset,
    items: mpsc::UnboundedReceiver<SubscriptionItem>,
    buffered: VecDeque<SubscriptionEvent>,
    window: u32,
    taken_since_grant: u32,
    closed: Option<CloseReason>,
    failure: Option<Error>,
    timeout: Duration,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("start_offset", &self.start_offset)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    pub(crate) fn new(
        connection: Arc<Connection>,
        answer: SubscribeResponse,
        items: mpsc::UnboundedReceiver<SubscriptionItem>,
        window: u32,
        timeout: Duration,
    ) -> Self {
        Self {
            connection,
            id: answer.subscription_id,
            start_offset: answer.start_offset,
            items,
            buffered: VecDeque::new(),
            window,
            taken_since_grant: 0,
            closed: None,
            failure: None,
            timeout,
        }
    }

    /// The server's id of this subscription.
    #[must_use]
    pub const fn id(&self) -> SubscriptionId {
        self.id
    }

    /// The offset of the first event pushed.
    #[must_use]
    pub const fn start_offset(&self) -> Offset {
        self.start_offset
    }

    /// Why the server ended the subscription, once it has.
    #[must_use]
    pub const fn close_reason(&self) -> Option<CloseReason> {
        self.closed
    }

    /// The next event; `Ok(None)` once the server has ended the subscription and
    /// every event before that was taken.
    ///
    /// # Errors
    /// The connection's failure (retryable `Connection`), again on every later call.
    pub async fn next(&mut self) -> Result<Option<SubscriptionEvent>> {
        loop {
            if let Some(event) = self.buffered.pop_front() {
                self.taken(1);
                return Ok(Some(event));
            }
            if let Some(failure) = &self.failure {
                return Err(failure.clone());
            }
            if self.closed.is_some() {
                return Ok(None);
            }
            match self.items.recv().await {
                Some(SubscriptionItem::Events(pushed)) => {
                    let start = pushed.start_offset.0;
                    let events = pushed.events.into_iter().enumerate();
                    self.buffered
                        .extend(events.map(|(index, payload)| SubscriptionEvent {
                            offset: Offset(start.saturating_add(index as u64)),
                            payload,
                        }));
                }
                Some(SubscriptionItem::Closed(reason)) => self.closed = Some(reason),
                Some(SubscriptionItem::Failed(error)) => self.failure = Some(error),
                None => {
                    self.failure =
                        Some(Error::connection("the connection dropped the subscription"));
                }
            }
        }
    }

    /// Counts taken events and grants them back once half the window is used.
    fn taken(&mut self, count: u32) {
        self.taken_since_grant = self.taken_since_grant.saturating_add(count);
        if self.closed.is_some() || self.taken_since_grant < (self.window / 2).max(1) {
            return;
        }
        let request = RequestPayload::SubscribeCredit(SubscribeCreditRequest {
            subscription_id: self.id,
            additional_credits: self.taken_since_grant,
        });
        // A failure here is the connection's failure, which `next` reports.
        if self.connection.send_only(request).is_ok() {
            self.taken_since_grant = 0;
        }
    }

    /// Ends the subscription and waits for the server's acknowledgement.
    ///
    /// # Errors
    /// As any call; `SubscriptionNotFound` if the server already ended it.
    pub async fn cancel(mut self) -> Result<()> {
        let request = RequestPayload::Unsubscribe(UnsubscribeRequest {
            subscription_id: self.id,
        });
        self.closed = Some(CloseReason::ClientCancelled);
        self.connection.remove_subscription(self.id);
        self.connection
            .call(request, self.timeout)
            .await
            .map(|_| ())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.closed.is_none() && self.failure.is_none() {
            self.connection.remove_subscription(self.id);
            let request = RequestPayload::Unsubscribe(UnsubscribeRequest {
                subscription_id: self.id,
            });
            let _ = self.connection.send_only(request);
        }
    }
}
