//! Timestamp, date and time parsing and formatting.

use super::*;

#[test]
fn timestamps_parse_in_both_forms_and_agree() {
    let rfc = parse_timestamp_ns("2026-03-01T10:30:00+00:00").unwrap();
    assert_eq!(rfc, 1_772_361_000_000_000_000);
    assert_eq!(parse_timestamp_ns("2026-03-01T10:30:00Z"), Some(rfc));
    assert_eq!(parse_timestamp_ns("2026-03-01 10:30:00"), Some(rfc));
    assert_eq!(
        parse_timestamp_ns("2026-03-01 10:30:00.250"),
        Some(rfc + 250_000_000)
    );
    assert_eq!(parse_timestamp_ns("2026-03-01T11:30:00+01:00"), Some(rfc));
    assert_eq!(
        parse_timestamp_ns("2026-03-01"),
        Some(rfc - 37_800_000_000_000)
    );
    for bad in [
        "",
        "yesterday",
        "2026-13-01 00:00:00",
        "2026-03-01 25:00:00",
        "2026-03-01 1:2:3.1234567891",
    ] {
        assert_eq!(parse_timestamp_ns(bad), None, "{bad}");
    }
}

#[test]
fn dates_and_times_round_trip_through_their_numbers() {
    let date = parse_date("2026-02-03").unwrap();
    assert_eq!(days_since_epoch(date), 20_487);
    assert_eq!(date_from_days(20_487), Some(date));
    assert_eq!(format_date(date), "2026-02-03");
    let time = parse_time("04:05:06.5").unwrap();
    assert_eq!(nanos_of_day(time), 14_706_500_000_000);
    assert_eq!(time_from_nanos(14_706_500_000_000), Some(time));
    assert_eq!(format_time(time), "04:05:06.5");
    assert_eq!(format_time(parse_time("23:59").unwrap()), "23:59:00");
    assert_eq!(parse_time("24:00:00"), None);
    assert_eq!(
        format_timestamp(1_772_361_000_000_000_000),
        "2026-03-01T10:30:00Z"
    );
}
