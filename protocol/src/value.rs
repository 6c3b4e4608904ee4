//! SQL values, as query parameters and result cells.
//!
//! Kinds 0 to 4 are protocol v5. Kinds from 64 up are Kimberlite extensions,
//! sent only to a client that enabled [`crate::capability::VALUES`]; for any
//! other client [`Value::into_plain`] turns them into the v5 kinds (mostly
//! text), as docs/protocol.md describes.

mod plain;
#[cfg(test)]
mod tests;

use crate::message::indexed_enum::indexed_enum;

/// The first wire index of the extension value kinds.
pub const FIRST_EXTENSION_KIND: u32 = 64;

indexed_enum! {
    /// One SQL value.
    ///
    /// Equality compares `Real` by its bits, so a value always equals its own
    /// decoded copy (NaN included) and `0.0 != -0.0`.
    #[derive(Clone, Debug)]
    pub enum Value {
        /// SQL NULL.
        Null = 0,
        /// Any integer type, as a zigzag varint.
        BigInt(i64) = 1,
        /// Text.
        Text(String) = 2,
        /// A boolean, one byte.
        Boolean(bool) = 3,
        /// TIMESTAMP: nanoseconds since the Unix epoch, as a zigzag varint.
        Timestamp(i64) = 4,
        /// Extension: REAL / DOUBLE, 8 bytes little-endian IEEE 754.
        Real(f64) = 64,
        /// Extension: BYTES, length-prefixed.
        Bytes(Vec<u8>) = 65,
        /// Extension: DECIMAL as its exact decimal text, e.g. `-12.50`.
        Decimal(String) = 66,
        /// Extension: DATE, days since 1970-01-01 as a zigzag varint.
        Date(i32) = 67,
        /// Extension: TIME, nanoseconds since midnight as a varint.
        Time(u64) = 68,
        /// Extension: UUID, 16 raw bytes.
        Uuid([u8; 16]) = 69,
        /// Extension: JSON text.
        Json(String) = 70,
        /// Extension: TIMESTAMP WITH TIME ZONE, the instant in nanoseconds since
        /// the Unix epoch (UTC), as a zigzag varint.
        TimestampTz(i64) = 71,
    }
}

impl Value {
    /// Whether this kind exists only as an extension (index 64 or more).
    #[must_use]
    pub const fn is_extension(&self) -> bool {
        self.variant_index() >= FIRST_EXTENSION_KIND
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Null, Self::Null) => true,
            (Self::BigInt(a), Self::BigInt(b))
            | (Self::Timestamp(a), Self::Timestamp(b))
            | (Self::TimestampTz(a), Self::TimestampTz(b)) => a == b,
            (Self::Text(a), Self::Text(b))
            | (Self::Decimal(a), Self::Decimal(b))
            | (Self::Json(a), Self::Json(b)) => a == b,
            (Self::Boolean(a), Self::Boolean(b)) => a == b,
            (Self::Real(a), Self::Real(b)) => a.to_bits() == b.to_bits(),
            (Self::Bytes(a), Self::Bytes(b)) => a == b,
            (Self::Date(a), Self::Date(b)) => a == b,
            (Self::Time(a), Self::Time(b)) => a == b,
            (Self::Uuid(a), Self::Uuid(b)) => a == b,
            _ => false,
        }
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::BigInt(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Self::Boolean(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl<T: Into<Self>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}
