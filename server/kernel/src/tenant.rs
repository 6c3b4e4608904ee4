//! A tenant's catalog entry and everything it owns: streams and tables.
//!
//! Streams are kept by id with a name index beside them; both are `BTreeMap`s so
//! iteration order (and so the encoded state) is the same on every machine.

use std::collections::BTreeMap;

use kimberlite_protocol::{StreamId, TenantId};
use serde::{Deserialize, Serialize};

use crate::stream::{Stream, SQL_LOG_STREAM_ID};
use crate::table::Table;

/// One tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub(crate) id: TenantId,
    pub(crate) name: String,
    pub(crate) created_ns: u64,
    pub(crate) key_erased_ns: Option<u64>,
    pub(crate) streams: BTreeMap<StreamId, Stream>,
    pub(crate) stream_ids_by_name: BTreeMap<String, StreamId>,
    pub(crate) next_stream_id: StreamId,
    pub(crate) tables: BTreeMap<String, Table>,
}

impl Tenant {
    /// The tenant's id.
    #[must_use]
    pub const fn id(&self) -> TenantId {
        self.id
    }

    /// The tenant's display name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// When the tenant was created, ns since the Unix epoch.
    #[must_use]
    pub const fn created_ns(&self) -> u64 {
        self.created_ns
    }

    /// When the tenant's data key was erased, if it was.
    #[must_use]
    pub const fn key_erased_ns(&self) -> Option<u64> {
        self.key_erased_ns
    }

    /// Whether the tenant's data key was erased: its payloads are unreadable and
    /// nothing more may be written for it.
    #[must_use]
    pub const fn is_key_erased(&self) -> bool {
        self.key_erased_ns.is_some()
    }

    /// The stream with this id (0 is the SQL log).
    #[must_use]
    pub fn stream(&self, stream_id: StreamId) -> Option<&Stream> {
        self.streams.get(&stream_id)
    }

    /// The stream with this name.
    #[must_use]
    pub fn stream_by_name(&self, name: &str) -> Option<&Stream> {
        self.stream_ids_by_name
            .get(name)
            .and_then(|id| self.streams.get(id))
    }

    /// Every stream, the SQL log first, then by id.
    pub fn streams(&self) -> impl Iterator<Item = &Stream> {
        self.streams.values()
    }

    /// The tenant's SQL log (stream 0).
    #[must_use]
    pub fn sql_log(&self) -> Option<&Stream> {
        self.streams.get(&SQL_LOG_STREAM_ID)
    }

    /// The id the next created stream will get.
    #[must_use]
    pub const fn next_stream_id(&self) -> StreamId {
        self.next_stream_id
    }

    /// The table named `name`.
    #[must_use]
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Every table, by name.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }
}
