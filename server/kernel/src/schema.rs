//! The shape of a SQL table as the catalog records it.
//!
//! The SQL front end resolves a `CREATE TABLE` into a [`TableSchema`] and puts it
//! on the log; the kernel checks it is coherent (unique names, constraints that
//! name existing columns) and keeps it. Names are compared exactly: the SQL layer
//! normalises identifiers (case folding, quoting) before they get here.
//!
//! These types are stored in log records with postcard, which is positional: new
//! enum variants go at the end, and a field added to a struct changes the record
//! layout, so it needs a record format version.

use serde::{Deserialize, Serialize};

/// A column's SQL type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnType {
    /// 64-bit signed integer (`BIGINT`).
    BigInt,
    /// 32-bit signed integer (`INTEGER`, `INT`).
    Integer,
    /// 16-bit signed integer (`SMALLINT`).
    SmallInt,
    /// 32-bit IEEE float (`REAL`).
    Real,
    /// 64-bit IEEE float (`DOUBLE PRECISION`).
    Double,
    /// Exact decimal (`DECIMAL(precision, scale)`).
    Decimal {
        /// Total significant digits.
        precision: u32,
        /// Digits after the decimal point.
        scale: u32,
    },
    /// UTF-8 text (`TEXT`, `VARCHAR`).
    Text,
    /// `BOOLEAN`.
    Boolean,
    /// Instant without zone, ns since the Unix epoch (`TIMESTAMP`).
    Timestamp,
    /// Instant with zone (`TIMESTAMP WITH TIME ZONE`).
    TimestampWithTimeZone,
    /// Calendar date (`DATE`).
    Date,
    /// Time of day (`TIME`).
    Time,
    /// Raw bytes (`BYTES`, `BYTEA`, `BLOB`).
    Bytes,
    /// `UUID`.
    Uuid,
    /// `JSON` document.
    Json,
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// Column name, unique within the table.
    pub name: String,
    /// SQL type.
    pub column_type: ColumnType,
    /// Whether NULL is allowed (false for `NOT NULL` and primary key columns).
    pub nullable: bool,
    /// The `DEFAULT` expression as normalised SQL text, if any.
    pub default: Option<String>,
}

/// A `UNIQUE` constraint over one or more columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueConstraint {
    /// Constraint name, unique within the table.
    pub name: String,
    /// Constrained columns, in order.
    pub columns: Vec<String>,
}

/// A secondary index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDef {
    /// Index name, unique within the tenant (as in a SQL schema).
    pub name: String,
    /// Indexed columns, in order.
    pub columns: Vec<String>,
    /// Whether the index enforces uniqueness.
    pub unique: bool,
}

/// Everything `CREATE TABLE` (and later `ALTER TABLE`, `CREATE INDEX`) says
/// about a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSchema {
    /// Table name, unique within the tenant.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<ColumnDef>,
    /// Primary key columns, in order; empty when the table has none (its rows
    /// then get a hidden, stable row id).
    pub primary_key: Vec<String>,
    /// `UNIQUE` constraints.
    pub unique_constraints: Vec<UniqueConstraint>,
    /// Secondary indexes.
    pub indexes: Vec<IndexDef>,
}

impl TableSchema {
    /// The column named `name`, if there is one.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The index named `name`, if there is one.
    #[must_use]
    pub fn index(&self, name: &str) -> Option<&IndexDef> {
        self.indexes.iter().find(|index| index.name == name)
    }
}
