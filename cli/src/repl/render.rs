//! Printing query results as tables.

use comfy_table::Table;
use kimberlite::{QueryResult, Value};

/// A cell as text: integers and text as they are, NULL as `NULL`, bytes as
/// `\x` and hex, dates and timestamps in ISO 8601 (UTC), UUIDs hyphenated.
#[must_use]
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::BigInt(number) => number.to_string(),
        Value::Text(text) | Value::Decimal(text) | Value::Json(text) => text.clone(),
        Value::Boolean(flag) => flag.to_string(),
        Value::Timestamp(ns) => timestamp(*ns, " ", ""),
        Value::TimestampTz(ns) => timestamp(*ns, "T", "Z"),
        Value::Real(number) => number.to_string(),
        Value::Bytes(bytes) => format!("\\x{}", hex::encode(bytes)),
        Value::Date(days) => date(i64::from(*days)),
        Value::Time(ns) => time_of_day(*ns),
        Value::Uuid(bytes) => {
            let hex = hex::encode(bytes);
            format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            )
        }
    }
}

/// The text printed for a result: a change summary or a table and a count.
#[must_use]
pub fn result(result: &QueryResult) -> String {
    if let ([affected, position], [row]) = (result.columns.as_slice(), result.rows.as_slice()) {
        if affected == "rows_affected" && position == "log_offset" && row.len() == 2 {
            return format!(
                "OK, {} rows affected (log offset {})",
                cell(&row[0]),
                cell(&row[1])
            );
        }
    }
    let mut table = Table::new();
    table.set_header(result.columns.clone());
    for row in &result.rows {
        table.add_row(row.iter().map(cell).collect::<Vec<_>>());
    }
    let count = result.rows.len();
    let noun = if count == 1 { "row" } else { "rows" };
    format!("{table}\n({count} {noun})")
}

const NS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// `YYYY-MM-DD` of a day count since 1970-01-01 (proleptic Gregorian).
fn date(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `HH:MM:SS.fffffffff` of nanoseconds since midnight.
fn time_of_day(ns: u64) -> String {
    let seconds = ns / 1_000_000_000;
    let fraction = ns % 1_000_000_000;
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}.{fraction:09}")
}

/// ISO 8601 of nanoseconds since the Unix epoch, in UTC.
fn timestamp(ns: i64, separator: &str, zone: &str) -> String {
    let seconds = ns.div_euclid(NS_PER_SECOND);
    let fraction = ns.rem_euclid(NS_PER_SECOND).unsigned_abs();
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let within = seconds.rem_euclid(SECONDS_PER_DAY).unsigned_abs();
    let time = time_of_day(within * 1_000_000_000 + fraction);
    format!("{}{separator}{time}{zone}", date(days))
}
