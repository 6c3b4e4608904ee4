//! Scenarios in Rust: the seed example with real AS OF TIMESTAMP text,
//! QueryAt, rebuild from the log, values for plain and opted-in clients,
//! concurrent writers on one tenant.

use std::sync::Arc;

use kimberlite_protocol::{ErrorCode, TenantId, Value};
use kimberlite_sql::{AuditInfo, QueryOutput, SqlContext, SqlEngine};

use crate::harness::{parse_rfc3339, Node};

fn written(output: QueryOutput) -> (u64, u64) {
    match output {
        QueryOutput::Written {
            rows_affected,
            log_offset,
        } => (rows_affected, log_offset),
        QueryOutput::Rows { .. } => panic!("expected a write"),
    }
}

#[test]
fn seed_example_time_travels_by_timestamp_and_position() {
    let node = Node::new();
    node.clock.set(parse_rfc3339("2026-03-01T10:00:00Z"));
    let (_, created_at) = written(
        node.run("CREATE TABLE patients (id INTEGER, name TEXT)", &[])
            .unwrap(),
    );
    node.clock.set(parse_rfc3339("2026-03-01T11:00:00Z"));
    let (count, inserted_at) = written(
        node.run("INSERT INTO patients VALUES (1, 'Ada'), (2, 'Grace');", &[])
            .unwrap(),
    );
    assert_eq!((count, inserted_at), (2, created_at + 1));
    let both = vec![
        vec!["1".to_owned(), "Ada".to_owned()],
        vec!["2".to_owned(), "Grace".to_owned()],
    ];
    assert_eq!(node.rows("SELECT * FROM patients ORDER BY id"), both);
    // What existing clients send: the statement, then the clause.
    let before = "SELECT * FROM patients ORDER BY id AS OF TIMESTAMP '2026-03-01T10:30:00+00:00'";
    assert!(node.rows(before).is_empty());
    let after = "SELECT * FROM patients ORDER BY id AS OF TIMESTAMP '2026-03-01 11:00:00.000'";
    assert_eq!(node.rows(after), both);

    let context = SqlContext::default();
    let engine = node.engine();
    let at = |position| match engine
        .query_at(
            TenantId(1),
            "SELECT count(*) FROM patients",
            &[],
            position,
            &context,
        )
        .unwrap()
    {
        QueryOutput::Rows { rows, .. } => rows,
        QueryOutput::Written { .. } => panic!("a query wrote"),
    };
    assert_eq!(at(created_at), vec![vec![Value::BigInt(0)]]);
    assert_eq!(at(inserted_at), vec![vec![Value::BigInt(2)]]);
    let ahead = engine
        .query_at(TenantId(1), "SELECT 1", &[], inserted_at + 1, &context)
        .unwrap_err();
    assert_eq!(ahead.code(), ErrorCode::PositionAhead);
}

#[test]
fn rebuild_from_the_log_gives_identical_answers() {
    let node = Node::new();
    let statements = [
        "CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT NOT NULL, price DECIMAL(8,2))",
        "INSERT INTO items VALUES (1, 'pen', 1.5), (2, 'ink', 12), (3, 'pad', 3.25)",
        "UPDATE items SET price = price * 2 WHERE id >= 2",
        "DELETE FROM items WHERE id = 1",
        "ALTER TABLE items ADD COLUMN stock INTEGER DEFAULT 7",
        "ALTER TABLE items RENAME COLUMN label TO name",
        "INSERT INTO items (id, name) VALUES (2, 'ink2') ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        "CREATE TABLE gone (x INTEGER)",
        "INSERT INTO gone VALUES (1)",
        "DROP TABLE gone",
    ];
    for (step, statement) in statements.iter().enumerate() {
        node.clock
            .set(crate::harness::START_NS + step as u64 * 1_000_000_000);
        node.run(statement, &[]).unwrap();
    }
    let queries = [
        "SELECT * FROM items ORDER BY id",
        "HISTORY OF items",
        "SELECT position, statement, table_name, rows_affected, actor FROM kimberlite_audit",
        "SELECT * FROM items AT OFFSET 2 ORDER BY id",
        "SELECT * FROM items AT OFFSET 3 ORDER BY id",
        "SELECT * FROM gone AT OFFSET 8",
        "SELECT * FROM items AS OF TIMESTAMP '2026-01-01T00:00:02Z' ORDER BY id",
        "SHOW TABLES",
        "DESCRIBE items",
    ];
    let before: Vec<_> = queries.iter().map(|query| node.rows(query)).collect();
    assert_eq!(before[5], vec![vec!["1".to_owned()]]);
    node.rebuild();
    let after: Vec<_> = queries.iter().map(|query| node.rows(query)).collect();
    assert_eq!(before, after);
    assert!(std::fs::read_dir(node.sql_dir()).unwrap().count() > 0);
}

