//! Kimberlite server: tokio listener, sessions, auth and subscriptions.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kimberlite_server::{AuthMode, Backend, Server, ServerConfig, ServerError};
//! use tokio::sync::oneshot;
//!
//! async fn serve<B: Backend>(backend: Arc<B>, stop: oneshot::Receiver<()>) -> Result<(), ServerError> {
//!     let address = "127.0.0.1:7000".parse().expect("a valid address");
//!     let config = ServerConfig::new(address, AuthMode::Development);
//!     let server = Server::bind(config, backend).await?;
//!     println!("listening on {}", server.local_addr());
//!     server.run(async { let _ = stop.await; }).await
//! }
//! ```
//!
//! The server speaks protocol version 5 over TCP (optionally TLS) and serves a
//! [`Backend`]: the storage engine in production, any honest model in tests.
//! Each connection runs on its own task; its requests may be pipelined and are
//! answered by request id, with subscription pushes interleaved. Limits
//! ([`Limits`]) bound every resource a client can claim, and a malformed frame
//! closes only its own connection. docs/server.md describes the behaviour in
//! full.

pub mod auth;
pub mod backend;
pub mod config;
mod connection;
pub mod engine_backend;
pub mod error;
pub mod limits;
pub mod metrics;
mod revoked_keys;
mod server;
pub mod tls;

pub use backend::{
    ApiKeyRecord, AppendBatch, Backend, BackendError, BackendInfo, BackendResult, NewApiKey,
    StorageCounters, StreamSpec,
};
pub use config::{AdminToken, AuthMode, ServerConfig, TlsConfig};
pub use engine_backend::EngineBackend;
pub use error::ServerError;
pub use limits::Limits;
pub use metrics::Metrics;
pub use server::Server;
