//! Tests of `RecordSqlEffect`: the SQL log record and atomic catalog changes.

use kimberlite_protocol::{Offset, StreamId};

use crate::test_support::{
    patients, plain_table, reject, run, sql, state_with_patients, state_with_tenant, TENANT,
};
use crate::{Effect, IndexDef, KernelError, State, TableChange, SQL_LOG_STREAM_ID};

fn sql_append(first_offset: u64, timestamp_ns: u64) -> Effect {
    Effect::Append {
        tenant_id: TENANT,
        stream_id: StreamId(0),
        first_offset: Offset(first_offset),
        count: 1,
        timestamp_ns,
    }
}

fn rows(table: &str) -> TableChange {
    TableChange::RowChanges {
        table: table.to_owned(),
        inserted: 2,
        updated: 0,
        deleted: 1,
    }
}

fn sql_log_length(state: &State) -> Option<u64> {
    state
        .stream(TENANT, SQL_LOG_STREAM_ID)
        .map(|log| log.length())
}

#[test]
fn every_statement_appends_one_record_to_the_sql_log() {
    let mut state = state_with_tenant();
    assert_eq!(run(&mut state, &sql(10, Vec::new())), [sql_append(0, 10)]);
    assert_eq!(run(&mut state, &sql(20, Vec::new())), [sql_append(1, 20)]);
    assert_eq!(sql_log_length(&state), Some(2));
}

#[test]
fn sql_log_commit_times_never_go_backwards() {
    let mut state = state_with_patients(); // statement at 100 ns
    assert_eq!(
        run(&mut state, &sql(30, vec![rows("patients")])),
        [sql_append(1, 100)]
    );
    let table = state.table(TENANT, "patients").expect("table");
    assert_eq!((table.changed_at(), table.changed_ns()), (Offset(1), 100));
}

#[test]
fn create_table_records_the_schema_and_its_position() {
    let mut state = state_with_tenant();
    run(&mut state, &sql(10, Vec::new()));
    let effects = run(
        &mut state,
        &sql(20, vec![TableChange::CreateTable(patients())]),
    );
    assert_eq!(
        effects,
        [
            sql_append(1, 20),
            Effect::TableCreated {
                tenant_id: TENANT,
                table: "patients".into()
            }
        ]
    );
    let table = state.table(TENANT, "patients").expect("table");
    assert_eq!(table.schema(), &patients());
    assert_eq!(
        (table.name(), table.created_at(), table.created_ns()),
        ("patients", Offset(1), 20)
    );
    assert_eq!(
        (table.changed_at(), table.changed_ns(), table.retention()),
        (Offset(1), 20, None)
    );
}

#[test]
fn row_changes_mark_their_tables_changed() {
    let mut state = state_with_patients();
    run(
        &mut state,
        &sql(
            150,
            vec![TableChange::CreateTable(plain_table("visits", &["at"]))],
        ),
    );
    assert_eq!(
        run(&mut state, &sql(200, vec![rows("patients")])),
        [sql_append(2, 200)]
    );
    let changed = |state: &State, name: &str| {
        state
            .table(TENANT, name)
            .map(|table| (table.changed_at(), table.changed_ns()))
    };
    assert_eq!(changed(&state, "patients"), Some((Offset(2), 200)));
    assert_eq!(changed(&state, "visits"), Some((Offset(1), 150)));
}

#[test]
fn row_changes_need_their_table() {
    let mut state = state_with_patients();
    let missing = KernelError::TableNotFound {
        tenant_id: TENANT,
        table: "visits".to_owned(),
    };
    assert_eq!(
        reject(
            &mut state,
            &sql(200, vec![rows("patients"), rows("visits")])
        ),
        missing
    );
    // The same through the path that copies the tables (a DDL change first).
    let index = IndexDef {
        name: "by_id".into(),
        columns: vec!["id".into()],
        unique: true,
    };
    let create_index = TableChange::CreateIndex {
        table: "patients".into(),
        index,
    };
    assert_eq!(
        reject(&mut state, &sql(200, vec![create_index, rows("visits")])),
        missing
    );
}

#[test]
fn a_statement_is_atomic() {
    let mut state = state_with_tenant();
    let first = TableChange::CreateTable(plain_table("a", &["x"]));
    let second = TableChange::CreateTable(plain_table("b", &["y"]));
    let failing = TableChange::CreateTable(plain_table("a", &["z"]));
    assert_eq!(
        reject(&mut state, &sql(10, vec![first, second, failing])),
        KernelError::TableAlreadyExists {
            tenant_id: TENANT,
            table: "a".to_owned()
        }
    );
    assert_eq!(state.tables(TENANT).count(), 0);
    assert_eq!(sql_log_length(&state), Some(0));
}

#[test]
fn later_changes_of_a_statement_see_earlier_ones() {
    let mut state = state_with_tenant();
    let index = IndexDef {
        name: "a_by_x".into(),
        columns: vec!["x".into()],
        unique: false,
    };
    let effects = run(
        &mut state,
        &sql(
            10,
            vec![
                TableChange::CreateTable(plain_table("a", &["x"])),
                TableChange::CreateIndex {
                    table: "a".into(),
                    index,
                },
                rows("a"),
            ],
        ),
    );
    assert_eq!(effects.len(), 3, "{effects:?}");
    assert!(state
        .table(TENANT, "a")
        .is_some_and(|table| table.schema().index("a_by_x").is_some()));
}

#[test]
fn sql_effects_need_a_tenant() {
    let mut state = State::default();
    assert_eq!(
        reject(&mut state, &sql(10, Vec::new())),
        KernelError::TenantNotFound { tenant_id: TENANT }
    );
}
