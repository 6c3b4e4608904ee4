//! Subscriptions with credit-based flow control.
//!
//! Each subscription runs on its own task: it pushes the stream's events from
//! the start offset, one credit per event, then follows new appends through
//! [`Backend::wait_for_records`]. With no credit left it waits for
//! SubscribeCredit. It ends with exactly one `SubscriptionClosed` push, after
//! which it sends nothing more.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use kimberlite_protocol::message::{CloseReason, SubscriptionClosed, SubscriptionEvents};
use kimberlite_protocol::{
    ErrorCode, Message, Offset, PushPayload, StreamId, SubscriptionId, TenantId,
};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use crate::backend::{Backend, BackendError};
use crate::server::Shared;

/// What the connection and a subscription task share.
#[derive(Debug)]
pub(super) struct Control {
    credits: AtomicU32,
    max_credits: u32,
    wake: Notify,
    closing: Mutex<Option<CloseReason>>,
}

impl Control {
    fn new(credits: u32, max_credits: u32) -> Self {
        Self {
            credits: AtomicU32::new(credits.min(max_credits)),
            max_credits,
            wake: Notify::new(),
            closing: Mutex::new(None),
        }
    }

    /// Credits not yet spent.
    pub(super) fn credits(&self) -> u32 {
        self.credits.load(Ordering::Acquire)
    }

