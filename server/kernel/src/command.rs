//! Commands: every change to the state, as data.
//!
//! A command carries everything the kernel may not choose itself: the commit
//! time the shell read from its clock, and ids drawn outside (tenant ids, API key
//! ids). Ids the kernel can derive (stream ids, log positions) are not on the
//! command, so replaying a command always derives the same ones.
//!
//! Catalog commands are stored in the node's log with postcard and replayed at
//! recovery, so the layout is a stored format: add variants only at the end and
//! never reorder them.

#[cfg(test)]
mod tests;

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
use serde::{Deserialize, Serialize};

use crate::api_key::ApiKeyId;
use crate::schema::{ColumnDef, IndexDef, TableSchema};

/// One change to the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Creates a tenant with its SQL log (stream 0). Fails if the id is taken.
    CreateTenant {
        /// The new tenant's id; 0 is reserved for the node's own catalog.
        tenant_id: TenantId,
        /// Display name.
        name: String,
        /// Commit time, ns since the Unix epoch.
        timestamp_ns: u64,
    },
    /// Creates a user stream, or finds the tenant's stream of that name
    /// (idempotent by name; attributes of an existing stream are kept).
    CreateStream {
        /// Owning tenant.
        tenant_id: TenantId,
        /// Stream name, unique within the tenant; may not start with `$`.
        name: String,
        /// What the stream holds.
        data_class: DataClass,
        /// Where it may live.
        placement: Placement,
        /// Commit time, ns since the Unix epoch.
        timestamp_ns: u64,
    },
    /// Appends `count` events to a user stream, optimistically.
    AppendEvents {
        /// Owning tenant.
        tenant_id: TenantId,
        /// A user stream (not the SQL log).
        stream_id: StreamId,
        /// Must equal the stream's length.
        expected_offset: Offset,
        /// Number of events, at least 1.
        count: u32,
        /// The shell's clock; the commit time is the larger of this and the
        /// stream's last commit time.
        timestamp_ns: u64,
    },
    /// Appends one statement's record to the tenant's SQL log and applies its
    /// catalog changes, all or nothing.
    RecordSqlEffect {
        /// Owning tenant.
        tenant_id: TenantId,
        /// The shell's clock, as for `AppendEvents`.
        timestamp_ns: u64,
        /// What the statement changes, in order.
        table_changes: Vec<TableChange>,
    },
    /// Registers an API key for one tenant.
    CreateApiKey {
        /// The key's id, drawn by the shell; must be new.
        key_id: ApiKeyId,
        /// The tenant the key may use.
        tenant_id: TenantId,
        /// Human label; may be empty.
        label: String,
        /// Salt the secret was hashed with; not empty.
        salt: Vec<u8>,
        /// Salted hash of the secret; not empty.
        secret_hash: Vec<u8>,
        /// Commit time, ns since the Unix epoch.
        timestamp_ns: u64,
    },
    /// Revokes an API key for good.
    RevokeApiKey {
        /// The key to revoke.
        key_id: ApiKeyId,
        /// Commit time, ns since the Unix epoch.
        timestamp_ns: u64,
    },
    /// Sets how long a table's history must be kept. A policy can be lengthened,
    /// never shortened.
    SetRetention {
        /// Owning tenant.
        tenant_id: TenantId,
        /// An existing table.
        table: String,
        /// Minimum time every version must stay in history, in ns.
        min_history_ns: u64,
        /// Commit time, ns since the Unix epoch.
        timestamp_ns: u64,
    },
    /// Erases the tenant's data key (crypto-erasure): its payloads become
    /// unreadable, its tables are forgotten, and nothing more may be written for
    /// it. Its streams and their lengths stay, so chains still verify.
    EraseTenantKey {
        /// The tenant to erase.
        tenant_id: TenantId,
        /// Commit time, ns since the Unix epoch.
        timestamp_ns: u64,
    },
}

impl Command {
    /// The tenant the command concerns; `None` for `RevokeApiKey`, which names
    /// only a key.
    #[must_use]
    pub const fn tenant_id(&self) -> Option<TenantId> {
        match self {
            Self::CreateTenant { tenant_id, .. }
            | Self::CreateStream { tenant_id, .. }
            | Self::AppendEvents { tenant_id, .. }
            | Self::RecordSqlEffect { tenant_id, .. }
            | Self::CreateApiKey { tenant_id, .. }
            | Self::SetRetention { tenant_id, .. }
            | Self::EraseTenantKey { tenant_id, .. } => Some(*tenant_id),
            Self::RevokeApiKey { .. } => None,
        }
    }

    /// The time the shell put on the command.
    #[must_use]
    pub const fn timestamp_ns(&self) -> u64 {
        match self {
            Self::CreateTenant { timestamp_ns, .. }
            | Self::CreateStream { timestamp_ns, .. }
            | Self::AppendEvents { timestamp_ns, .. }
            | Self::RecordSqlEffect { timestamp_ns, .. }
            | Self::CreateApiKey { timestamp_ns, .. }
            | Self::RevokeApiKey { timestamp_ns, .. }
            | Self::SetRetention { timestamp_ns, .. }
            | Self::EraseTenantKey { timestamp_ns, .. } => *timestamp_ns,
        }
    }
}

/// One catalog-visible change made by a SQL statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableChange {
    /// `CREATE TABLE`: the table must not exist.
    CreateTable(TableSchema),
    /// `DROP TABLE`: the table must exist and its retention horizon be reached.
    DropTable {
        /// The table.
        table: String,
    },
    /// `ALTER TABLE`.
    AlterTable {
        /// The table.
        table: String,
        /// What changes.
        alteration: TableAlteration,
    },
    /// `CREATE INDEX`: the index name must be new in the tenant.
    CreateIndex {
        /// The indexed table.
        table: String,
        /// The index.
        index: IndexDef,
    },
    /// `DROP INDEX`.
    DropIndex {
        /// The index name.
        index: String,
    },
    /// DML (`INSERT`, `UPDATE`, `DELETE`) changed rows of a table. The row
    /// images travel in the record's payload, opaque to the kernel; this entry
    /// only marks the table as changed, which moves its retention horizon.
    RowChanges {
        /// The table.
        table: String,
        /// Rows inserted.
        inserted: u64,
        /// Rows updated.
        updated: u64,
        /// Rows deleted.
        deleted: u64,
    },
}

impl TableChange {
    /// The table the change concerns, if it names one (`DropIndex` names only
    /// the index).
    #[must_use]
    pub fn table(&self) -> Option<&str> {
        match self {
            Self::CreateTable(schema) => Some(&schema.name),
            Self::DropTable { table }
            | Self::AlterTable { table, .. }
            | Self::CreateIndex { table, .. }
            | Self::RowChanges { table, .. } => Some(table),
            Self::DropIndex { .. } => None,
        }
    }
}

/// An `ALTER TABLE` action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableAlteration {
    /// `ADD COLUMN`: the name must be new in the table.
    AddColumn(ColumnDef),
    /// `DROP COLUMN`: the column must exist, be used by no key, constraint or
    /// index, and the table's retention horizon be reached.
    DropColumn {
        /// The column.
        column: String,
    },
    /// `RENAME COLUMN`: the old name must exist and the new one be free; keys,
    /// constraints and indexes follow the column to its new name. History is
    /// kept, so retention does not restrict it.
    RenameColumn {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
}
