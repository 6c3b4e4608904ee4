//! Unit tests of the shell's input splitting and result rendering.

use kimberlite::{QueryResult, Value};

use super::input::{parse_line, split_statements, Input};
use super::render::{cell, result};

#[test]
fn statements_split_on_semicolons_outside_quotes_and_comments() {
    assert_eq!(split_statements("SELECT 1"), ["SELECT 1"]);
    assert_eq!(
        split_statements("SELECT 1; SELECT 2;"),
        ["SELECT 1", "SELECT 2"]
    );
    assert_eq!(
        split_statements("INSERT INTO t VALUES ('a;b'); SELECT \"x;y\""),
        ["INSERT INTO t VALUES ('a;b')", "SELECT \"x;y\""]
    );
    assert_eq!(split_statements("SELECT 1 -- a; comment"), ["SELECT 1"]);
    assert!(split_statements("  ;  ; ").is_empty());
}

#[test]
fn meta_commands_are_recognised() {
    assert_eq!(parse_line("\\q"), [Input::Quit]);
    assert_eq!(parse_line("  \\quit  "), [Input::Quit]);
    assert_eq!(parse_line("\\help"), [Input::Help]);
    assert_eq!(parse_line("\\tables"), [Input::Tables]);
    assert_eq!(parse_line("\\streams"), [Input::Streams]);
    assert_eq!(parse_line("\\nope"), [Input::Unknown("nope".into())]);
    assert_eq!(parse_line("SELECT 1;"), [Input::Sql("SELECT 1".into())]);
}

#[test]
fn cells_render_readably() {
    assert_eq!(cell(&Value::Null), "NULL");
    assert_eq!(cell(&Value::BigInt(-4)), "-4");
    assert_eq!(cell(&Value::Bytes(vec![0xAB, 1])), "\\xab01");
    assert_eq!(cell(&Value::Date(0)), "1970-01-01");
    assert_eq!(cell(&Value::Date(19_723)), "2024-01-01");
    assert_eq!(cell(&Value::Date(-1)), "1969-12-31");
    assert_eq!(
        cell(&Value::Timestamp(1_700_000_000_123_000_000)),
        "2023-11-14 22:13:20.123000000"
    );
    assert_eq!(
        cell(&Value::TimestampTz(-1)),
        "1969-12-31T23:59:59.999999999Z"
    );
    assert_eq!(
        cell(&Value::Uuid([0x11; 16])),
        "11111111-1111-1111-1111-111111111111"
    );
}

#[test]
fn results_render_as_tables_or_change_summaries() {
    let rows = QueryResult {
        columns: vec!["id".into(), "name".into()],
        rows: vec![vec![Value::BigInt(1), Value::Text("Alice".into())]],
    };
    let text = result(&rows);
    assert!(text.contains("Alice") && text.contains("name"), "{text}");
    assert!(text.ends_with("(1 row)"), "{text}");
    let change = QueryResult {
        columns: vec!["rows_affected".into(), "log_offset".into()],
        rows: vec![vec![Value::BigInt(2), Value::BigInt(9)]],
    };
    assert_eq!(result(&change), "OK, 2 rows affected (log offset 9)");
}
