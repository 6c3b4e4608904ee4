//! Why the kernel rejected a command: one variant per failure, each carrying
//! what a message needs, and the protocol error code a server answers with.
//!
//! A rejected command changed nothing: the kernel validates before it mutates.

#[cfg(test)]
mod tests;

use kimberlite_protocol::{ErrorCode, Offset, StreamId, TenantId};

use crate::api_key::ApiKeyId;
use crate::names::NameKind;

/// What a retention check protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryRemoval {
    /// `DROP TABLE`.
    DropTable,
    /// `ALTER TABLE ... DROP COLUMN`.
    DropColumn,
    /// Erasing the tenant's data key.
    EraseTenantKey,
}

impl std::fmt::Display for HistoryRemoval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::DropTable => "dropping the table",
            Self::DropColumn => "dropping a column",
            Self::EraseTenantKey => "erasing the tenant's key",
        })
    }
}

/// A rejected command.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// Tenant id 0 belongs to the node's own catalog.
    #[error("tenant id 0 is reserved for the node's own catalog")]
    ReservedTenantId,
    /// `CreateTenant` with an id in use.
    #[error("tenant {tenant_id} already exists")]
    TenantAlreadyExists {
        /// The id asked for.
        tenant_id: TenantId,
    },
    /// No tenant has this id.
    #[error("tenant {tenant_id} does not exist")]
    TenantNotFound {
        /// The id asked for.
        tenant_id: TenantId,
    },
    /// The tenant's data key was erased, so nothing more may be written for it.
    #[error("tenant {tenant_id}'s data key was erased; nothing more can be written for it")]
    TenantKeyErased {
        /// The erased tenant.
        tenant_id: TenantId,
    },
    /// `EraseTenantKey` for a tenant already erased.
    #[error("tenant {tenant_id}'s data key was already erased at {erased_ns} ns")]
    TenantKeyAlreadyErased {
        /// The erased tenant.
        tenant_id: TenantId,
        /// When it was erased.
        erased_ns: u64,
    },
    /// A name is empty.
    #[error("the {kind} name is empty")]
    EmptyName {
        /// What was being named.
        kind: NameKind,
    },
    /// A name is longer than allowed.
    #[error("the {kind} name is {length_bytes} bytes long; at most {max_bytes} are allowed")]
    NameTooLong {
        /// What was being named.
        kind: NameKind,
        /// The name's length.
        length_bytes: usize,
        /// The limit.
        max_bytes: usize,
    },
    /// A name contains a control character.
    #[error("the {kind} name {name:?} contains a control character")]
    NameHasControlCharacter {
        /// What was being named.
        kind: NameKind,
        /// The name.
        name: String,
    },
    /// A name starts with `$`, which is reserved for system objects.
    #[error("the {kind} name {name:?} is reserved: names starting with '$' belong to the system")]
    ReservedName {
        /// What was being named.
        kind: NameKind,
        /// The name.
        name: String,
    },
    /// No stream has this id in the tenant.
    #[error("stream {stream_id} does not exist in tenant {tenant_id}")]
    StreamNotFound {
        /// The tenant.
        tenant_id: TenantId,
        /// The stream asked for.
        stream_id: StreamId,
    },
    /// `AppendEvents` aimed at the SQL log, which only SQL statements extend.
    #[error(
        "stream {stream_id} of tenant {tenant_id} is its SQL log; only SQL statements append to it"
    )]
    StreamNotAppendable {
        /// The tenant.
        tenant_id: TenantId,
        /// The stream.
        stream_id: StreamId,
    },
    /// `AppendEvents` whose expected offset is not the stream's length.
    #[error(
        "expected offset {expected_offset} does not match the length {stream_length} of stream \
         {stream_id} in tenant {tenant_id}"
    )]
    OffsetMismatch {
        /// The tenant.
        tenant_id: TenantId,
        /// The stream.
        stream_id: StreamId,
        /// What the command expected.
        expected_offset: Offset,
        /// The stream's actual length.
        stream_length: u64,
    },
    /// `AppendEvents` with no events.
    #[error("an append to stream {stream_id} of tenant {tenant_id} needs at least one event")]
    EmptyAppend {
        /// The tenant.
        tenant_id: TenantId,
        /// The stream.
        stream_id: StreamId,
    },
    /// The stream's length would overflow a `u64`.
    #[error(
        "stream {stream_id} of tenant {tenant_id} cannot grow by {count} past length {length}"
    )]
    StreamLengthOverflow {
        /// The tenant.
        tenant_id: TenantId,
        /// The stream.
        stream_id: StreamId,
        /// Its length.
        length: u64,
        /// Records asked for.
        count: u32,
    },
    /// Every stream id of the tenant is taken.
    #[error("tenant {tenant_id} has used every stream id")]
    StreamIdsExhausted {
        /// The tenant.
        tenant_id: TenantId,
    },
    /// `CREATE TABLE` of a name in use.
    #[error("table {table:?} already exists in tenant {tenant_id}")]
    TableAlreadyExists {
        /// The tenant.
        tenant_id: TenantId,
        /// The table.
        table: String,
    },
    /// No table has this name in the tenant.
    #[error("table {table:?} does not exist in tenant {tenant_id}")]
    TableNotFound {
        /// The tenant.
        tenant_id: TenantId,
        /// The table.
        table: String,
    },
    /// A column name appears twice where names must be distinct.
    #[error("column {column:?} appears twice in the {place} of table {table:?}")]
    DuplicateColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Where: "columns", "primary key", or a constraint or index name.
        place: String,
    },
    /// A column that does not exist is named.
    #[error("column {column:?} does not exist in table {table:?}")]
    ColumnNotFound {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A primary key column allows NULL.
    #[error("primary key column {column:?} of table {table:?} must be NOT NULL")]
    NullablePrimaryKeyColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A constraint or index names no column.
    #[error("{place} of table {table:?} names no column")]
    EmptyColumnList {
        /// The table.
        table: String,
        /// Which constraint or index.
        place: String,
    },
    /// `DROP COLUMN` of a column a key, constraint or index uses.
    #[error("column {column:?} of table {table:?} is used by {used_by}")]
    ColumnInUse {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// What uses it: "the primary key", or a constraint or index name.
        used_by: String,
    },
    /// Two constraints of a table share a name.
    #[error("constraint {constraint:?} appears twice in table {table:?}")]
    DuplicateConstraint {
        /// The table.
        table: String,
        /// The constraint.
        constraint: String,
    },
    /// `CREATE INDEX` (or `CREATE TABLE`) with an index name in use in the tenant.
    #[error("index {index:?} already exists in tenant {tenant_id}")]
    IndexAlreadyExists {
        /// The tenant.
        tenant_id: TenantId,
        /// The index.
        index: String,
    },
    /// `DROP INDEX` of an unknown index.
    #[error("index {index:?} does not exist in tenant {tenant_id}")]
    IndexNotFound {
        /// The tenant.
        tenant_id: TenantId,
        /// The index.
        index: String,
    },
    /// A retention policy forbids removing the table's history yet.
    #[error(
        "{action} is not allowed before {removable_from_ns} ns: the retention policy of table \
         {table:?} in tenant {tenant_id} requires its history to be kept (now {timestamp_ns} ns)"
    )]
    RetentionNotReached {
        /// The tenant.
        tenant_id: TenantId,
        /// The protected table.
        table: String,
        /// What was attempted.
        action: HistoryRemoval,
        /// The earliest time it is allowed.
        removable_from_ns: u64,
        /// The command's time.
        timestamp_ns: u64,
    },
    /// `SetRetention` asked for less history than the current policy keeps.
    #[error(
        "table {table:?} in tenant {tenant_id} keeps {current_ns} ns of history; a policy can be \
         lengthened but not shortened to {requested_ns} ns"
    )]
    RetentionShortened {
        /// The tenant.
        tenant_id: TenantId,
        /// The table.
        table: String,
        /// The current minimum history.
        current_ns: u64,
        /// The shorter one asked for.
        requested_ns: u64,
    },
    /// `CreateApiKey` with an id in use.
    #[error("API key {key_id} already exists")]
    ApiKeyAlreadyExists {
        /// The id.
        key_id: ApiKeyId,
    },
    /// No API key has this id.
    #[error("API key {key_id} does not exist")]
    ApiKeyNotFound {
        /// The id.
        key_id: ApiKeyId,
    },
    /// `RevokeApiKey` of a key already revoked.
    #[error("API key {key_id} was already revoked at {revoked_ns} ns")]
    ApiKeyAlreadyRevoked {
        /// The id.
        key_id: ApiKeyId,
        /// When it was revoked.
        revoked_ns: u64,
    },
    /// `CreateApiKey` with an empty salt or hash.
    #[error("API key {key_id} needs a non-empty salt and secret hash")]
    ApiKeySecretMissing {
        /// The id.
        key_id: ApiKeyId,
    },
}

