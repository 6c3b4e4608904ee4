//! Column types: from the SQL spelling, to the SQLite declaration that keeps
//! the type visible in query results, and the canonical storage of values.
//!
//! The declared type names carry our type through SQLite (a query's result
//! column reports the declared type of the column it comes from) while their
//! spelling gives the storage the right SQLite affinity (`..._INT` integer,
//! `..._TEXT` text).

use kimberlite_kernel::ColumnType;
use sqlparser::ast::DataType;

use crate::error::SqlError;

/// The column type a SQL type name stands for.
pub fn from_sql(data_type: &DataType) -> Result<ColumnType, SqlError> {
    let spelled = data_type.to_string().to_ascii_uppercase();
    let base = spelled.split('(').next().unwrap_or("").trim();
    let column_type = match base {
        "BIGINT" | "INT8" => ColumnType::BigInt,
        "INTEGER" | "INT" | "INT4" => ColumnType::Integer,
        "SMALLINT" | "INT2" => ColumnType::SmallInt,
        "REAL" | "FLOAT4" => ColumnType::Real,
        "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" | "FLOAT8" => ColumnType::Double,
        "DECIMAL" | "NUMERIC" => decimal(data_type)?,
        "TEXT" | "VARCHAR" | "CHARACTER VARYING" | "STRING" | "CHAR" => ColumnType::Text,
        "BYTES" | "BYTEA" | "BLOB" => ColumnType::Bytes,
        "BOOLEAN" | "BOOL" => ColumnType::Boolean,
        "DATE" => ColumnType::Date,
        "TIME" => ColumnType::Time,
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => ColumnType::Timestamp,
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => ColumnType::TimestampWithTimeZone,
        "UUID" => ColumnType::Uuid,
        "JSON" | "JSONB" => ColumnType::Json,
        _ => return Err(SqlError::Unsupported(format!("column type {spelled}"))),
    };
    Ok(column_type)
}

fn decimal(data_type: &DataType) -> Result<ColumnType, SqlError> {
    let spelled = data_type.to_string();
    let numbers: Vec<u32> = spelled
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    let (precision, scale) = match numbers.as_slice() {
        [] => (38, 0),
        [precision] => (*precision, 0),
        [precision, scale, ..] => (*precision, *scale),
    };
    if precision == 0 || precision > 38 || scale > precision {
        return Err(SqlError::InvalidRequest(format!(
            "DECIMAL({precision}, {scale}): precision must be 1 to 38 and scale at most precision"
        )));
    }
    Ok(ColumnType::Decimal { precision, scale })
}

/// The SQL spelling of a column type, for DESCRIBE and messages.
pub fn display(column_type: &ColumnType) -> String {
    match column_type {
        ColumnType::BigInt => "BIGINT".to_owned(),
        ColumnType::Integer => "INTEGER".to_owned(),
        ColumnType::SmallInt => "SMALLINT".to_owned(),
        ColumnType::Real => "REAL".to_owned(),
        ColumnType::Double => "DOUBLE".to_owned(),
        ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision}, {scale})"),
        ColumnType::Text => "TEXT".to_owned(),
        ColumnType::Boolean => "BOOLEAN".to_owned(),
        ColumnType::Timestamp => "TIMESTAMP".to_owned(),
        ColumnType::TimestampWithTimeZone => "TIMESTAMPTZ".to_owned(),
        ColumnType::Date => "DATE".to_owned(),
        ColumnType::Time => "TIME".to_owned(),
        ColumnType::Bytes => "BYTES".to_owned(),
        ColumnType::Uuid => "UUID".to_owned(),
        ColumnType::Json => "JSON".to_owned(),
    }
}

/// The type name declared for the column in SQLite.
pub const fn sqlite_declaration(column_type: &ColumnType) -> &'static str {
    match column_type {
        ColumnType::BigInt => "BIGINT",
        ColumnType::Integer => "INTEGER",
        ColumnType::SmallInt => "SMALLINT",
        ColumnType::Real => "REAL",
        ColumnType::Double => "DOUBLE",
        ColumnType::Decimal { .. } => "DECIMAL_TEXT",
        ColumnType::Text => "TEXT",
        ColumnType::Boolean => "BOOLEAN_INT",
        ColumnType::Timestamp => "TIMESTAMP_INT",
        ColumnType::TimestampWithTimeZone => "TIMESTAMPTZ_INT",
        ColumnType::Date => "DATE_TEXT",
        ColumnType::Time => "TIME_TEXT",
        ColumnType::Bytes => "BYTES_BLOB",
        ColumnType::Uuid => "UUID_TEXT",
        ColumnType::Json => "JSON_TEXT",
    }
}

/// What a declared SQLite type says about how to send a result value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// Any integer type.
    Integer,
    /// REAL / DOUBLE.
    Real,
    /// DECIMAL text.
    Decimal,
    /// Plain text.
    Text,
    /// 0/1 as a boolean.
    Boolean,
    /// ns as TIMESTAMP.
    Timestamp,
    /// ns as TIMESTAMP WITH TIME ZONE.
    TimestampTz,
    /// `YYYY-MM-DD`.
    Date,
    /// `HH:MM:SS[.f]`.
    Time,
    /// Raw bytes.
    Bytes,
    /// Hyphenated UUID text.
    Uuid,
    /// JSON text.
    Json,
    /// No declared type (an expression): follow the value.
    Dynamic,
}

/// The result kind of a declared SQLite type name.
pub fn result_kind(declaration: Option<&str>) -> ResultKind {
    match declaration.map(str::to_ascii_uppercase).as_deref() {
        Some("BIGINT" | "INTEGER" | "SMALLINT") => ResultKind::Integer,
        Some("REAL" | "DOUBLE") => ResultKind::Real,
        Some("DECIMAL_TEXT") => ResultKind::Decimal,
        Some("TEXT") => ResultKind::Text,
        Some("BOOLEAN_INT") => ResultKind::Boolean,
        Some("TIMESTAMP_INT") => ResultKind::Timestamp,
        Some("TIMESTAMPTZ_INT") => ResultKind::TimestampTz,
        Some("DATE_TEXT") => ResultKind::Date,
        Some("TIME_TEXT") => ResultKind::Time,
        Some("BYTES_BLOB") => ResultKind::Bytes,
        Some("UUID_TEXT") => ResultKind::Uuid,
        Some("JSON_TEXT") => ResultKind::Json,
        _ => ResultKind::Dynamic,
    }
}
