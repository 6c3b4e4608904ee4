//! Kimberlite's wire protocol (version 5) and verification formats, sans-IO.
//!
//! Modules are filled in by the foundation issue; see docs/protocol.md and
//! docs/format.md for the byte-level specification.

pub mod attributes;
pub mod hash;
pub mod ids;
pub mod merkle;

pub use attributes::{DataClass, Placement, Region};
pub use hash::{Hash, HASH_LEN};
pub use ids::{Offset, RequestId, StreamId, SubscriptionId, TenantId};
