//! Push payloads, sent by the server for subscriptions.

use serde::{Deserialize, Serialize};

use super::bytes;
use crate::ids::{Offset, SubscriptionId};

/// What a push message reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushPayload {
    /// #0: events for a subscription.
    SubscriptionEvents(SubscriptionEvents),
    /// #1: the subscription ended.
    SubscriptionClosed(SubscriptionClosed),
}

/// Push #0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionEvents {
    /// The subscription.
    pub subscription_id: SubscriptionId,
    /// The offset of the first event.
    pub start_offset: Offset,
    /// The events, in order.
    #[serde(with = "bytes::list")]
    pub events: Vec<Vec<u8>>,
    /// Credits left after these events.
    pub credits_remaining: u32,
}

/// Push #1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionClosed {
    /// The subscription.
    pub subscription_id: SubscriptionId,
    /// Why it ended.
    pub reason: CloseReason,
}

/// Why a subscription ended. Declaration order is the wire order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CloseReason {
    /// #0: the client unsubscribed.
    ClientCancelled,
    /// #1: the server is stopping.
    ServerShutdown,
    /// #2: the stream was deleted.
    StreamDeleted,
    /// #3: the client did not grant credits in time.
    BackpressureTimeout,
    /// #4: the connection broke the protocol.
    ProtocolError,
}

impl CloseReason {
    /// Every reason, in wire order.
    pub const ALL: [Self; 5] = [
        Self::ClientCancelled,
        Self::ServerShutdown,
        Self::StreamDeleted,
        Self::BackpressureTimeout,
        Self::ProtocolError,
    ];
}
