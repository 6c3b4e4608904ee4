//! Unit tests of value encoding and the plain (v5) forms of extension kinds.

use super::plain::{format_date, format_real, format_time_of_day, format_timestamp_utc};
use super::*;

fn encoded(value: &Value) -> Vec<u8> {
    postcard::to_allocvec(value).expect("encodes")
}

#[test]
fn v5_kinds_have_their_protocol_bytes() {
    assert_eq!(encoded(&Value::Null), [0x00]);
    assert_eq!(encoded(&Value::BigInt(-2)), [0x01, 0x03]);
    assert_eq!(encoded(&Value::Text("x".into())), [0x02, 0x01, b'x']);
    assert_eq!(encoded(&Value::Boolean(true)), [0x03, 0x01]);
    assert_eq!(encoded(&Value::Timestamp(-1)), [0x04, 0x01]);
}

#[test]
fn extension_kinds_start_at_64() {
    assert_eq!(
        encoded(&Value::Real(1.0)),
        [0x40, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]
    );
    assert_eq!(encoded(&Value::Bytes(vec![1, 2])), [0x41, 0x02, 1, 2]);
    assert_eq!(encoded(&Value::Date(-1)), [0x43, 0x01]);
    assert_eq!(encoded(&Value::Uuid([7; 16]))[1..], [7; 16]);
    assert!(Value::Json(String::new()).is_extension());
    assert!(!Value::Timestamp(0).is_extension());
}

#[test]
fn real_equality_is_bitwise() {
    assert_eq!(Value::Real(f64::NAN), Value::Real(f64::NAN));
    assert_ne!(Value::Real(0.0), Value::Real(-0.0));
    assert_ne!(Value::BigInt(1), Value::Timestamp(1));
}

#[test]
fn reals_print_as_shortest_round_trip_decimals() {
    for value in [0.1, 1.5, -2.0, 1e300, 5e-324, 123_456.789, f64::MAX] {
        let text = format_real(value);
        assert_eq!(text.parse::<f64>().expect(&text), value, "{text}");
    }
    assert_eq!(format_real(0.1), "0.1");
    assert_eq!(format_real(-2.0), "-2");
    assert_eq!(format_real(f64::INFINITY), "Infinity");
    assert_eq!(format_real(f64::NAN), "NaN");
}

#[test]
fn dates_and_times_are_iso_8601() {
    assert_eq!(format_date(0), "1970-01-01");
    assert_eq!(format_date(-1), "1969-12-31");
    assert_eq!(format_date(19_722), "2023-12-31");
    assert_eq!(format_date(11_016), "2000-02-29");
    assert_eq!(format_date(-719_529), "-0001-12-31");
    assert_eq!(format_time_of_day(0), "00:00:00");
    assert_eq!(format_time_of_day(45_296_500_000_000), "12:34:56.5");
    assert_eq!(
        format_timestamp_utc(-1),
        "1969-12-31T23:59:59.999999999+00:00"
    );
    assert_eq!(
        format_timestamp_utc(1_700_000_000_000_000_000),
        "2023-11-14T22:13:20+00:00"
    );
}

#[test]
fn into_plain_leaves_only_v5_kinds() {
    let uuid = [
        0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40,
        0x00,
    ];
    assert_eq!(
        Value::Uuid(uuid).into_plain(),
        Value::Text("123e4567-e89b-12d3-a456-426614174000".into())
    );
    assert_eq!(
        Value::Bytes(vec![0, 255]).into_plain(),
        Value::Text("AP8=".into())
    );
    assert_eq!(
        Value::Decimal("-12.50".into()).into_plain(),
        Value::Text("-12.50".into())
    );
    assert_eq!(Value::BigInt(3).into_plain(), Value::BigInt(3));
    assert_eq!(Value::Timestamp(3).into_plain(), Value::Timestamp(3));
}