/// A cache that kept provisional commit times (its process stopped between
/// a commit and the times' arrival, as the mark in the file says) takes the
/// log's times when it is opened again.
#[test]
fn provisional_commit_times_left_in_the_cache_are_replaced_from_the_log() {
    let node = Node::new();
    node.run("CREATE TABLE t (id BIGINT)", &[]).unwrap();
    node.run("INSERT INTO t VALUES (1)", &[]).unwrap();
    node.run("INSERT INTO t VALUES (2)", &[]).unwrap();
    let query = "SELECT position, timestamp, statement FROM kimberlite_audit ORDER BY position";
    let logged = node.rows(query);
    let reopened = || {
        node.reopen(|directory| {
            let file = directory.join("tenant-1.sqlite");
            let connection = rusqlite::Connection::open(file).unwrap();
            connection
                .execute_batch(
                    "UPDATE kmb_audit SET timestamp = 1 WHERE position >= 1;
                     UPDATE kmb_meta SET value = 1 WHERE key = 'times_final_before';",
                )
                .unwrap();
        });
        node.rows(query)
    };
    assert_eq!(reopened(), logged);
    // The file now says its times are final, and they are.
    node.reopen(|_| {});
    assert_eq!(node.rows(query), logged);
}

#[test]
fn a_cache_sqlite_cannot_open_is_rebuilt_from_the_log() {
    let node = Node::new();
    node.run("CREATE TABLE notes (id BIGINT PRIMARY KEY, note TEXT)", &[])
        .unwrap();
    node.run("INSERT INTO notes VALUES (1, 'first'), (2, 'second')", &[])
        .unwrap();
    let before = node.rows("SELECT * FROM notes ORDER BY id");
    // Close the engine that holds the file, then garble the SQLite header.
    *node.sql.lock().unwrap() =
        Arc::new(SqlEngine::open(node.engine.clone(), node.dir.path().join("other")).unwrap());
    let cache = node.sql_dir().join("tenant-1.sqlite");
    let mut bytes = std::fs::read(&cache).unwrap();
    bytes.iter_mut().take(100).for_each(|byte| *byte ^= 0x5A);
    std::fs::write(&cache, bytes).unwrap();
    for suffix in ["-wal", "-shm"] {
        let mut side = cache.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    *node.sql.lock().unwrap() =
        Arc::new(SqlEngine::open(node.engine.clone(), node.sql_dir()).unwrap());
    assert_eq!(node.rows("SELECT * FROM notes ORDER BY id"), before);
    assert_eq!(before.len(), 2);
}

#[test]
fn values_are_plain_for_v5_clients_and_typed_for_opted_in_ones() {
    let node = Node::new();
    node.run(
        "CREATE TABLE v (r DOUBLE, d DECIMAL(10,3), day DATE, t TIME, ts TIMESTAMP, \
         tz TIMESTAMPTZ, b BYTES, u UUID, j JSON, flag BOOLEAN, n SMALLINT)",
        &[],
    )
    .unwrap();
    node.run(
        "INSERT INTO v VALUES (0.1, '12.5', '2026-02-03', '04:05:06.5', '2026-01-01 00:00:01', \
         '2026-01-01T01:00:00+01:00', x'01ff', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', \
         '{\"a\": 1}', true, 7)",
        &[],
    )
    .unwrap();
    let engine = node.engine();
    let fetch = |extended_values| match engine
        .execute(
            TenantId(1),
            "SELECT * FROM v",
            &[],
            &SqlContext {
                audit: AuditInfo::default(),
                extended_values,
            },
        )
        .unwrap()
    {
        QueryOutput::Rows { rows, .. } => rows.into_iter().next().unwrap(),
        QueryOutput::Written { .. } => panic!("a query wrote"),
    };
    let plain = fetch(false);
    assert_eq!(
        plain,
        vec![
            Value::Text("0.1".into()),
            Value::Text("12.500".into()),
            Value::Text("2026-02-03".into()),
            Value::Text("04:05:06.5".into()),
            Value::Timestamp(1_767_225_601_000_000_000),
            Value::Text("2026-01-01T00:00:00+00:00".into()),
            Value::Text("Af8=".into()),
            Value::Text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".into()),
            Value::Text("{\"a\": 1}".into()),
            Value::Boolean(true),
            Value::BigInt(7),
        ]
    );
    let typed = fetch(true);
    assert_eq!(typed[0], Value::Real(0.1));
    assert_eq!(typed[1], Value::Decimal("12.500".into()));
    assert_eq!(typed[2], Value::Date(20_487));
    assert_eq!(typed[3], Value::Time(14_706_500_000_000));
    assert_eq!(typed[5], Value::TimestampTz(1_767_225_600_000_000_000));
    assert_eq!(typed[6], Value::Bytes(vec![1, 255]));
    assert!(matches!(typed[7], Value::Uuid(bytes) if bytes[0] == 0xa0));
    assert!(typed
        .iter()
        .all(|value| !value.clone().into_plain().is_extension()));
}

#[test]
fn parameters_bind_by_number_and_tenants_do_not_see_each_other() {
    let node = Node::new();
    node.run("CREATE TABLE notes (id INTEGER, body TEXT)", &[])
        .unwrap();
    node.run(
        "INSERT INTO notes VALUES ($2, $1)",
        &[Value::Text("hello".into()), Value::BigInt(5)],
    )
    .unwrap();
    assert_eq!(
        node.rows("SELECT id, body FROM notes"),
        vec![vec!["5".to_owned(), "hello".to_owned()]]
    );
    let other = node
        .engine()
        .execute(
            TenantId(2),
            "SELECT * FROM notes",
            &[],
            &SqlContext::default(),
        )
        .unwrap_err();
    assert_eq!(other.code(), ErrorCode::TableNotFound);
    let missing = node
        .run("SELECT * FROM notes WHERE id = $3", &[Value::BigInt(1)])
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::InvalidRequest);
    let unknown_tenant = node
        .engine()
        .execute(TenantId(9), "SELECT 1", &[], &SqlContext::default())
        .unwrap_err();
    assert_eq!(unknown_tenant.code(), ErrorCode::TenantNotFound);
}

