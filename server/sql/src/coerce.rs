//! Checking a value against a column's type and turning it into the column's
//! canonical storage form (see [`crate::column_type`]).

#[cfg(test)]
mod tests;

use kimberlite_kernel::{ColumnDef, ColumnType};

use crate::cell::Cell;
use crate::column_type::display;
use crate::error::SqlError;
use crate::temporal;

/// `value` in `column`'s storage form, or why it does not fit.
pub fn coerce(column: &ColumnDef, value: Cell) -> Result<Cell, SqlError> {
    if value.is_null() {
        return Ok(Cell::Null);
    }
    let mismatch = |value: &Cell| SqlError::TypeMismatch {
        column: column.name.clone(),
        expected: display(&column.column_type),
        found: value.describe(),
    };
    let converted = match &column.column_type {
        ColumnType::BigInt => integer(&value, i64::MIN, i64::MAX),
        ColumnType::Integer => integer(&value, i32::MIN.into(), i32::MAX.into()),
        ColumnType::SmallInt => integer(&value, i16::MIN.into(), i16::MAX.into()),
        ColumnType::Real | ColumnType::Double => real(&value),
        ColumnType::Decimal { precision, scale } => decimal(&value, *precision, *scale),
        ColumnType::Text => match &value {
            Cell::Text(_) => Some(value.clone()),
            _ => None,
        },
        ColumnType::Boolean => boolean(&value),
        ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => match &value {
            Cell::Integer(_) => Some(value.clone()),
            Cell::Text(text) => temporal::parse_timestamp_ns(text).map(Cell::Integer),
            _ => None,
        },
        ColumnType::Date => match &value {
            Cell::Text(text) => {
                temporal::parse_date(text).map(|date| Cell::Text(temporal::format_date(date)))
            }
            _ => None,
        },
        ColumnType::Time => match &value {
            Cell::Text(text) => {
                temporal::parse_time(text).map(|time| Cell::Text(temporal::format_time(time)))
            }
            _ => None,
        },
        ColumnType::Bytes => match &value {
            Cell::Blob(_) => Some(value.clone()),
            _ => None,
        },
        ColumnType::Uuid => uuid(&value),
        ColumnType::Json => match &value {
            Cell::Text(text) => serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .map(|_| value.clone()),
            _ => None,
        },
    };
    converted.ok_or_else(|| mismatch(&value))
}

fn integer(value: &Cell, min: i64, max: i64) -> Option<Cell> {
    let integer = match value {
        Cell::Integer(integer) => *integer,
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked to be integral and in range"
        )]
        Cell::Real(real) if real.fract() == 0.0 && real.abs() < 9.0e18 => *real as i64,
        Cell::Text(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    (min..=max)
        .contains(&integer)
        .then_some(Cell::Integer(integer))
}

fn real(value: &Cell) -> Option<Cell> {
    match value {
        #[allow(
            clippy::cast_precision_loss,
            reason = "SQL converts integers to REAL so"
        )]
        Cell::Integer(integer) => Some(Cell::Real(*integer as f64)),
        Cell::Real(_) => Some(value.clone()),
        Cell::Text(text) => text.trim().parse().ok().map(Cell::Real),
        _ => None,
    }
}

fn boolean(value: &Cell) -> Option<Cell> {
    match value {
        Cell::Integer(0) => Some(Cell::Integer(0)),
        Cell::Integer(1) => Some(Cell::Integer(1)),
        Cell::Text(text) => match text.to_ascii_lowercase().as_str() {
            "true" | "t" => Some(Cell::Integer(1)),
            "false" | "f" => Some(Cell::Integer(0)),
            _ => None,
        },
        _ => None,
    }
}

fn uuid(value: &Cell) -> Option<Cell> {
    let bytes = match value {
        Cell::Text(text) => {
            let digits: String = text.chars().filter(|c| *c != '-').collect();
            let bytes = hex::decode(digits).ok()?;
            <[u8; 16]>::try_from(bytes).ok()?
        }
        Cell::Blob(blob) => <[u8; 16]>::try_from(blob.as_slice()).ok()?,
        _ => return None,
    };
    Some(Cell::Text(format_uuid(&bytes)))
}

/// Lower-case hyphenated UUID text.
pub fn format_uuid(bytes: &[u8; 16]) -> String {
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The exact decimal text of `value` with `scale` fraction digits, if it has
/// at most `precision` digits and no more fraction digits than `scale`.
fn decimal(value: &Cell, precision: u32, scale: u32) -> Option<Cell> {
    let text = match value {
        Cell::Integer(integer) => integer.to_string(),
        Cell::Real(real) => format!("{real}"),
        Cell::Text(text) => text.trim().to_owned(),
        Cell::Blob(_) | Cell::Null => return None,
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_ok = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_ok(whole) || !digits_ok(fraction) {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    let scale = scale as usize;
    if fraction.len() > scale {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() + scale > precision as usize {
        return None;
    }
    let whole = if whole.is_empty() { "0" } else { whole };
    let mut out = String::new();
    let is_zero = whole == "0" && fraction.is_empty();
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(whole);
    if scale > 0 {
        out.push('.');
        out.push_str(&format!("{fraction:0<scale$}"));
    }
    Some(Cell::Text(out))
}
