//! Dates and times as text: parsing what users write (RFC 3339 and
//! `YYYY-MM-DD HH:MM:SS[.fff]` in UTC) and the canonical forms stored.

#[cfg(test)]
mod tests;

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Nanoseconds since the Unix epoch of an RFC 3339 timestamp, or of
/// `YYYY-MM-DD[ T]HH:MM:SS[.fff]` / `YYYY-MM-DD` read as UTC.
pub fn parse_timestamp_ns(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(instant) = OffsetDateTime::parse(text, &Rfc3339) {
        return i64::try_from(instant.unix_timestamp_nanos()).ok();
    }
    let (date_part, time_part) = match text.find([' ', 'T']) {
        Some(split) => (&text[..split], Some(text[split + 1..].trim())),
        None => (text, None),
    };
    let date = parse_date(date_part)?;
    let time = match time_part {
        Some(time_text) => parse_time(time_text.trim_end_matches('Z'))?,
        None => Time::MIDNIGHT,
    };
    let instant = PrimitiveDateTime::new(date, time).assume_utc();
    i64::try_from(instant.unix_timestamp_nanos()).ok()
}

/// A `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// A `HH:MM[:SS[.fffffffff]]` time of day.
pub fn parse_time(text: &str) -> Option<Time> {
    let (main, fraction) = match text.split_once('.') {
        Some((main, fraction)) => (main, fraction),
        None => (text, ""),
    };
    let mut parts = main.split(':');
    let hour: u8 = parts.next()?.parse().ok()?;
    let minute: u8 = parts.next()?.parse().ok()?;
    let second: u8 = parts.next().map_or(Some(0), |part| part.parse().ok())?;
    if parts.next().is_some() || fraction.len() > 9 {
        return None;
    }
    if !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().ok()?
    };
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

/// Days since 1970-01-01.
pub fn days_since_epoch(date: Date) -> i32 {
    date.to_julian_day() - UNIX_EPOCH_JULIAN_DAY
}

/// The date `days` after 1970-01-01.
pub fn date_from_days(days: i32) -> Option<Date> {
    Date::from_julian_day(days.checked_add(UNIX_EPOCH_JULIAN_DAY)?).ok()
}

/// Nanoseconds since midnight.
pub fn nanos_of_day(time: Time) -> u64 {
    let (hour, minute, second, nano) = time.as_hms_nano();
    (u64::from(hour) * 3600 + u64::from(minute) * 60 + u64::from(second)) * 1_000_000_000
        + u64::from(nano)
}

/// `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `HH:MM:SS[.f]`, the fraction without trailing zeros.
pub fn format_time(time: Time) -> String {
    let (hour, minute, second, nano) = time.as_hms_nano();
    let mut out = format!("{hour:02}:{minute:02}:{second:02}");
    if nano != 0 {
        let digits = format!("{nano:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// The time of day `nanos` after midnight.
pub fn time_from_nanos(nanos: u64) -> Option<Time> {
    let seconds = nanos / 1_000_000_000;
    let nano = u32::try_from(nanos % 1_000_000_000).ok()?;
    let hour = u8::try_from(seconds / 3600).ok()?;
    let minute = u8::try_from((seconds / 60) % 60).ok()?;
    let second = u8::try_from(seconds % 60).ok()?;
    Time::from_hms_nano(hour, minute, second, nano).ok()
}

/// RFC 3339 text in UTC for `nanos` since the epoch, for messages.
pub fn format_timestamp(nanos: i64) -> String {
    let seconds = nanos.div_euclid(NANOS_PER_SECOND);
    let fraction = nanos.rem_euclid(NANOS_PER_SECOND);
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|instant| {
            instant
                .replace_nanosecond(u32::try_from(fraction).ok()?)
                .ok()
        })
        .and_then(|instant| instant.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{nanos} ns"))
}