/// Statements of many threads on one tenant share group commits: each gets
/// its own position, readers never see a record before it is durable, and
/// the commit times the views show are the log's (a rebuild agrees).
#[test]
fn concurrent_writers_get_distinct_positions_and_the_logs_commit_times() {
    let node = Arc::new(Node::new());
    node.run("CREATE TABLE hits (id BIGINT PRIMARY KEY, n INTEGER)", &[])
        .unwrap();
    let threads: Vec<_> = (0..8_i64)
        .map(|thread| {
            let node = node.clone();
            std::thread::spawn(move || {
                let mut positions = Vec::new();
                for n in 0..15_i64 {
                    let params = [Value::BigInt(thread * 100 + n), Value::BigInt(n)];
                    let written = node
                        .run("INSERT INTO hits VALUES ($1, $2)", &params)
                        .unwrap();
                    let QueryOutput::Written { log_offset, .. } = written else {
                        panic!("expected a write, got {written:?}");
                    };
                    positions.push(log_offset);
                    // What this writer was told is there must be readable.
                    let seen = node.rows(&format!(
                        "SELECT count(*) FROM hits AT OFFSET {log_offset} WHERE id = {}",
                        thread * 100 + n
                    ));
                    assert_eq!(seen, [["1"]]);
                }
                positions
            })
        })
        .collect();
    let mut positions: Vec<u64> = threads
        .into_iter()
        .flat_map(|thread| thread.join().unwrap())
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, (1..=120).collect::<Vec<u64>>());
    let queries = [
        "SELECT count(*), sum(n) FROM hits",
        "SELECT position, timestamp, statement, rows_affected FROM kimberlite_audit",
        "HISTORY OF hits",
    ];
    let before: Vec<_> = queries.iter().map(|query| node.rows(query)).collect();
    assert_eq!(before[0], [["120", "840"]]);
    node.rebuild();
    let after: Vec<_> = queries.iter().map(|query| node.rows(query)).collect();
    assert_eq!(before, after);
}

