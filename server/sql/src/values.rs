//! Wire values in and out: parameters bound into SQLite, and result cells
//! turned into the protocol's [`Value`] kinds (extension kinds only for a
//! client that opted in; plain v5 kinds otherwise).

use base64::Engine as _;
use kimberlite_protocol::Value;

use crate::cell::Cell;
use crate::coerce::format_uuid;
use crate::column_type::ResultKind;
use crate::temporal;

/// A parameter as SQLite sees it: temporal values in their stored form.
pub fn param_cell(value: &Value) -> Cell {
    match value {
        Value::Null => Cell::Null,
        Value::BigInt(integer) | Value::Timestamp(integer) | Value::TimestampTz(integer) => {
            Cell::Integer(*integer)
        }
        Value::Text(text) | Value::Decimal(text) | Value::Json(text) => Cell::Text(text.clone()),
        Value::Boolean(boolean) => Cell::Integer(i64::from(*boolean)),
        Value::Real(real) => Cell::Real(*real),
        Value::Bytes(bytes) => Cell::Blob(bytes.clone()),
        Value::Date(days) => temporal::date_from_days(*days)
            .map_or(Cell::Null, |date| Cell::Text(temporal::format_date(date))),
        Value::Time(nanos) => temporal::time_from_nanos(*nanos)
            .map_or(Cell::Null, |time| Cell::Text(temporal::format_time(time))),
        Value::Uuid(bytes) => Cell::Text(format_uuid(bytes)),
    }
}

/// A result cell as a wire value of the column's kind.
pub fn result_value(cell: Cell, kind: ResultKind, extended: bool) -> Value {
    let value = typed_value(cell, kind);
    if extended {
        value
    } else {
        value.into_plain()
    }
}

fn typed_value(cell: Cell, kind: ResultKind) -> Value {
    match (kind, cell) {
        (_, Cell::Null) => Value::Null,
        (ResultKind::Boolean, Cell::Integer(integer)) => Value::Boolean(integer != 0),
        (ResultKind::Timestamp, Cell::Integer(integer)) => Value::Timestamp(integer),
        (ResultKind::TimestampTz, Cell::Integer(integer)) => Value::TimestampTz(integer),
        (ResultKind::Decimal, Cell::Text(text)) => Value::Decimal(text),
        (ResultKind::Json, Cell::Text(text)) => Value::Json(text),
        (ResultKind::Date, Cell::Text(text)) => match temporal::parse_date(&text) {
            Some(date) => Value::Date(temporal::days_since_epoch(date)),
            None => Value::Text(text),
        },
        (ResultKind::Time, Cell::Text(text)) => match temporal::parse_time(&text) {
            Some(time) => Value::Time(temporal::nanos_of_day(time)),
            None => Value::Text(text),
        },
        (ResultKind::Uuid, Cell::Text(text)) => {
            let bytes = hex::decode(text.replace('-', ""))
                .ok()
                .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok());
            bytes.map_or(Value::Text(text), Value::Uuid)
        }
        (_, Cell::Integer(integer)) => Value::BigInt(integer),
        (_, Cell::Real(real)) => Value::Real(real),
        (_, Cell::Text(text)) => Value::Text(text),
        (_, Cell::Blob(blob)) => Value::Bytes(blob),
    }
}

/// A value as text for tests and tools: the plain v5 text of each kind.
pub fn display_value(value: &Value) -> String {
    match value.clone().into_plain() {
        Value::Null => "NULL".to_owned(),
        Value::BigInt(integer) => integer.to_string(),
        Value::Text(text) => text,
        Value::Boolean(boolean) => boolean.to_string(),
        Value::Timestamp(nanos) => temporal::format_timestamp(nanos),
        Value::Bytes(bytes) => base64::engine::general_purpose::STANDARD.encode(bytes),
        other => format!("{other:?}"),
    }
}
