//! Kimberlite server: tokio listener, sessions, auth and subscriptions.
//!
//! Placeholder: this crate is filled in by issue 5. Until then it exports
//! nothing, so nothing can come to depend on an unfinished surface.
