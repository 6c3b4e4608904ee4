//! Tests of each table change: drop, alter, indexes, retention checks.

use kimberlite_protocol::Offset;

use crate::test_support::{column, plain_table, reject, run, sql, state_with_patients, TENANT};
use crate::{
    Command, Effect, HistoryRemoval, IndexDef, KernelError, State, TableAlteration, TableChange,
};

fn drop_table(table: &str) -> TableChange {
    TableChange::DropTable {
        table: table.to_owned(),
    }
}

fn drop_column(table: &str, column: &str) -> TableChange {
    TableChange::AlterTable {
        table: table.to_owned(),
        alteration: TableAlteration::DropColumn {
            column: column.to_owned(),
        },
    }
}

fn add_column(table: &str, name: &str) -> TableChange {
    TableChange::AlterTable {
        table: table.to_owned(),
        alteration: TableAlteration::AddColumn(column(name, true)),
    }
}

fn keep_history(state: &mut State, table: &str, min_history_ns: u64) {
    let command = Command::SetRetention {
        tenant_id: TENANT,
        table: table.to_owned(),
        min_history_ns,
        timestamp_ns: 0,
    };
    run(state, &command);
}

fn not_reached(table: &str, action: HistoryRemoval, from: u64, now: u64) -> KernelError {
    KernelError::RetentionNotReached {
        tenant_id: TENANT,
        table: table.to_owned(),
        action,
        removable_from_ns: from,
        timestamp_ns: now,
    }
}

#[test]
fn drop_table_removes_it() {
    let mut state = state_with_patients();
    let effects = run(&mut state, &sql(200, vec![drop_table("patients")]));
    assert_eq!(
        effects[1],
        Effect::TableDropped {
            tenant_id: TENANT,
            table: "patients".into()
        }
    );
    assert!(state.table(TENANT, "patients").is_none());
    assert_eq!(
        reject(&mut state, &sql(300, vec![drop_table("patients")])),
        KernelError::TableNotFound {
            tenant_id: TENANT,
            table: "patients".to_owned()
        }
    );
}

#[test]
fn retention_holds_a_table_until_its_newest_history_is_old_enough() {
    let mut state = state_with_patients(); // created at 100 ns
    keep_history(&mut state, "patients", 1_000);
    let rows = TableChange::RowChanges {
        table: "patients".into(),
        inserted: 1,
        updated: 0,
        deleted: 0,
    };
    run(&mut state, &sql(500, vec![rows])); // newest history now at 500 ns
    assert_eq!(
        reject(&mut state, &sql(1_499, vec![drop_table("patients")])),
        not_reached("patients", HistoryRemoval::DropTable, 1_500, 1_499)
    );
    run(&mut state, &sql(1_500, vec![drop_table("patients")]));
    assert!(state.table(TENANT, "patients").is_none());
}

#[test]
fn add_column_appends_it() {
    let mut state = state_with_patients();
    let effects = run(&mut state, &sql(200, vec![add_column("patients", "born")]));
    assert_eq!(
        effects[1],
        Effect::TableAltered {
            tenant_id: TENANT,
            table: "patients".into()
        }
    );
    let table = state.table(TENANT, "patients").expect("table");
    assert_eq!(
        table
            .schema()
            .columns
            .last()
            .map(|column| column.name.as_str()),
        Some("born")
    );
    assert_eq!((table.changed_at(), table.changed_ns()), (Offset(1), 200));
    assert_eq!(
        reject(&mut state, &sql(300, vec![add_column("patients", "born")])),
        KernelError::DuplicateColumn {
            table: "patients".into(),
            column: "born".into(),
            place: "columns".into()
        }
    );
}

#[test]
fn drop_column_removes_an_unused_column() {
    let mut state = state_with_patients();
    run(
        &mut state,
        &sql(
            200,
            vec![
                add_column("patients", "born"),
                drop_column("patients", "born"),
            ],
        ),
    );
    let table = state.table(TENANT, "patients").expect("table");
    assert!(table.schema().column("born").is_none());
    assert_eq!(
        reject(&mut state, &sql(300, vec![drop_column("patients", "born")])),
        KernelError::ColumnNotFound {
            table: "patients".into(),
            column: "born".into()
        }
    );
}

#[test]
fn drop_column_refuses_columns_in_use() {
    let mut state = state_with_patients();
    let in_use = |column: &str, used_by: &str| KernelError::ColumnInUse {
        table: "patients".into(),
        column: column.into(),
        used_by: used_by.into(),
    };
    assert_eq!(
        reject(&mut state, &sql(200, vec![drop_column("patients", "id")])),
        in_use("id", "the primary key")
    );
    assert_eq!(
        reject(&mut state, &sql(200, vec![drop_column("patients", "name")])),
        in_use("name", "constraint \"patients_name_key\"")
    );
    assert_eq!(
        reject(&mut state, &sql(200, vec![drop_column("patients", "ward")])),
        in_use("ward", "index \"patients_by_ward\"")
    );
}

