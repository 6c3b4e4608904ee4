//! Builders shared by the unit tests: states with tenants, streams and tables.

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};

use crate::schema::{ColumnDef, ColumnType, IndexDef, TableSchema, UniqueConstraint};
use crate::{apply, apply_in_place, Command, Effect, KernelError, State, TableChange};

/// The tenant most tests use.
pub(crate) const TENANT: TenantId = TenantId(7);

/// Applies `command` in place, panicking with the error if it is rejected.
pub(crate) fn run(state: &mut State, command: &Command) -> Vec<Effect> {
    match apply_in_place(state, command) {
        Ok(effects) => effects,
        Err(error) => panic!("{command:?} was rejected: {error}"),
    }
}

/// Applies `command`, which must be rejected, and checks that both forms
/// reject it the same way and leave the state untouched.
pub(crate) fn reject(state: &mut State, command: &Command) -> KernelError {
    let before = state.clone();
    let pure = apply(state, command).expect_err("the pure form accepted the command");
    let in_place = apply_in_place(state, command).expect_err("the in-place form accepted it");
    assert_eq!(pure, in_place);
    assert_eq!(*state, before, "a rejected command changed the state");
    in_place
}

/// A state holding tenant [`TENANT`], created at 1 ns.
pub(crate) fn state_with_tenant() -> State {
    let mut state = State::default();
    run(&mut state, &create_tenant(TENANT, 1));
    state
}

/// `CreateTenant` named after its id.
pub(crate) fn create_tenant(tenant_id: TenantId, timestamp_ns: u64) -> Command {
    Command::CreateTenant {
        tenant_id,
        name: format!("tenant-{tenant_id}"),
        timestamp_ns,
    }
}

/// `CreateStream` of a public, global stream in [`TENANT`].
pub(crate) fn create_stream(name: &str, timestamp_ns: u64) -> Command {
    Command::CreateStream {
        tenant_id: TENANT,
        name: name.to_owned(),
        data_class: DataClass::Public,
        placement: Placement::Global,
        timestamp_ns,
    }
}

/// `AppendEvents` to a stream of [`TENANT`].
pub(crate) fn append(stream_id: u64, expected: u64, count: u32, timestamp_ns: u64) -> Command {
    Command::AppendEvents {
        tenant_id: TENANT,
        stream_id: StreamId(stream_id),
        expected_offset: Offset(expected),
        count,
        timestamp_ns,
    }
}

/// `RecordSqlEffect` for [`TENANT`].
pub(crate) fn sql(timestamp_ns: u64, table_changes: Vec<TableChange>) -> Command {
    Command::RecordSqlEffect {
        tenant_id: TENANT,
        timestamp_ns,
        table_changes,
    }
}

/// A column of type `BIGINT`.
pub(crate) fn column(name: &str, nullable: bool) -> ColumnDef {
    ColumnDef {
        name: name.to_owned(),
        column_type: ColumnType::BigInt,
        nullable,
        default: None,
    }
}

/// `patients (id BIGINT NOT NULL PRIMARY KEY, name TEXT, ward BIGINT)` with a
/// unique constraint on `name` and an index `patients_by_ward`.
pub(crate) fn patients() -> TableSchema {
    TableSchema {
        name: "patients".to_owned(),
        columns: vec![
            column("id", false),
            ColumnDef {
                name: "name".to_owned(),
                column_type: ColumnType::Text,
                nullable: true,
                default: Some("'unknown'".to_owned()),
            },
            column("ward", true),
        ],
        primary_key: vec!["id".to_owned()],
        unique_constraints: vec![UniqueConstraint {
            name: "patients_name_key".to_owned(),
            columns: vec!["name".to_owned()],
        }],
        indexes: vec![IndexDef {
            name: "patients_by_ward".to_owned(),
            columns: vec!["ward".to_owned()],
            unique: false,
        }],
    }
}

/// A table without keys, constraints or indexes.
pub(crate) fn plain_table(name: &str, columns: &[&str]) -> TableSchema {
    TableSchema {
        name: name.to_owned(),
        columns: columns.iter().map(|name| column(name, true)).collect(),
        primary_key: Vec::new(),
        unique_constraints: Vec::new(),
        indexes: Vec::new(),
    }
}

/// A state with [`TENANT`] and its table `patients` created at 100 ns.
pub(crate) fn state_with_patients() -> State {
    let mut state = state_with_tenant();
    run(
        &mut state,
        &sql(100, vec![TableChange::CreateTable(patients())]),
    );
    state
}
