//! Subscriptions: events pushed by the server, taken one at a time.

use std::ffi::c_char;
use std::sync::Mutex;

use kimberlite::{Offset, StreamId, SubscribeOptions};

use crate::cancel::kmb_cancel;
use crate::client::kmb_client;
use crate::error::kmb_error;
use crate::events::kmb_events;
use crate::guard::{free_box, handle, optional_text, put, put_box, require_out, run, Failure};
use crate::status::kmb_status;

/// An open subscription; `kmb_subscription_next` calls are taken in turn. Free it with
/// `kmb_subscription_free` (which unsubscribes if still open) after its client's
/// calls on it have returned; the client must outlive it.
#[derive(Debug)]
pub struct kmb_subscription {
    runtime: tokio::runtime::Handle,
    inner: Mutex<Option<kimberlite::Subscription>>,
}

fn closed() -> Failure {
    let code = kimberlite::ErrorCode::Server(kimberlite::ServerErrorCode::SubscriptionClosed);
    Failure::Client(kimberlite::Error::new(
        code,
        "the subscription was cancelled",
    ))
}

/// Subscribes to the stream from `from_offset`; `credits` (0 means 64) bounds how
/// far the server pushes ahead; `consumer_group` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_subscribe(
    client: *const kmb_client,
    stream_id: u64,
    from_offset: u64,
    credits: u32,
    consumer_group: *const c_char,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_subscription,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let options = SubscribeOptions {
            credits: if credits == 0 { 64 } else { credits },
            consumer_group: optional_text(consumer_group, "consumer_group")?.map(str::to_owned),
        };
        require_out(out, "out")?;
        let subscribe =
            client
                .inner
                .subscribe_with(StreamId(stream_id), Offset(from_offset), options);
        let inner = client.block(cancel, subscribe)?;
        let subscription = kmb_subscription {
            runtime: client.runtime.handle().clone(),
            inner: Mutex::new(Some(inner)),
        };
        put_box(out, subscription, "out")
    })
}

/// Waits for the next event: `*out` is one event, or NULL once the server ended the
/// subscription. A cancelled wait loses no event.
#[no_mangle]
pub unsafe extern "C" fn kmb_subscription_next(
    subscription: *const kmb_subscription,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_events,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let subscription = handle(subscription, "subscription")?;
        require_out(out, "out")?;
        let mut guard = subscription.inner.lock().map_err(|_| closed())?;
        let inner = guard.as_mut().ok_or_else(closed)?;
        // `next` is cancel-safe: an event is only taken when the future completes.
        let event = crate::cancel::block_on(&subscription.runtime, cancel, inner.next())?;
        match event {
            Some(event) => put_box(
                out,
                kmb_events::single(event.offset.0, event.payload),
                "out",
            ),
            None => put(out, std::ptr::null_mut(), "out"),
        }
    })
}

/// Ends the subscription and waits for the server's acknowledgement. Later
/// `kmb_subscription_next` calls fail with `SubscriptionClosed`.
#[no_mangle]
pub unsafe extern "C" fn kmb_subscription_cancel(
    subscription: *const kmb_subscription,
    cancel: *const kmb_cancel,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let subscription = handle(subscription, "subscription")?;
        let taken = subscription.inner.lock().map_err(|_| closed())?.take();
        let inner = taken.ok_or_else(closed)?;
        crate::cancel::block_on(&subscription.runtime, cancel, inner.cancel())
    })
}

/// Releases the subscription (unsubscribing if still open); NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_subscription_free(subscription: *mut kmb_subscription) {
    free_box(subscription);
}
