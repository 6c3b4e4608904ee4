//! What a statement answers: rows for a read, or the count and log position
//! of a write, shaped as protocol v5's Query response.

use kimberlite_protocol::Value;

/// The answer to one statement.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryOutput {
    /// A statement that returns rows (a query, `RETURNING`, `SHOW`, ...).
    Rows {
        /// Column names.
        columns: Vec<String>,
        /// Rows of values, one per column.
        rows: Vec<Vec<Value>>,
    },
    /// A statement that changed state.
    Written {
        /// Rows inserted, updated or deleted.
        rows_affected: u64,
        /// Position of the statement's record in the tenant's SQL log.
        log_offset: u64,
    },
}

impl QueryOutput {
    /// The wire shape: a write answers with the columns `rows_affected` and
    /// `log_offset` and one row of two BigInt values.
    #[must_use]
    pub fn into_columns_and_rows(self) -> (Vec<String>, Vec<Vec<Value>>) {
        match self {
            Self::Rows { columns, rows } => (columns, rows),
            Self::Written {
                rows_affected,
                log_offset,
            } => (
                vec!["rows_affected".to_owned(), "log_offset".to_owned()],
                vec![vec![
                    Value::BigInt(i64::try_from(rows_affected).unwrap_or(i64::MAX)),
                    Value::BigInt(i64::try_from(log_offset).unwrap_or(i64::MAX)),
                ]],
            ),
        }
    }
}
