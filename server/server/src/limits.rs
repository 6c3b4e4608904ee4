//! Resource limits of the server, each with a documented default.
//!
//! Every limit answers a client that exceeds it with a clear error or, for the
//! transport limits, closes only that client's connection; none of them can
//! make the server panic or slow down other connections.

#[cfg(test)]
mod tests;

use std::time::Duration;

use kimberlite_protocol::MAX_PAYLOAD_LEN;

/// The limits in force; see each field for its default and its effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest frame payload accepted from a client (default and maximum:
    /// 16 MiB, the protocol's limit). A larger frame closes the connection.
    pub max_frame_bytes: usize,
    /// Most events in one AppendEvents (default 10 000); more is `InvalidRequest`.
    pub max_append_events: usize,
    /// Most payload bytes in one AppendEvents (default 8 MiB); more is
    /// `InvalidRequest`.
    pub max_append_bytes: usize,
    /// Most bytes a ReadEvents or verified read collects (default 4 MiB): a
    /// larger `max_bytes` is lowered to it, so an answer always fits a frame.
    pub max_read_bytes: u64,
    /// Most open connections (default 1024). One more is answered with
    /// `RateLimited` to its first request and closed.
    pub max_connections: usize,
    /// Most requests of one connection being served at once (default 64).
    /// Beyond it the server stops reading from that connection until one
    /// finishes (TCP backpressure); nothing is refused.
    pub max_in_flight_per_connection: usize,
    /// A connection with nothing in flight, no subscription and no frame
    /// received for this long is closed (default 5 minutes).
    pub idle_timeout: Duration,
    /// A connection whose socket accepts no byte for this long while the
    /// server has something to send is closed (default 30 s).
    pub write_timeout: Duration,
    /// Time allowed for a TLS handshake, and for a refused connection to send
    /// its first request (default 10 s).
    pub handshake_timeout: Duration,
    /// Most credits one subscription may hold (default 10 000). Grants above it
    /// are lowered to it, and the answers say how many credits it has.
    pub max_subscription_credits: u32,
    /// Most open subscriptions per connection (default 64); one more is
    /// `RateLimited`.
    pub max_subscriptions_per_connection: usize,
    /// Most event bytes in one SubscriptionEvents push (default 1 MiB; a single
    /// larger event is still sent alone).
    pub max_push_bytes: u64,
    /// How long a graceful shutdown waits for connections to finish their
    /// in-flight requests before it drops them (default 30 s).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: MAX_PAYLOAD_LEN,
            max_append_events: 10_000,
            max_append_bytes: 8 * 1024 * 1024,
            max_read_bytes: 4 * 1024 * 1024,
            max_connections: 1024,
            max_in_flight_per_connection: 64,
            idle_timeout: Duration::from_secs(300),
            write_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_subscription_credits: 10_000,
            max_subscriptions_per_connection: 64,
            max_push_bytes: 1024 * 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// The limits with values a running server cannot use replaced: zero counts
    /// become one and the frame size is clamped to the protocol's 16 MiB.
    #[must_use]
    pub fn normalized(mut self) -> Self {
        self.max_frame_bytes = self.max_frame_bytes.clamp(1, MAX_PAYLOAD_LEN);
        self.max_append_events = self.max_append_events.max(1);
        self.max_connections = self.max_connections.max(1);
        self.max_in_flight_per_connection = self.max_in_flight_per_connection.max(1);
        self.max_subscriptions_per_connection = self.max_subscriptions_per_connection.max(1);
        self.max_push_bytes = self.max_push_bytes.max(1);
        self
    }
}
