//! Effects: what the shell must do after a command succeeded.
//!
//! The kernel only decides; the shell (storage and server) acts: it writes the
//! records an [`Effect::Append`] describes, creates or destroys keys, updates the
//! SQL views and wakes subscribers. Every successful command yields at least one
//! effect, and a command that changed nothing (a `CreateStream` that found its
//! stream) yields only `StreamCreated { existed: true }`, so
//! [`changes_state`] tells the shell whether there is anything to log.

#[cfg(test)]
mod tests;

use kimberlite_protocol::{Offset, StreamId, TenantId};

use crate::api_key::ApiKeyId;

/// One thing the shell must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A tenant exists now: create its data key and open its SQL log (stream 0).
    TenantCreated {
        /// The new tenant.
        tenant_id: TenantId,
    },
    /// A stream was created (`existed: false`: open its files) or already had
    /// the name (`existed: true`: nothing changed).
    StreamCreated {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The stream's id.
        stream_id: StreamId,
        /// Whether the stream was already there.
        existed: bool,
    },
    /// Write `count` records to the stream at offsets `first_offset ..`, all
    /// with commit timestamp `timestamp_ns`.
    Append {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The stream (0 for the SQL log).
        stream_id: StreamId,
        /// Offset of the first record.
        first_offset: Offset,
        /// Number of records.
        count: u32,
        /// Commit timestamp of the records (monotonic per stream).
        timestamp_ns: u64,
    },
    /// A table was created: create its view, with the schema's indexes.
    TableCreated {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The table.
        table: String,
    },
    /// A table was dropped: drop its view.
    TableDropped {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The table.
        table: String,
    },
    /// A table's columns changed: alter its view.
    TableAltered {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The table.
        table: String,
    },
    /// An index was created on a table's view.
    IndexCreated {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The indexed table.
        table: String,
        /// The index.
        index: String,
    },
    /// An index was dropped.
    IndexDropped {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The table it indexed.
        table: String,
        /// The index.
        index: String,
    },
    /// An API key was registered.
    ApiKeyCreated {
        /// The key.
        key_id: ApiKeyId,
        /// The tenant it may use.
        tenant_id: TenantId,
    },
    /// An API key was revoked: drop it from any cache and refuse it from now on.
    ApiKeyRevoked {
        /// The key.
        key_id: ApiKeyId,
        /// The tenant it could use.
        tenant_id: TenantId,
    },
    /// A table's retention policy was set.
    RetentionSet {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The table.
        table: String,
        /// The policy's minimum history, in ns.
        min_history_ns: u64,
    },
    /// Destroy the tenant's data key once the command is durable, and every
    /// plaintext derived from it (SQL views, caches).
    DestroyTenantKey {
        /// The erased tenant.
        tenant_id: TenantId,
    },
}

/// Whether a command that produced `effects` changed the state, so its record
/// must be logged. False only for a `CreateStream` that found its stream.
#[must_use]
pub fn changes_state(effects: &[Effect]) -> bool {
    effects
        .iter()
        .any(|effect| !matches!(effect, Effect::StreamCreated { existed: true, .. }))
}