impl KernelError {
    /// The protocol error code a server answers with. Only protocol version 5
    /// codes below 30 are used, so every client can decode the answer; the
    /// message carries the detail.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::TenantAlreadyExists { .. } => ErrorCode::TenantAlreadyExists,
            Self::TenantNotFound { .. } => ErrorCode::TenantNotFound,
            Self::TenantKeyAlreadyErased { .. } => ErrorCode::ErasureAlreadyComplete,
            Self::StreamNotFound { .. } => ErrorCode::StreamNotFound,
            Self::OffsetMismatch { .. } => ErrorCode::OffsetMismatch,
            Self::TableNotFound { .. } => ErrorCode::TableNotFound,
            Self::ApiKeyNotFound { .. } => ErrorCode::ApiKeyNotFound,
            Self::EmptyName { kind }
            | Self::NameTooLong { kind, .. }
            | Self::NameHasControlCharacter { kind, .. }
            | Self::ReservedName { kind, .. } => match kind {
                NameKind::Table | NameKind::Column | NameKind::Constraint | NameKind::Index => {
                    ErrorCode::QueryExecutionError
                }
                NameKind::Tenant | NameKind::Stream | NameKind::ApiKeyLabel => {
                    ErrorCode::InvalidRequest
                }
            },
            Self::RetentionNotReached { action, .. } => match action {
                HistoryRemoval::DropTable | HistoryRemoval::DropColumn => {
                    ErrorCode::QueryExecutionError
                }
                HistoryRemoval::EraseTenantKey => ErrorCode::InvalidRequest,
            },
            Self::TableAlreadyExists { .. }
            | Self::DuplicateColumn { .. }
            | Self::ColumnNotFound { .. }
            | Self::NullablePrimaryKeyColumn { .. }
            | Self::EmptyColumnList { .. }
            | Self::ColumnInUse { .. }
            | Self::DuplicateConstraint { .. }
            | Self::IndexAlreadyExists { .. }
            | Self::IndexNotFound { .. } => ErrorCode::QueryExecutionError,
            Self::ReservedTenantId
            | Self::TenantKeyErased { .. }
            | Self::StreamNotAppendable { .. }
            | Self::EmptyAppend { .. }
            | Self::StreamLengthOverflow { .. }
            | Self::StreamIdsExhausted { .. }
            | Self::RetentionShortened { .. }
            | Self::ApiKeyAlreadyExists { .. }
            | Self::ApiKeyAlreadyRevoked { .. }
            | Self::ApiKeySecretMissing { .. } => ErrorCode::InvalidRequest,
        }
    }
}