#[test]
fn retention_holds_columns_too() {
    let mut state = state_with_patients();
    run(&mut state, &sql(200, vec![add_column("patients", "born")]));
    keep_history(&mut state, "patients", 50);
    assert_eq!(
        reject(&mut state, &sql(249, vec![drop_column("patients", "born")])),
        not_reached("patients", HistoryRemoval::DropColumn, 250, 249)
    );
    run(&mut state, &sql(250, vec![drop_column("patients", "born")]));
}

#[test]
fn indexes_are_created_and_dropped_by_name() {
    let mut state = state_with_patients();
    let index = IndexDef {
        name: "by_name".into(),
        columns: vec!["name".into()],
        unique: false,
    };
    let create = TableChange::CreateIndex {
        table: "patients".into(),
        index: index.clone(),
    };
    let effects = run(&mut state, &sql(200, vec![create]));
    let created = Effect::IndexCreated {
        tenant_id: TENANT,
        table: "patients".into(),
        index: "by_name".into(),
    };
    assert_eq!(effects[1], created);
    assert_eq!(
        state
            .table(TENANT, "patients")
            .and_then(|t| t.schema().index("by_name")),
        Some(&index)
    );

    let effects = run(
        &mut state,
        &sql(
            300,
            vec![TableChange::DropIndex {
                index: "by_name".into(),
            }],
        ),
    );
    let dropped = Effect::IndexDropped {
        tenant_id: TENANT,
        table: "patients".into(),
        index: "by_name".into(),
    };
    assert_eq!(effects[1], dropped);
    assert!(state
        .table(TENANT, "patients")
        .is_some_and(|t| t.schema().index("by_name").is_none()));
    assert_eq!(
        reject(
            &mut state,
            &sql(
                400,
                vec![TableChange::DropIndex {
                    index: "by_name".into()
                }]
            )
        ),
        KernelError::IndexNotFound {
            tenant_id: TENANT,
            index: "by_name".into()
        }
    );
}

#[test]
fn index_names_are_unique_across_the_tenant() {
    let mut state = state_with_patients();
    run(
        &mut state,
        &sql(
            200,
            vec![TableChange::CreateTable(plain_table("visits", &["ward"]))],
        ),
    );
    let index = IndexDef {
        name: "patients_by_ward".into(),
        columns: vec!["ward".into()],
        unique: false,
    };
    let create = TableChange::CreateIndex {
        table: "visits".into(),
        index,
    };
    assert_eq!(
        reject(&mut state, &sql(300, vec![create])),
        KernelError::IndexAlreadyExists {
            tenant_id: TENANT,
            index: "patients_by_ward".into()
        }
    );
}

#[test]
fn index_columns_must_exist_and_the_table_too() {
    let mut state = state_with_patients();
    let index = IndexDef {
        name: "by_x".into(),
        columns: vec!["x".into()],
        unique: false,
    };
    let on_patients = TableChange::CreateIndex {
        table: "patients".into(),
        index: index.clone(),
    };
    assert_eq!(
        reject(&mut state, &sql(200, vec![on_patients])),
        KernelError::ColumnNotFound {
            table: "patients".into(),
            column: "x".into()
        }
    );
    let on_nothing = TableChange::CreateIndex {
        table: "nothing".into(),
        index,
    };
    assert_eq!(
        reject(&mut state, &sql(200, vec![on_nothing])),
        KernelError::TableNotFound {
            tenant_id: TENANT,
            table: "nothing".into()
        }
    );
}

#[test]
fn altering_an_unknown_table_fails() {
    let mut state = state_with_patients();
    assert_eq!(
        reject(&mut state, &sql(200, vec![add_column("nothing", "a")])),
        KernelError::TableNotFound {
            tenant_id: TENANT,
            table: "nothing".into()
        }
    );
}

fn rename_column(table: &str, from: &str, to: &str) -> TableChange {
    TableChange::AlterTable {
        table: table.to_owned(),
        alteration: TableAlteration::RenameColumn {
            from: from.to_owned(),
            to: to.to_owned(),
        },
    }
}

#[test]
fn rename_column_renames_it_in_keys_and_rejects_clashes() {
    let mut state = state_with_patients();
    run(
        &mut state,
        &sql(200, vec![add_column("patients", "nickname")]),
    );
    run(
        &mut state,
        &sql(210, vec![rename_column("patients", "nickname", "alias")]),
    );
    let schema = state
        .table(TENANT, "patients")
        .map(|table| table.schema().clone());
    let schema = schema.unwrap();
    assert!(schema.column("alias").is_some());
    assert!(schema.column("nickname").is_none());

    let missing = reject(
        &mut state,
        &sql(220, vec![rename_column("patients", "nope", "x")]),
    );
    assert!(
        matches!(missing, KernelError::ColumnNotFound { .. }),
        "{missing:?}"
    );
    let clash = reject(
        &mut state,
        &sql(230, vec![rename_column("patients", "alias", "alias")]),
    );
    assert!(
        matches!(clash, KernelError::DuplicateColumn { .. }),
        "{clash:?}"
    );
}
