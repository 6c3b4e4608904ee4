//! Test tools for Kimberlite clients in every language: a proxy that sits between
//! a client and a real server, forwards every frame both ways, and rewrites the
//! server's verified answers the way a compromised server or an attacker on the
//! path would ([`Mode`]). A verifying client must refuse each rewrite with a
//! precise [verification failure](Mode::expected_failure) and never trust it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use kimberlite_testkit::{Mode, ProxyConfig, TamperProxy};
//!
//! let config = ProxyConfig::new("127.0.0.1:5432", Mode::FlipPayloadByte);
//! let proxy = TamperProxy::start(config).await?;
//! println!("connect the client to {}", proxy.address());
//! # Ok(())
//! # }
//! ```
//!
//! The binary `kimberlite-tamper-proxy` runs the same proxy for test suites of
//! other languages (see docs/client.md, "Testing against a lying server").

mod mode;
mod proxy;
mod resign;
mod rewrite;
mod route;

pub use mode::{Mode, UnknownMode};
pub use proxy::{ProxyConfig, TamperProxy};
