//! A table's catalog entry: its schema, when it was created and last changed,
//! and its retention policy.
//!
//! Positions are offsets in the tenant's SQL log (stream 0); times are that
//! log's commit timestamps, so both are decided by the kernel, not the caller.

use kimberlite_protocol::Offset;
use serde::{Deserialize, Serialize};

use crate::schema::TableSchema;

/// How long a table's history must be kept.
///
/// While a policy's horizon is not reached, the kernel rejects everything that
/// would remove history: dropping the table, dropping one of its columns,
/// erasing the tenant's key. A policy can be lengthened but never shortened or
/// removed (compliance mode), so it cannot be sidestepped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Minimum time every version must stay in history, in ns.
    pub min_history_ns: u64,
    /// When the policy was last set, ns since the Unix epoch.
    pub set_ns: u64,
}

/// One table of a tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub(crate) schema: TableSchema,
    pub(crate) created_at: Offset,
    pub(crate) created_ns: u64,
    pub(crate) changed_at: Offset,
    pub(crate) changed_ns: u64,
    pub(crate) retention: Option<RetentionPolicy>,
}

impl Table {
    /// The table's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.schema.name
    }

    /// The current schema (columns, keys, constraints, indexes).
    #[must_use]
    pub const fn schema(&self) -> &TableSchema {
        &self.schema
    }

    /// Position in the SQL log of the record that created the table.
    #[must_use]
    pub const fn created_at(&self) -> Offset {
        self.created_at
    }

    /// Commit timestamp of the creating record.
    #[must_use]
    pub const fn created_ns(&self) -> u64 {
        self.created_ns
    }

    /// Position of the last record that changed the table's schema or rows.
    #[must_use]
    pub const fn changed_at(&self) -> Offset {
        self.changed_at
    }

    /// Commit timestamp of the last change: the newest history of the table.
    #[must_use]
    pub const fn changed_ns(&self) -> u64 {
        self.changed_ns
    }

    /// The retention policy, if one was set.
    #[must_use]
    pub const fn retention(&self) -> Option<&RetentionPolicy> {
        self.retention.as_ref()
    }

    /// The first time at which removing the table's history is allowed, or
    /// `None` if it has no policy. Every version was written at or before
    /// [`changed_ns`](Self::changed_ns), so all have been kept for the policy's
    /// duration once this time is reached.
    #[must_use]
    pub fn history_removable_from_ns(&self) -> Option<u64> {
        self.retention
            .map(|policy| self.changed_ns.saturating_add(policy.min_history_ns))
    }
}
