//! Our own statements and the time-travel clauses.

use super::*;

fn time_of(sql: &str) -> (String, Option<TimeTravel>) {
    match parse(sql).unwrap() {
        Parsed::Sql {
            statement, time, ..
        } => (statement.to_string(), time),
        other => panic!("{sql}: {other:?}"),
    }
}

#[test]
fn time_travel_clauses_are_taken_out_wherever_they_stand() {
    let trailing = time_of("SELECT * FROM t ORDER BY id AS OF TIMESTAMP '2026-03-01T10:00:00Z';");
    assert_eq!(trailing.0, "SELECT * FROM t ORDER BY id");
    assert_eq!(
        trailing.1,
        Some(TimeTravel::Timestamp(1_772_359_200_000_000_000))
    );
    let after_table =
        time_of("SELECT * FROM t AS OF TIMESTAMP '2026-03-01 10:00:00' AS x WHERE 1 = 1");
    assert_eq!(after_table.0, "SELECT * FROM t AS x WHERE 1 = 1");
    assert_eq!(after_table.1, trailing.1);
    let system_time = time_of("SELECT * FROM t FOR SYSTEM_TIME AS OF '2026-03-01T10:00:00Z'");
    assert_eq!(system_time.1, trailing.1);
    assert_eq!(
        time_of("SELECT 1 AT OFFSET 7").1,
        Some(TimeTravel::Offset(7))
    );
    assert_eq!(time_of("SELECT 'AS OF TIMESTAMP' AS x").1, None);
    assert!(matches!(
        parse("SELECT * FROM a AT OFFSET 1 JOIN b AT OFFSET 2 ON true"),
        Err(SqlError::Unsupported(_))
    ));
    assert!(matches!(
        parse("SELECT 1 AS OF TIMESTAMP 'noon'"),
        Err(SqlError::InvalidRequest(_))
    ));
}

#[test]
fn own_statements_parse_with_folded_names() {
    assert!(matches!(parse("show tables;").unwrap(), Parsed::ShowTables));
    assert!(
        matches!(parse("DESCRIBE Patients").unwrap(), Parsed::Describe(name) if name == "patients")
    );
    assert!(
        matches!(parse("HISTORY OF \"Mixed\"").unwrap(), Parsed::History(name) if name == "Mixed")
    );
    let retention = parse("ALTER TABLE t SET RETENTION 2 YEARS").unwrap();
    assert!(matches!(
        retention,
        Parsed::SetRetention { table, min_history_ns } if table == "t"
            && min_history_ns == 2 * 365 * 86_400 * 1_000_000_000
    ));
    assert!(parse("SHOW TABLES extra").is_err());
    assert!(parse("HISTORY OF").is_err());
}

#[test]
fn parse_errors_carry_line_and_column() {
    let error = parse("SELECT *\nFROM WHERE").unwrap_err();
    assert!(
        matches!(
            error,
            SqlError::Parse {
                line: 2,
                column: 6,
                ..
            }
        ),
        "{error:?}"
    );
    let unterminated = parse("SELECT 'x").unwrap_err();
    assert!(
        matches!(unterminated, SqlError::Parse { line: 1, .. }),
        "{unterminated:?}"
    );
}
