//! The errors of the SQL layer, each mapped to the wire's [`ErrorCode`].
//!
//! A message says what to change: the table, column or value at fault and,
//! for parse errors, the line and column of the statement text.

use kimberlite_kernel::KernelError;
use kimberlite_protocol::ErrorCode;
use kimberlite_storage::engine::EngineError;

use crate::temporal::format_timestamp;

/// Why a SQL statement failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqlError {
    /// The statement text does not parse.
    #[error("syntax error at line {line}, column {column}: {message}")]
    Parse {
        /// 1-based line of the error (0 when unknown).
        line: u64,
        /// 1-based column of the error (0 when unknown).
        column: u64,
        /// What the parser expected.
        message: String,
    },
    /// The statement names a table the tenant does not have.
    #[error("table {0:?} does not exist")]
    TableNotFound(String),
    /// `CREATE TABLE` of a name that is taken.
    #[error("table {0:?} already exists")]
    TableExists(String),
    /// The statement names a column the table does not have.
    #[error("column {column:?} does not exist in table {table:?}")]
    ColumnNotFound {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A value does not fit its column's type.
    #[error("column {column:?} of type {expected} cannot hold {found}")]
    TypeMismatch {
        /// The column.
        column: String,
        /// Its SQL type.
        expected: String,
        /// The offending value, described.
        found: String,
    },
    /// NULL in a NOT NULL or primary key column.
    #[error("column {column:?} of table {table:?} may not be NULL")]
    NotNull {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A row would repeat a primary key or UNIQUE value.
    #[error("duplicate key in table {table:?}: {constraint} already holds ({values})")]
    UniqueViolation {
        /// The table.
        table: String,
        /// `primary key` or the constraint's name.
        constraint: String,
        /// The repeated values.
        values: String,
    },
    /// A statement kind or clause this dialect does not support.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// A query that could read outside the tenant's tables or write.
    #[error("not allowed in a query: {0}")]
    Forbidden(String),
    /// The request is malformed (bad timestamp, parameter count, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A position beyond the end of the tenant's SQL log.
    #[error("position {requested} is ahead of the SQL log (last position {last})")]
    PositionAhead {
        /// The position asked for.
        requested: u64,
        /// The last position written, or -1 for an empty log.
        last: i64,
    },
    /// SQLite failed while evaluating a query.
    #[error("query failed: {0}")]
    Execution(String),
    /// A retention policy keeps the table's history for longer.
    #[error(
        "{action} is refused: the retention policy of table {table:?} keeps its history \
         until {until} (now {now})"
    )]
    RetentionNotReached {
        /// The table.
        table: String,
        /// What was attempted.
        action: String,
        /// The first time it is allowed (RFC 3339).
        until: String,
        /// The statement's commit time (RFC 3339).
        now: String,
    },
    /// The storage engine or kernel rejected the statement.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A SQL log record that cannot be decoded or applied.
    #[error("SQL log record {position}: {message}")]
    CorruptRecord {
        /// Its position.
        position: u64,
        /// What is wrong.
        message: String,
    },
    /// The SQLite cache files failed.
    #[error("SQL view store: {0}")]
    Store(String),
}

impl SqlError {
    /// The wire error code for this failure.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Parse { .. } | Self::Unsupported(_) => ErrorCode::QueryParseError,
            Self::TableNotFound(_) => ErrorCode::TableNotFound,
            Self::UniqueViolation { .. } => ErrorCode::UniqueConstraintViolation,
            Self::TableExists(_)
            | Self::ColumnNotFound { .. }
            | Self::TypeMismatch { .. }
            | Self::NotNull { .. }
            | Self::Execution(_)
            | Self::RetentionNotReached { .. } => ErrorCode::QueryExecutionError,
            Self::Forbidden(_) | Self::InvalidRequest(_) => ErrorCode::InvalidRequest,
            Self::PositionAhead { .. } => ErrorCode::PositionAhead,
            Self::Engine(error) => error.code(),
            Self::CorruptRecord { .. } => ErrorCode::StorageError,
            Self::Store(_) => ErrorCode::InternalError,
        }
    }

    /// A parse error from sqlparser, with the line and column it reports.
    pub(crate) fn from_parser(error: &sqlparser::parser::ParserError) -> Self {
        let message = error.to_string();
        let number_after = |label: &str| {
            message.find(label).and_then(|start| {
                message[start + label.len()..]
                    .trim_start()
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|digits| digits.parse::<u64>().ok())
            })
        };
        let line = number_after("Line:").unwrap_or(0);
        let column = number_after("Column:").unwrap_or(0);
        let text = message
            .split(" at Line:")
            .next()
            .unwrap_or(&message)
            .trim_start_matches("sql parser error: ")
            .to_owned();
        Self::Parse {
            line,
            column,
            message: text,
        }
    }

    /// An engine error, with retention refusals restated in SQL terms.
    pub(crate) fn from_engine(error: EngineError) -> Self {
        match error {
            EngineError::Rejected(KernelError::RetentionNotReached {
                table,
                action,
                removable_from_ns,
                timestamp_ns,
                ..
            }) => Self::RetentionNotReached {
                table,
                action: action.to_string(),
                until: format_timestamp(i64::try_from(removable_from_ns).unwrap_or(i64::MAX)),
                now: format_timestamp(i64::try_from(timestamp_ns).unwrap_or(i64::MAX)),
            },
            other => Self::Engine(other),
        }
    }

    /// A SQLite failure while running a query.
    pub(crate) fn execution(error: &rusqlite::Error) -> Self {
        Self::Execution(error.to_string())
    }

    /// A SQLite failure of the cache itself.
    pub(crate) fn store(error: &rusqlite::Error) -> Self {
        Self::Store(error.to_string())
    }
}
