//! A stored SQL value: what a row image holds in the SQL log and in SQLite.
//!
//! Each column type has one storage form (see [`crate::column_type`]); a
//! [`Cell`] is that form, already checked against the column's type.

use rusqlite::types::{ToSqlOutput, Value as SqliteValue, ValueRef};
use rusqlite::ToSql;
use serde::{Deserialize, Serialize};

/// One stored value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// Integers, booleans (0/1), TIMESTAMP and TIMESTAMPTZ (ns since the epoch).
    Integer(i64),
    /// REAL and DOUBLE.
    Real(f64),
    /// TEXT, DECIMAL, DATE, TIME, UUID and JSON, in their canonical text.
    Text(String),
    /// BYTES.
    Blob(Vec<u8>),
}

impl Cell {
    /// Whether this is NULL.
    #[must_use]
    pub const fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// A copy of a value SQLite returned.
    #[must_use]
    pub fn from_sqlite(value: ValueRef<'_>) -> Self {
        match value {
            ValueRef::Null => Self::Null,
            ValueRef::Integer(integer) => Self::Integer(integer),
            ValueRef::Real(real) => Self::Real(real),
            ValueRef::Text(text) => Self::Text(String::from_utf8_lossy(text).into_owned()),
            ValueRef::Blob(blob) => Self::Blob(blob.to_vec()),
        }
    }

    /// A short description for error messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Null => "NULL".to_owned(),
            Self::Integer(integer) => format!("the integer {integer}"),
            Self::Real(real) => format!("the number {real}"),
            Self::Text(text) => format!("the text {text:?}"),
            Self::Blob(blob) => format!("{} bytes", blob.len()),
        }
    }

    /// The value as SQL text, for messages listing key values.
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Self::Null => "NULL".to_owned(),
            Self::Integer(integer) => integer.to_string(),
            Self::Real(real) => real.to_string(),
            Self::Text(text) => format!("'{text}'"),
            Self::Blob(blob) => format!("x'{}'", hex::encode(blob)),
        }
    }
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Null => ToSqlOutput::Owned(SqliteValue::Null),
            Self::Integer(integer) => ToSqlOutput::Owned(SqliteValue::Integer(*integer)),
            Self::Real(real) => ToSqlOutput::Owned(SqliteValue::Real(*real)),
            Self::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Self::Blob(blob) => ToSqlOutput::Borrowed(ValueRef::Blob(blob)),
        })
    }
}
