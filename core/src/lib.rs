//! Kimberlite client: connect, append, read, verified reads and SQL over protocol v5.
//!
//! Placeholder: this crate is filled in by issue 7. Until then it exports
//! nothing, so nothing can come to depend on an unfinished surface.
