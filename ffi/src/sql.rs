//! SQL calls and the value struct that carries parameters in and cells out.

use std::ffi::c_char;

use kimberlite::{Offset, Value};

use crate::cancel::kmb_cancel;
use crate::client::kmb_client;
use crate::error::kmb_error;
use crate::guard::{bytes, handle, invalid, put, put_box, require_out, run, slice, text, Failure};
use crate::rows::kmb_rows;
use crate::status::kmb_status;

/// A SQL value. `kind` is the wire index: 0 NULL, 1 BIGINT, 2 TEXT, 3 BOOLEAN,
/// 4 TIMESTAMP, 64 REAL, 65 BYTES, 66 DECIMAL, 67 DATE, 68 TIME, 69 UUID, 70 JSON,
/// 71 TIMESTAMPTZ. Integers, booleans (0/1), timestamps (ns), dates (days) and times
/// (ns) use `integer`; REAL uses `real`; text, decimal, JSON, bytes and UUID (16
/// bytes) use `data`/`len` (UTF-8 for the text kinds, no NUL needed).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct kmb_value {
    /// The value's kind (wire index).
    pub kind: u32,
    /// The integer form.
    pub integer: i64,
    /// The REAL form.
    pub real: f64,
    /// The bytes form.
    pub data: *const u8,
    /// Their length.
    pub len: usize,
}

impl kmb_value {
    /// A value borrowing from `value`.
    pub(crate) fn borrowing(value: &Value) -> Self {
        let mut out = Self {
            kind: value_kind(value),
            integer: 0,
            real: 0.0,
            data: std::ptr::null(),
            len: 0,
        };
        match value {
            Value::Null => {}
            Value::BigInt(number) | Value::Timestamp(number) | Value::TimestampTz(number) => {
                out.integer = *number;
            }
            Value::Boolean(flag) => out.integer = i64::from(*flag),
            Value::Date(days) => out.integer = i64::from(*days),
            Value::Time(nanos) => out.integer = i64::try_from(*nanos).unwrap_or(i64::MAX),
            Value::Real(real) => out.real = *real,
            Value::Text(text) | Value::Decimal(text) | Value::Json(text) => {
                (out.data, out.len) = (text.as_ptr(), text.len());
            }
            Value::Bytes(bytes) => (out.data, out.len) = (bytes.as_ptr(), bytes.len()),
            Value::Uuid(bytes) => (out.data, out.len) = (bytes.as_ptr(), bytes.len()),
        }
        out
    }

    /// The owned value this describes.
    fn to_value(self) -> Result<Value, Failure> {
        let data = bytes(self.data, self.len, "value.data")?;
        let text = || {
            std::str::from_utf8(data)
                .map(str::to_owned)
                .map_err(|_| Failure::Utf8("value.data"))
        };
        Ok(match self.kind {
            0 => Value::Null,
            1 => Value::BigInt(self.integer),
            2 => Value::Text(text()?),
            3 => Value::Boolean(self.integer != 0),
            4 => Value::Timestamp(self.integer),
            64 => Value::Real(self.real),
            65 => Value::Bytes(data.to_vec()),
            66 => Value::Decimal(text()?),
            67 => {
                Value::Date(i32::try_from(self.integer).map_err(|_| invalid("date out of range"))?)
            }
            68 => Value::Time(u64::try_from(self.integer).map_err(|_| invalid("negative time"))?),
            69 => Value::Uuid(
                data.try_into()
                    .map_err(|_| invalid("a UUID has 16 bytes"))?,
            ),
            70 => Value::Json(text()?),
            71 => Value::TimestampTz(self.integer),
            other => return Err(invalid(format!("value kind {other} does not exist"))),
        })
    }
}

fn value_kind(value: &Value) -> u32 {
    match value {
        Value::Null => 0,
        Value::BigInt(_) => 1,
        Value::Text(_) => 2,
        Value::Boolean(_) => 3,
        Value::Timestamp(_) => 4,
        Value::Real(_) => 64,
        Value::Bytes(_) => 65,
        Value::Decimal(_) => 66,
        Value::Date(_) => 67,
        Value::Time(_) => 68,
        Value::Uuid(_) => 69,
        Value::Json(_) => 70,
        Value::TimestampTz(_) => 71,
    }
}

fn params(values: *const kmb_value, count: usize) -> Result<Vec<Value>, Failure> {
    slice(values, count, "params")?
        .iter()
        .map(|value| value.to_value())
        .collect()
}

/// Runs a statement on the current state; `$1`, `$2`, ... are `params` (`count`
/// values the caller owns, read during the call only).
#[no_mangle]
pub unsafe extern "C" fn kmb_client_query(
    client: *const kmb_client,
    sql: *const c_char,
    params_values: *const kmb_value,
    count: usize,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_rows,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let (sql, params) = (text(sql, "sql")?, params(params_values, count)?);
        require_out(out, "out")?;
        let result = client.block(cancel, client.inner.query(sql, &params))?;
        put_box(out, kmb_rows::new(result), "out")
    })
}

/// Runs a query on the state that includes the SQL log record at `position`.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_query_at(
    client: *const kmb_client,
    sql: *const c_char,
    params_values: *const kmb_value,
    count: usize,
    position: u64,
    cancel: *const kmb_cancel,
    out: *mut *mut kmb_rows,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let (sql, params) = (text(sql, "sql")?, params(params_values, count)?);
        require_out(out, "out")?;
        let query = client.inner.query_at(sql, &params, Offset(position));
        let result = client.block(cancel, query)?;
        put_box(out, kmb_rows::new(result), "out")
    })
}

/// Runs a statement that changes state: rows affected, and the statement's position
/// in the tenant's SQL log (usable with `kmb_client_query_at`).
#[no_mangle]
pub unsafe extern "C" fn kmb_client_execute(
    client: *const kmb_client,
    sql: *const c_char,
    params_values: *const kmb_value,
    count: usize,
    cancel: *const kmb_cancel,
    out_rows_affected: *mut u64,
    out_log_offset: *mut u64,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let (sql, params) = (text(sql, "sql")?, params(params_values, count)?);
        require_out(out_rows_affected, "out_rows_affected")?;
        require_out(out_log_offset, "out_log_offset")?;
        let done = client.block(cancel, client.inner.execute(sql, &params))?;
        put(out_rows_affected, done.rows_affected, "out_rows_affected")?;
        put(out_log_offset, done.log_offset.0, "out_log_offset")
    })
}
