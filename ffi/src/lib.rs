//! C ABI over the Kimberlite client, for Go, C and C++.
//!
//! Placeholder: this crate is filled in by issue 8. Until then it exports
//! nothing, so nothing can come to depend on an unfinished surface.
