//! Values checked against column types.

use kimberlite_kernel::{ColumnDef, ColumnType};

use super::coerce;
use crate::cell::Cell;
use crate::error::SqlError;

fn column(column_type: ColumnType) -> ColumnDef {
    ColumnDef {
        name: "c".to_owned(),
        column_type,
        nullable: true,
        default: None,
    }
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

#[test]
fn decimals_keep_their_exact_digits_at_the_column_scale() {
    let decimal = column(ColumnType::Decimal {
        precision: 5,
        scale: 2,
    });
    let fits = |value: Cell| coerce(&decimal, value).unwrap();
    assert_eq!(fits(text("1.5")), text("1.50"));
    assert_eq!(fits(text("-0.00")), text("0.00"));
    assert_eq!(fits(Cell::Integer(-12)), text("-12.00"));
    assert_eq!(fits(text("+007.10")), text("7.10"));
    for bad in ["1.005", "1000", "abc", "", "."] {
        let error = coerce(&decimal, text(bad)).unwrap_err();
        assert!(
            matches!(error, SqlError::TypeMismatch { .. }),
            "{bad}: {error}"
        );
    }
}

#[test]
fn integers_are_range_checked_and_text_is_strict() {
    let small = column(ColumnType::SmallInt);
    assert_eq!(
        coerce(&small, Cell::Integer(-32_768)).unwrap(),
        Cell::Integer(-32_768)
    );
    assert!(coerce(&small, Cell::Integer(32_768)).is_err());
    assert_eq!(coerce(&small, Cell::Real(3.0)).unwrap(), Cell::Integer(3));
    assert!(coerce(&small, Cell::Real(3.5)).is_err());
    let text_column = column(ColumnType::Text);
    assert!(coerce(&text_column, Cell::Integer(1)).is_err());
    assert_eq!(coerce(&text_column, Cell::Null).unwrap(), Cell::Null);
}

#[test]
fn typed_text_is_stored_in_canonical_form() {
    let uuid = column(ColumnType::Uuid);
    assert_eq!(
        coerce(&uuid, text("A0EEBC999C0B4EF8BB6D6BB9BD380A11")).unwrap(),
        text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    );
    assert!(coerce(&uuid, text("a0ee")).is_err());
    let boolean = column(ColumnType::Boolean);
    assert_eq!(coerce(&boolean, text("TRUE")).unwrap(), Cell::Integer(1));
    assert!(coerce(&boolean, Cell::Integer(2)).is_err());
    let json = column(ColumnType::Json);
    assert!(coerce(&json, text("{\"a\": [1]}")).is_ok());
    assert!(coerce(&json, text("{a}")).is_err());
    let timestamp = column(ColumnType::Timestamp);
    assert_eq!(
        coerce(&timestamp, text("1970-01-01 00:00:01")).unwrap(),
        Cell::Integer(1_000_000_000)
    );
    let date = column(ColumnType::Date);
    assert_eq!(coerce(&date, text("2026-1-2")).unwrap(), text("2026-01-02"));
    assert!(coerce(&column(ColumnType::Bytes), text("00")).is_err());
}
