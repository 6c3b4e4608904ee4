//! Kimberlite client: connect, append, read, verified reads and SQL over protocol v5.
//!
//! ```no_run
//! use kimberlite::{Client, ConnectOptions, DataClass, Offset, Placement, TenantId};
//!
//! # async fn run() -> kimberlite::Result<()> {
//! let options = ConnectOptions::new(TenantId(1)).state_directory(".kimberlite-client");
//! let client = Client::connect("127.0.0.1:5432", options).await?;
//! let stream = client.create_stream("events", DataClass::Public, Placement::Global).await?;
//! let length = client.stream_length(stream).await?;
//! client.append(stream, vec![b"hello".to_vec()], Offset(length)).await?;
//! let read = client.read_verified(stream, Offset(0), 1 << 20).await?;
//! for event in &read.events {
//!     println!("{}: {:?}", event.offset, event.payload);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! `examples/quickstart.rs` is the quickstart of the repository README, the same
//! program as each SDK's (`cargo run -p kimberlite --example quickstart`).
//!
//! [`Client::connect`] opens one connection, driven by background tasks on the calling
//! tokio runtime; the [`Client`] is a cheap, cloneable, `Send + Sync` handle, and
//! requests from all clones are pipelined on the connection. After the connection is
//! lost, calls in flight fail with a retryable error and the next call reconnects
//! with backoff. [`blocking::Client`] offers the same calls without async.
//!
//! Against a server that advertises Kimberlite's extensions the client opts in to
//! them and gains verified reads, checkpoints, admin calls and richer values;
//! against a plain protocol v5 server the v5 calls work and the others fail with
//! [`ErrorCode::Unsupported`].
//!
//! Verified reads ([`Client::read_verified`]) check every record against a checkpoint
//! signed by the server's key (pinned, or trusted on first use), and check that each
//! checkpoint extends the last one trusted (kept in a state directory under a file
//! lock); see [`verify`]. To read a long run of a stream, [`Client::scan_verified`]
//! (and [`Client::scan`] for plain reads) asks for the next part while the last one
//! is checked, so the server's work and the client's SHA-256 overlap. Every failure
//! is an [`Error`] with a numbered [`ErrorCode`].

mod client;
mod connection;
mod error;
mod options;
mod session;
mod subscription;
mod transport;

pub mod blocking;
pub mod verify;

pub use client::{
    Client, ExecuteResult, QueryResult, ReadResult, Scan, SubscribeOptions, VerifiedEvent,
    VerifiedRead, VerifiedScan,
};
pub use error::{
    Error, ErrorCode, Result, ServerErrorCode, VerificationFailure, FIRST_CLIENT_CODE,
    FIRST_VERIFICATION_CODE,
};
pub use kimberlite_protocol::message::{
    ApiKeyCreatedResponse as ApiKeyCreated, ApiKeyInfo, Audit, CloseReason,
    ServerInfoResponse as ServerInfo, TenantInfo,
};
pub use kimberlite_protocol::{
    DataClass, Hash, Offset, Placement, Region, StreamId, TenantId, Value,
};
pub use options::{ConnectOptions, ServerKeyTrust, TlsOptions};
pub use subscription::{Subscription, SubscriptionEvent};

// Compile-time proof of the threading promises: handles are cheap to clone and may be
// shared across threads; a subscription may move to another thread.
const _: fn() = || {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    fn movable<T: Send + 'static>() {}
    shareable::<Client>();
    shareable::<blocking::Client>();
    shareable::<Error>();
    movable::<Subscription>();
    movable::<blocking::Subscription>();
};
