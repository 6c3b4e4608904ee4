//! The resolved effect of one statement, as stored in the `effect` bytes of
//! its SQL log record (postcard). Views are rebuilt from these alone: row
//! images with their stable row ids, never SQL text to run again.
//!
//! The layout is a stored format: add enum variants only at the end.

use serde::{Deserialize, Serialize};

use crate::audit::AuditInfo;
use crate::cell::Cell;
use crate::error::SqlError;

/// One statement's effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SqlRecord {
    /// Who ran it and why.
    pub audit: AuditInfo,
    /// The statement kind (`INSERT`, `CREATE TABLE`, ...).
    pub statement: String,
    /// The table it concerns, if one.
    pub table: Option<String>,
    /// Rows inserted, updated or deleted.
    pub rows_affected: u64,
    /// Row changes, applied in order after the record's catalog changes.
    pub row_ops: Vec<RowOp>,
}

/// A change to rows of one table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RowOp {
    /// New rows: each with its new row id and a value per named column.
    Insert {
        /// The table.
        table: String,
        /// The columns the values are for, in order.
        columns: Vec<String>,
        /// (row id, values).
        rows: Vec<(i64, Vec<Cell>)>,
    },
    /// New versions of existing rows (full images).
    Update {
        /// The table.
        table: String,
        /// The columns the values are for, in order.
        columns: Vec<String>,
        /// (row id, values).
        rows: Vec<(i64, Vec<Cell>)>,
    },
    /// Rows that end.
    Delete {
        /// The table.
        table: String,
        /// Their row ids.
        row_ids: Vec<i64>,
    },
    /// A column added with a default: current rows take the value.
    FillColumn {
        /// The table.
        table: String,
        /// The new column.
        column: String,
        /// The default, resolved.
        value: Cell,
    },
}

impl SqlRecord {
    /// postcard bytes.
    pub fn encode(&self) -> Result<Vec<u8>, SqlError> {
        postcard::to_allocvec(self)
            .map_err(|error| SqlError::InvalidRequest(format!("statement too large: {error}")))
    }

    /// Decodes the effect bytes of the record at `position`.
    pub fn decode(bytes: &[u8], position: u64) -> Result<Self, SqlError> {
        postcard::from_bytes(bytes).map_err(|error| SqlError::CorruptRecord {
            position,
            message: error.to_string(),
        })
    }
}
