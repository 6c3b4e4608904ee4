//! The views' open transaction: what a commit keeps, what a drop or a failed
//! record loses, and that the store's memory always matches its file.

use kimberlite_kernel::{ColumnDef, ColumnType, TableChange, TableSchema};

use super::{LoggedRecord, TenantStore};
use crate::audit::AuditInfo;
use crate::cell::Cell;
use crate::record::{RowOp, SqlRecord};

fn create(position: u64) -> LoggedRecord {
    let schema = TableSchema {
        name: "t".to_owned(),
        columns: vec![ColumnDef {
            name: "id".to_owned(),
            column_type: ColumnType::BigInt,
            nullable: false,
            default: None,
        }],
        primary_key: vec!["id".to_owned()],
        unique_constraints: Vec::new(),
        indexes: Vec::new(),
    };
    logged(position, vec![TableChange::CreateTable(schema)], Vec::new())
}

fn insert(position: u64, table: &str, id: i64) -> LoggedRecord {
    let op = RowOp::Insert {
        table: table.to_owned(),
        columns: vec!["id".to_owned()],
        rows: vec![(id, vec![Cell::Integer(id)])],
    };
    logged(position, Vec::new(), vec![op])
}

fn logged(position: u64, table_changes: Vec<TableChange>, row_ops: Vec<RowOp>) -> LoggedRecord {
    LoggedRecord {
        position,
        timestamp_ns: 1,
        table_changes,
        record: SqlRecord {
            audit: AuditInfo::default(),
            statement: "TEST".to_owned(),
            table: Some("t".to_owned()),
            rows_affected: 0,
            row_ops,
        },
    }
}

fn count(store: &TenantStore, sql: &str) -> i64 {
    store.writer().query_row(sql, [], |row| row.get(0)).unwrap()
}

#[test]
fn applied_records_reach_the_file_only_when_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("views.sqlite");
    let mut store = TenantStore::open(&path).unwrap();
    store.apply(&[create(0), insert(1, "t", 1)]).unwrap();
    store.commit().unwrap();
    store.apply(&[insert(2, "t", 2)]).unwrap();
    assert_eq!(store.next_position(), 3);
    drop(store); // the open transaction is lost, as in a crash

    let mut store = TenantStore::open(&path).unwrap();
    assert_eq!(store.next_position(), 2, "the last commit, behind the log");
    assert_eq!(count(&store, "SELECT count(*) FROM kmb_t1"), 1);
    store.apply(&[insert(2, "t", 2)]).unwrap();
    store.prepare_for_read().unwrap();
    let seen: i64 = store
        .reader()
        .query_row("SELECT count(*) FROM kmb_t1", [], |row| row.get(0))
        .unwrap();
    assert_eq!(seen, 2, "the read-only connection sees what was committed");
}

#[test]
fn a_record_that_fails_rolls_the_store_back_to_its_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = TenantStore::open(&dir.path().join("views.sqlite")).unwrap();
    store.apply(&[create(0)]).unwrap();
    store.commit().unwrap();
    store.apply(&[insert(1, "t", 1)]).unwrap();
    store.note_commit_times(vec![(0, 77)]);
    let failed = store.apply(&[insert(2, "missing", 2)]);
    assert!(failed.is_err());
    assert_eq!(store.next_position(), 1);
    let table = store.table("t").unwrap().clone();
    assert_eq!(
        store.next_row_id(&table).unwrap(),
        1,
        "row 1 was rolled back"
    );
    assert_eq!(count(&store, "SELECT count(*) FROM kmb_t1"), 0);

    // Replaying from the last commit works, and the commit time of a
    // committed record, learnt before the failure, is still written.
    store
        .apply(&[insert(1, "t", 1), insert(2, "t", 2)])
        .unwrap();
    assert_eq!(store.next_row_id(&table).unwrap(), 3);
    store.prepare_for_read().unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM kmb_t1"), 2);
    let time = count(&store, "SELECT timestamp FROM kmb_audit WHERE position = 0");
    assert_eq!(time, 77);
}

#[test]
fn the_file_marks_where_provisional_commit_times_begin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("views.sqlite");
    let mut store = TenantStore::open(&path).unwrap();
    store.apply(&[create(0), insert(1, "t", 1)]).unwrap();
    store.mark_provisional(1);
    store.commit().unwrap();
    drop(store);

    let mut store = TenantStore::open(&path).unwrap();
    assert_eq!(store.provisional_from(), Some(1));
    store.note_commit_times(vec![(1, 99)]);
    store.prepare_for_read().unwrap();
    assert_eq!(store.provisional_from(), None);
    drop(store);

    let store = TenantStore::open(&path).unwrap();
    assert_eq!(store.provisional_from(), None);
    let time = count(&store, "SELECT timestamp FROM kmb_audit WHERE position = 1");
    assert_eq!(time, 99);
}

fn reader_count(store: &TenantStore) -> i64 {
    store
        .reader()
        .query_row("SELECT count(*) FROM kmb_t1", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn the_readers_open_transaction_sees_every_commit_and_never_holds_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("views.sqlite");
    let mut store = TenantStore::open(&path).unwrap();
    store.apply(&[create(0)]).unwrap();
    store.prepare_for_read().unwrap();
    assert_eq!(reader_count(&store), 0);
    for (position, round) in (1..).zip(0..3_000_i64) {
        store.apply(&[insert(position, "t", round + 1)]).unwrap();
        if round % 500 == 0 {
            // A read, then a commit of the writer: the next read sees it.
            store.prepare_for_read().unwrap();
            assert_eq!(reader_count(&store), round + 1);
            assert_eq!(reader_count(&store), round + 1);
        } else {
            store.commit().unwrap();
        }
    }
    store.prepare_for_read().unwrap();
    assert_eq!(reader_count(&store), 3_000);
    // Had the reader kept its snapshot across the writer's commits, SQLite
    // could not have checkpointed and reused the WAL: 3 000 commits of a few
    // pages each would have grown it far past its checkpoint size (~4 MiB).
    let wal = std::fs::metadata(dir.path().join("views.sqlite-wal")).unwrap();
    assert!(wal.len() < 8 << 20, "WAL grew to {} bytes", wal.len());
}

#[test]
fn rewritten_texts_are_kept_until_a_record_is_applied_and_long_ones_never() {
    use crate::rewrite::Visibility;
    let dir = tempfile::tempdir().unwrap();
    let mut store = TenantStore::open(&dir.path().join("views.sqlite")).unwrap();
    let mut made = 0;
    let mut ask = |store: &mut TenantStore, sql: &str| {
        let text = store
            .rewritten(sql, Visibility::Current, |_| {
                made += 1;
                Ok(format!("rewritten {made}"))
            })
            .unwrap();
        text.to_string()
    };
    assert_eq!(ask(&mut store, "SELECT 1"), "rewritten 1");
    assert_eq!(ask(&mut store, "SELECT 1"), "rewritten 1", "kept");
    store.apply(&[create(0)]).unwrap();
    assert_eq!(
        ask(&mut store, "SELECT 1"),
        "rewritten 2",
        "dropped by apply"
    );
    let long = format!("SELECT 1 -- {}", "x".repeat(4096));
    assert_eq!(ask(&mut store, &long), "rewritten 3");
    assert_eq!(
        ask(&mut store, &long),
        "rewritten 4",
        "a long text is not kept"
    );
}
