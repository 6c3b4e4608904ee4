//! Conversions of values between JavaScript and Rust: `bigint` for 64-bit numbers,
//! and SQL values (`null`, `boolean`, `bigint`, `number`, `string`, `Buffer`).

use kimberlite::Value;
use napi::bindgen_prelude::{BigInt, Buffer, Either6, Null};

use crate::error::invalid_argument;

/// A SQL value as JavaScript passes and receives it.
pub type SqlValue = Either6<Null, bool, BigInt, f64, String, Buffer>;

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A non-negative `bigint` that fits in 64 bits.
pub fn to_u64(value: &BigInt, name: &str) -> napi::Result<u64> {
    let (negative, number, lossless) = value.get_u64();
    if negative || !lossless {
        return Err(invalid_argument(format!(
            "{name} must be a bigint from 0 to 2^64 - 1"
        )));
    }
    Ok(number)
}

/// A `bigint` that fits in a signed 64-bit integer.
fn to_i64(value: &BigInt) -> napi::Result<i64> {
    let (number, lossless) = value.get_i64();
    if !lossless {
        return Err(invalid_argument("a bigint SQL value must fit in 64 bits"));
    }
    Ok(number)
}

/// A 64-bit unsigned value as a `bigint`.
pub fn big(value: u64) -> BigInt {
    BigInt::from(value)
}

/// A 64-bit signed value as a `bigint`.
fn big_signed(value: i64) -> BigInt {
    BigInt::from(value)
}

/// A JavaScript SQL parameter as a protocol value; an integral `number` is an integer.
pub fn to_value(value: &SqlValue) -> napi::Result<Value> {
    Ok(match value {
        Either6::A(Null) => Value::Null,
        Either6::B(flag) => Value::Boolean(*flag),
        Either6::C(number) => Value::BigInt(to_i64(number)?),
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked integral and in range"
        )]
        Either6::D(number) if number.fract() == 0.0 && number.abs() <= MAX_SAFE_INTEGER => {
            Value::BigInt(*number as i64)
        }
        Either6::D(number) => Value::Real(*number),
        Either6::E(text) => Value::Text(text.clone()),
        Either6::F(bytes) => Value::Bytes(bytes.to_vec()),
    })
}

/// A protocol value as JavaScript receives it: integers and instants (nanoseconds)
/// as `bigint`, DATE as days since 1970-01-01, UUID as its 16 bytes, DECIMAL and
/// JSON as their text.
pub fn from_value(value: Value) -> SqlValue {
    match value {
        Value::Null => Either6::A(Null),
        Value::Boolean(flag) => Either6::B(flag),
        Value::BigInt(number) | Value::Timestamp(number) | Value::TimestampTz(number) => {
            Either6::C(big_signed(number))
        }
        Value::Time(nanos) => Either6::C(big(nanos)),
        Value::Real(number) => Either6::D(number),
        Value::Date(days) => Either6::D(f64::from(days)),
        Value::Text(text) | Value::Decimal(text) | Value::Json(text) => Either6::E(text),
        Value::Bytes(bytes) => Either6::F(bytes.into()),
        Value::Uuid(bytes) => Either6::F(bytes.to_vec().into()),
    }
}
