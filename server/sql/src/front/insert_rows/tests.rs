//! Literal rows read from the tokens: the same cells SQLite reads from the
//! same text, the statement left for the parser, and what is left alone.

use kimberlite_protocol::Value as WireValue;

use crate::cell::Cell;
use crate::error::SqlError;
use crate::front::{parse, LiteralRows, Parsed};

/// The statement the parser saw and the rows read from the tokens.
fn split(sql: &str) -> (String, Option<LiteralRows>) {
    match parse(sql).unwrap() {
        Parsed::Sql {
            statement, rows, ..
        } => (statement.to_string(), rows),
        other => panic!("{sql}: {other:?}"),
    }
}

/// What SQLite itself reads from `VALUES <rows>`.
fn sqlite_cells(rows: &str) -> Vec<Vec<Cell>> {
    let connection = rusqlite::Connection::open_in_memory().unwrap();
    let mut statement = connection.prepare(&format!("VALUES {rows}")).unwrap();
    let width = statement.column_count();
    let mut cursor = statement.raw_query();
    let mut cells = Vec::new();
    while let Some(row) = cursor.next().unwrap() {
        cells.push(
            (0..width)
                .map(|index| Cell::from_sqlite(row.get_ref(index).unwrap()))
                .collect(),
        );
    }
    cells
}

#[test]
fn literals_read_as_sqlite_reads_them() {
    let rows = "(1, -1, 1.5, -1.5, 'it''s', TRUE, FALSE, NULL), \
                (9223372036854775807, -9223372036854775808, 007, 1., .5, - 3, '', 0)";
    let (statement, literal) = split(&format!("INSERT INTO t VALUES {rows}"));
    assert_eq!(
        statement,
        "INSERT INTO t VALUES (1, -1, 1.5, -1.5, 'it''s', true, false, NULL)"
    );
    let cells = literal.unwrap().cells(&[]).unwrap();
    assert_eq!(cells, sqlite_cells(&rows.replace("- 3", "-3")));
}

#[test]
fn parameters_bind_and_the_clauses_after_the_rows_stay() {
    let (statement, literal) = split(
        "insert into t (a, b) values ($2, 'x'),\n ($1, $2) ON CONFLICT (a) DO NOTHING RETURNING a",
    );
    assert_eq!(
        statement,
        "INSERT INTO t (a, b) VALUES ($2, 'x') ON CONFLICT(a) DO NOTHING RETURNING a"
    );
    let params = [WireValue::BigInt(7), WireValue::Text("y".into())];
    let cells = literal.as_ref().unwrap().cells(&params).unwrap();
    assert_eq!(
        cells,
        [
            vec![Cell::Text("y".into()), Cell::Text("x".into())],
            vec![Cell::Integer(7), Cell::Text("y".into())],
        ]
    );
    let missing = literal.unwrap().cells(&params[..1]).unwrap_err();
    assert!(
        matches!(&missing, SqlError::InvalidRequest(message)
            if message == "the statement uses parameter $2 but 1 were given"),
        "{missing:?}"
    );
}

#[test]
fn anything_but_plain_literals_is_left_to_the_parser() {
    for sql in [
        "INSERT INTO t VALUES (1), (1 + 1)",
        "INSERT INTO t VALUES (1), (abs(-1))",
        "INSERT INTO t VALUES (1e3)",
        "INSERT INTO t VALUES (0x10)",
        "INSERT INTO t VALUES (1_000)",
        "INSERT INTO t VALUES (99999999999999999999)",
        "INSERT INTO t VALUES ($0)",
        "INSERT INTO t VALUES (E'a')",
        "INSERT INTO t VALUES (DEFAULT)",
        "INSERT INTO t VALUES (-'1')",
        "INSERT INTO t VALUES ('1'::integer)",
        "INSERT INTO t DEFAULT VALUES",
        "INSERT INTO t SELECT * FROM (VALUES (1), (2)) AS v",
        "WITH v AS (SELECT 1) INSERT INTO t VALUES (1), (2)",
    ] {
        let (statement, literal) = split(sql);
        assert!(literal.is_none(), "{sql}: {literal:?}");
        assert!(statement.len() > 20, "{sql}: {statement}");
    }
}

#[test]
fn parse_errors_after_the_rows_keep_their_place() {
    let sql = "INSERT INTO t VALUES (1), (2),\n(3) ON CONFLICT DO SOMETHING";
    let error = parse(sql).unwrap_err();
    assert!(
        matches!(
            error,
            SqlError::Parse {
                line: 2,
                column: 20,
                ..
            }
        ),
        "{error:?}"
    );
}
