//! The `Subscription` class: pushed events one Promise at a time. `index.js` makes it
//! an async iterator (`for await (const event of subscription)`).

use std::sync::{Arc, Mutex};

use kimberlite::SubscribeOptions as CoreOptions;
use napi::bindgen_prelude::{BigInt, Buffer, Either, Null};
use napi_derive::napi;
use tokio::sync::{watch, Mutex as AsyncMutex};

use crate::error::{check, to_napi};
use crate::values::big;

/// How a subscription is opened.
#[napi(object)]
pub struct SubscribeOptions {
    /// Events the server may push ahead of the consumer (default 64, at least 1).
    pub credits: Option<u32>,
    /// Subscribers of one group share the events.
    pub consumer_group: Option<String>,
}

impl SubscribeOptions {
    /// The core options, defaults filled in.
    pub fn into_core(self) -> CoreOptions {
        let defaults = CoreOptions::default();
        CoreOptions {
            credits: self.credits.unwrap_or(defaults.credits),
            consumer_group: self.consumer_group,
        }
    }
}

/// One pushed event.
#[napi(object)]
pub struct SubscriptionEvent {
    /// The event's offset in its stream.
    pub offset: BigInt,
    /// The event bytes.
    pub payload: Buffer,
}

/// Events of a stream as the server pushes them.
#[napi]
pub struct Subscription {
    inner: Arc<AsyncMutex<Option<kimberlite::Subscription>>>,
    close_reason: Arc<Mutex<Option<String>>>,
    cancelled: watch::Sender<bool>,
    id: u64,
    start_offset: u64,
}

impl Subscription {
    /// Wraps a core subscription.
    pub fn new(inner: kimberlite::Subscription) -> Self {
        Self {
            id: inner.id().0,
            start_offset: inner.start_offset().0,
            inner: Arc::new(AsyncMutex::new(Some(inner))),
            close_reason: Arc::new(Mutex::new(None)),
            cancelled: watch::Sender::new(false),
        }
    }
}

#[napi]
impl Subscription {
    /// The subscription's id on its connection.
    #[napi(getter)]
    pub fn id(&self) -> BigInt {
        big(self.id)
    }

    /// The offset of the first event the subscription delivers.
    #[napi(getter)]
    pub fn start_offset(&self) -> BigInt {
        big(self.start_offset)
    }

    /// Why the server closed the subscription (e.g. `ClientCancelled`), once it has.
    #[napi(getter)]
    pub fn close_reason(&self) -> Option<String> {
        self.close_reason
            .lock()
            .ok()
            .and_then(|reason| reason.clone())
    }

    /// The next event; `null` once the subscription is closed or cancelled. Rejects
    /// with the connection's error if it is lost.
    #[napi]
    pub async fn next(&self) -> napi::Result<Either<SubscriptionEvent, Null>> {
        let mut cancelled = self.cancelled.subscribe();
        let mut guard = self.inner.lock().await;
        let Some(subscription) = guard.as_mut() else {
            return Ok(Either::B(Null));
        };
        let event = tokio::select! {
            event = subscription.next() => event.map_err(|error| to_napi(&error))?,
            _ = cancelled.wait_for(|cancelled| *cancelled) => None,
        };
        if let Some(event) = event {
            return Ok(Either::A(SubscriptionEvent {
                offset: big(event.offset.0),
                payload: event.payload.into(),
            }));
        }
        if let (Some(reason), Ok(mut slot)) =
            (subscription.close_reason(), self.close_reason.lock())
        {
            *slot = Some(format!("{reason:?}"));
        }
        Ok(Either::B(Null))
    }

    /// Unsubscribes and waits for the server; a pending `next()` and later ones
    /// resolve to `null`.
    #[napi]
    pub async fn cancel(&self) -> napi::Result<()> {
        self.cancelled.send_replace(true);
        let taken = self.inner.lock().await.take();
        match taken {
            Some(subscription) => check(subscription.cancel().await),
            None => Ok(()),
        }
    }
}