    /// Adds credits up to the limit; returns the new balance.
    pub(super) fn grant(&self, additional: u32) -> u32 {
        let max = self.max_credits;
        let update = |credits: u32| Some(credits.saturating_add(additional).min(max));
        let previous = self
            .credits
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, update)
            .unwrap_or_else(|current| current);
        self.wake.notify_one();
        previous.saturating_add(additional).min(max)
    }

    /// Asks the task to end with `reason` (the first reason given wins).
    pub(super) fn close(&self, reason: CloseReason) {
        let mut closing = self.closing.lock().unwrap_or_else(PoisonError::into_inner);
        closing.get_or_insert(reason);
        self.wake.notify_one();
    }

    fn closing(&self) -> Option<CloseReason> {
        *self.closing.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running subscription.
#[derive(Debug)]
pub(super) struct Handle {
    pub(super) control: Arc<Control>,
    task: JoinHandle<()>,
}

/// The subscriptions of one connection.
#[derive(Debug, Default)]
pub(super) struct Subscriptions {
    next_id: u64,
    open: HashMap<SubscriptionId, Handle>,
}

/// Where a new subscription reads.
pub(super) struct Target {
    pub(super) tenant_id: TenantId,
    pub(super) stream_id: StreamId,
    pub(super) from_offset: Offset,
    pub(super) credits: u32,
}

impl Subscriptions {
    /// Drops the subscriptions whose task has ended; returns how many remain.
    pub(super) fn live(&mut self) -> usize {
        self.open.retain(|_, handle| !handle.task.is_finished());
        self.open.len()
    }

    /// The next subscription id (1, 2, ...).
    pub(super) fn allocate_id(&mut self) -> SubscriptionId {
        self.next_id += 1;
        SubscriptionId(self.next_id)
    }

    /// Starts the task of subscription `id`.
    pub(super) fn start<B: Backend>(
        &mut self,
        id: SubscriptionId,
        target: Target,
        shared: Arc<Shared<B>>,
        out: mpsc::Sender<Message>,
    ) {
        let max_credits = shared.config.limits.max_subscription_credits;
        let control = Arc::new(Control::new(target.credits, max_credits));
        shared.metrics.subscription_opened();
        let task = tokio::spawn(run(id, target, shared, out, control.clone()));
        self.open.insert(id, Handle { control, task });
    }

    /// The live subscription `id`.
    pub(super) fn get(&mut self, id: SubscriptionId) -> Option<&Handle> {
        self.live();
        self.open.get(&id)
    }

    /// Removes subscription `id` and asks it to close.
    pub(super) fn cancel(&mut self, id: SubscriptionId) -> Option<u32> {
        self.live();
        let handle = self.open.remove(&id)?;
        handle.control.close(CloseReason::ClientCancelled);
        Some(handle.control.credits())
    }

    /// Closes every subscription with `reason` and waits for their last push.
    pub(super) async fn close_all(&mut self, reason: CloseReason) {
        for handle in self.open.values() {
            handle.control.close(reason);
        }
        for (_, handle) in self.open.drain() {
            let _ = handle.task.await;
        }
    }

    /// Stops every subscription without a closing push (the client is gone).
    pub(super) fn abort_all(&mut self) {
        for (_, handle) in self.open.drain() {
            handle.task.abort();
        }
    }
}

/// Decrements the open-subscriptions gauge however the task ends.
struct OpenGuard<B: Backend>(Arc<Shared<B>>);

impl<B: Backend> Drop for OpenGuard<B> {
    fn drop(&mut self) {
        self.0.metrics.subscription_closed();
    }
}

async fn run<B: Backend>(
    id: SubscriptionId,
    target: Target,
    shared: Arc<Shared<B>>,
    out: mpsc::Sender<Message>,
    control: Arc<Control>,
) {
    let guard = OpenGuard(shared.clone());
    let reason = follow(id, &target, &shared, &out, &control).await;
    let closed = SubscriptionClosed {
        subscription_id: id,
        reason,
    };
    let _ = out
        .send(Message::push(PushPayload::SubscriptionClosed(closed)))
        .await;
    drop(guard);
}

/// Pushes events until the subscription must close; returns why.
async fn follow<B: Backend>(
    id: SubscriptionId,
    target: &Target,
    shared: &Shared<B>,
    out: &mpsc::Sender<Message>,
    control: &Control,
) -> CloseReason {
    let backend = &shared.backend;
    let (tenant_id, stream_id) = (target.tenant_id, target.stream_id);
    let mut next = target.from_offset.get();
    loop {
        if let Some(reason) = control.closing() {
            return reason;
        }
        let credits = control.credits();
        if credits == 0 {
            control.wake.notified().await;
            continue;
        }
        let length = match backend.stream_length(tenant_id, stream_id).await {
            Ok(length) => length,
            Err(error) => return reason_for(&error),
        };
        if next >= length {
            tokio::select! {
                () = control.wake.notified() => {}
                grown = backend.wait_for_records(tenant_id, stream_id, next) => {
                    if let Err(error) = grown {
                        return reason_for(&error);
                    }
                }
            }
            continue;
        }
        match push_next(id, target, shared, out, control, next).await {
            Ok(count) => next += u64::from(count),
            Err(reason) => return reason,
        }
    }
}

/// Reads what the credits allow from offset `next` and pushes it; returns how
/// many events were pushed.
async fn push_next<B: Backend>(
    id: SubscriptionId,
    target: &Target,
    shared: &Shared<B>,
    out: &mpsc::Sender<Message>,
    control: &Control,
    next: u64,
) -> Result<u32, CloseReason> {
    let (tenant_id, stream_id) = (target.tenant_id, target.stream_id);
    let credits = control.credits();
    let max_bytes = shared.config.limits.max_push_bytes;
    let read = shared
        .backend
        .read_events(tenant_id, stream_id, Offset(next), max_bytes);
    let mut events = read.await.map_err(|error| reason_for(&error))?.events;
    events.truncate(usize::try_from(credits).unwrap_or(usize::MAX));
    let count = u32::try_from(events.len()).map_err(|_| CloseReason::ProtocolError)?;
    if count == 0 {
        tracing::error!(%id, next, "backend read nothing below the stream length");
        return Err(CloseReason::ProtocolError);
    }
    // Only this task spends credits, so the balance cannot drop below `count`.
    let remaining = control
        .credits
        .fetch_sub(count, Ordering::AcqRel)
        .saturating_sub(count);
    let push = SubscriptionEvents {
        subscription_id: id,
        start_offset: Offset(next),
        events,
        credits_remaining: remaining,
    };
    let message = Message::push(PushPayload::SubscriptionEvents(push));
    out.send(message)
        .await
        .map_err(|_| CloseReason::ProtocolError)?;
    shared.metrics.pushed(u64::from(count));
    Ok(count)
}

fn reason_for(error: &BackendError) -> CloseReason {
    match error.code {
        ErrorCode::StreamNotFound | ErrorCode::TenantNotFound => CloseReason::StreamDeleted,
        _ => {
            tracing::warn!(%error, "subscription ended by a backend error");
            CloseReason::ProtocolError
        }
    }
}