#[test]
fn only_reads_tells_statements_that_never_write() {
    let node = Node::new();
    node.run("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)", &[])
        .unwrap();
    let engine = node.engine();
    for read in [
        "SELECT * FROM notes",
        "SELECT * FROM notes AS OF TIMESTAMP '2026-03-01T10:00:00Z'",
        "EXPLAIN SELECT * FROM notes",
        "SHOW TABLES",
        "DESCRIBE notes",
        "HISTORY OF notes",
    ] {
        assert!(engine.only_reads(read), "{read} should only read");
    }
    for other in [
        "INSERT INTO notes VALUES (1, 'a')",
        "UPDATE notes SET body = 'b'",
        "DELETE FROM notes",
        "CREATE TABLE more (id BIGINT)",
        "DROP TABLE notes",
        "ALTER TABLE notes SET RETENTION 7 YEARS",
        "SELEKT 1",
    ] {
        assert!(!engine.only_reads(other), "{other} is not only a read");
    }
}

#[test]
fn the_same_query_text_follows_schema_changes() {
    // Rewritten queries are kept by their text: a change of the tables must
    // not leave a query reading the old shape or the old table.
    let node = Node::new();
    node.run("CREATE TABLE wards (id BIGINT PRIMARY KEY, name TEXT)", &[])
        .unwrap();
    node.run("INSERT INTO wards VALUES (1, 'east')", &[])
        .unwrap();
    let engine = node.engine();
    let all = "SELECT * FROM wards ORDER BY id";
    let at = |position| match engine
        .query_at(TenantId(1), all, &[], position, &SqlContext::default())
        .unwrap()
    {
        QueryOutput::Rows { rows, .. } => crate::harness::text_rows(&rows),
        QueryOutput::Written { .. } => panic!("a query wrote"),
    };
    for _ in 0..2 {
        assert_eq!(node.rows(all), [["1", "east"]]);
        assert_eq!(at(1), [["1", "east"]]);
    }
    node.run("ALTER TABLE wards ADD COLUMN beds INTEGER DEFAULT 4", &[])
        .unwrap();
    assert_eq!(node.rows(all), [["1", "east", "4"]]);
    // A past position reads the entry's latest columns (docs/sql.md).
    assert_eq!(at(1), [["1", "east", "4"]]);
    node.run("DROP TABLE wards", &[]).unwrap();
    assert!(
        node.run(all, &[]).is_err(),
        "a dropped table was still read"
    );
    node.run(
        "CREATE TABLE wards (id BIGINT PRIMARY KEY, floor INTEGER)",
        &[],
    )
    .unwrap();
    node.run("INSERT INTO wards VALUES (7, 3)", &[]).unwrap();
    assert_eq!(node.rows(all), [["7", "3"]]);
    // The same text at a past position reads the table live then.
    assert_eq!(at(1), [["1", "east", "4"]]);
    assert_eq!(at(5), [["7", "3"]]);
}

#[test]
fn a_time_after_the_last_record_keeps_seeing_later_records_until_one_passes_it() {
    let node = Node::new();
    node.clock.set(parse_rfc3339("2026-03-01T10:00:00Z"));
    node.run("CREATE TABLE beds (id BIGINT PRIMARY KEY)", &[])
        .unwrap();
    node.clock.set(parse_rfc3339("2026-03-01T11:00:00Z"));
    node.run("INSERT INTO beds VALUES (1)", &[]).unwrap();
    let count_at = |time: &str| {
        node.rows(&format!(
            "SELECT count(*) FROM beds AS OF TIMESTAMP '{time}'"
        ))[0][0]
            .clone()
    };
    // 14:00 is after the last record: the answer may still change.
    assert_eq!(count_at("2026-03-01T14:00:00Z"), "1");
    assert_eq!(count_at("2026-03-01T10:30:00Z"), "0");
    node.clock.set(parse_rfc3339("2026-03-01T13:00:00Z"));
    node.run("INSERT INTO beds VALUES (2)", &[]).unwrap();
    assert_eq!(count_at("2026-03-01T14:00:00Z"), "2");
    assert_eq!(count_at("2026-03-01T12:00:00Z"), "1");
    node.clock.set(parse_rfc3339("2026-03-01T15:00:00Z"));
    node.run("INSERT INTO beds VALUES (3)", &[]).unwrap();
    // Now settled: a record after 14:00 exists.
    for _ in 0..2 {
        assert_eq!(count_at("2026-03-01T14:00:00Z"), "2");
        assert_eq!(count_at("2026-03-01T10:30:00Z"), "0");
        assert_eq!(count_at("2026-03-01T16:00:00Z"), "3");
    }
}
