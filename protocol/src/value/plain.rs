//! Turning extension values into the five kinds every v5 client can decode.
//!
//! The rules are fixed (docs/protocol.md, "Values"): REAL as its shortest
//! round-trip decimal, DECIMAL as its text, DATE / TIME / TIMESTAMP WITH TIME
//! ZONE as ISO 8601, BYTES as standard base64, UUID hyphenated, JSON as text.

use base64::Engine as _;

use super::Value;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

impl Value {
    /// This value as a v5 client can decode it: v5 kinds unchanged, extension
    /// kinds converted to `Text`.
    #[must_use]
    pub fn into_plain(self) -> Self {
        match self {
            Self::Real(value) => Self::Text(format_real(value)),
            Self::Bytes(bytes) => {
                Self::Text(base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            Self::Decimal(text) | Self::Json(text) => Self::Text(text),
            Self::Date(days) => Self::Text(format_date(i64::from(days))),
            Self::Time(nanos) => Self::Text(format_time_of_day(nanos)),
            Self::Uuid(bytes) => Self::Text(format_uuid(&bytes)),
            Self::TimestampTz(nanos) => Self::Text(format_timestamp_utc(nanos)),
            plain => plain,
        }
    }
}

/// Shortest decimal that reads back to the same `f64`.
pub(crate) fn format_real(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// `YYYY-MM-DD` (proleptic Gregorian) for a day count since 1970-01-01.
pub(crate) fn format_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    if (0..=9999).contains(&year) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:+05}-{month:02}-{day:02}")
    }
}

/// `HH:MM:SS` with a fraction only when it is not zero (trailing zeros cut).
pub(crate) fn format_time_of_day(nanos: u64) -> String {
    let seconds = nanos / 1_000_000_000;
    let fraction = nanos % 1_000_000_000;
    let (hours, minutes, seconds) = (seconds / 3600, (seconds / 60) % 60, seconds % 60);
    let mut out = format!("{hours:02}:{minutes:02}:{seconds:02}");
    if fraction != 0 {
        let digits = format!("{fraction:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SS[.f]+00:00` for nanoseconds since the epoch.
pub(crate) fn format_timestamp_utc(nanos: i64) -> String {
    let seconds = nanos.div_euclid(NANOS_PER_SECOND);
    let fraction = nanos.rem_euclid(NANOS_PER_SECOND);
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    // Both parts are non-negative and below a day, so the sum fits a u64.
    let time_nanos = second_of_day * NANOS_PER_SECOND + fraction;
    let time = format_time_of_day(time_nanos.unsigned_abs());
    format!("{}T{time}+00:00", format_date(days))
}

/// Lower-case 8-4-4-4-12 hex.
pub(crate) fn format_uuid(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day count.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // day is in 1..=31 and month in 1..=12 by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}
