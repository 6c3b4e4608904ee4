//! Tests of the schema coherence checks.

use std::collections::BTreeMap;

use kimberlite_protocol::{Offset, TenantId};

use super::check_table_schema;
use crate::apply::table_changes::Tables;
use crate::test_support::{column, patients, plain_table, TENANT};
use crate::{IndexDef, KernelError, NameKind, Table, TableSchema, UniqueConstraint};

fn check(schema: &TableSchema) -> Result<(), KernelError> {
    check_table_schema(&Tables::new(), TENANT, schema)
}

fn patients_with(change: impl FnOnce(&mut TableSchema)) -> TableSchema {
    let mut schema = patients();
    change(&mut schema);
    schema
}

#[test]
fn coherent_schemas_pass() {
    assert_eq!(check(&patients()), Ok(()));
    // No primary key, no constraint, no column at all: all allowed.
    assert_eq!(check(&plain_table("log", &["line"])), Ok(()));
    assert_eq!(check(&plain_table("empty", &[])), Ok(()));
}

#[test]
fn table_and_column_names_are_checked() {
    assert_eq!(
        check(&plain_table("", &["a"])),
        Err(KernelError::EmptyName {
            kind: NameKind::Table
        })
    );
    assert_eq!(
        check(&plain_table("t", &["a\tb"])),
        Err(KernelError::NameHasControlCharacter {
            kind: NameKind::Column,
            name: "a\tb".into()
        })
    );
}

#[test]
fn column_names_are_distinct() {
    assert_eq!(
        check(&plain_table("t", &["a", "b", "a"])),
        Err(KernelError::DuplicateColumn {
            table: "t".into(),
            column: "a".into(),
            place: "columns".into()
        })
    );
}

#[test]
fn the_primary_key_names_distinct_not_null_columns() {
    assert_eq!(
        check(&patients_with(
            |schema| schema.primary_key = vec!["nope".into()]
        )),
        Err(KernelError::ColumnNotFound {
            table: "patients".into(),
            column: "nope".into()
        })
    );
    assert_eq!(
        check(&patients_with(
            |schema| schema.primary_key = vec!["id".into(), "id".into()]
        )),
        Err(KernelError::DuplicateColumn {
            table: "patients".into(),
            column: "id".into(),
            place: "the primary key".into()
        })
    );
    assert_eq!(
        check(&patients_with(
            |schema| schema.primary_key = vec!["ward".into()]
        )),
        Err(KernelError::NullablePrimaryKeyColumn {
            table: "patients".into(),
            column: "ward".into()
        })
    );
}

#[test]
fn unique_constraints_are_named_distinctly_and_name_columns() {
    let constraint = |name: &str, columns: &[&str]| UniqueConstraint {
        name: name.into(),
        columns: columns.iter().map(|column| (*column).to_owned()).collect(),
    };
    assert_eq!(
        check(&patients_with(|schema| {
            schema
                .unique_constraints
                .push(constraint("patients_name_key", &["ward"]));
        })),
        Err(KernelError::DuplicateConstraint {
            table: "patients".into(),
            constraint: "patients_name_key".into()
        })
    );
    assert_eq!(
        check(&patients_with(|schema| schema
            .unique_constraints
            .push(constraint("k", &[])))),
        Err(KernelError::EmptyColumnList {
            table: "patients".into(),
            place: "constraint \"k\"".into()
        })
    );
    assert_eq!(
        check(&patients_with(|schema| schema
            .unique_constraints
            .push(constraint("k", &["x"])))),
        Err(KernelError::ColumnNotFound {
            table: "patients".into(),
            column: "x".into()
        })
    );
}

#[test]
fn index_names_are_free_in_the_schema_and_the_tenant() {
    let twice = patients_with(|schema| {
        let first = schema.indexes[0].clone();
        schema.indexes.push(IndexDef {
            unique: true,
            ..first
        });
    });
    let taken = KernelError::IndexAlreadyExists {
        tenant_id: TENANT,
        index: "patients_by_ward".into(),
    };
    assert_eq!(check(&twice), Err(taken.clone()));

    let mut other = patients();
    other.name = "archive".into();
    let tables: Tables = BTreeMap::from([(
        "archive".to_owned(),
        Table {
            schema: other,
            created_at: Offset(0),
            created_ns: 0,
            changed_at: Offset(0),
            changed_ns: 0,
            retention: None,
        },
    )]);
    assert_eq!(check_table_schema(&tables, TENANT, &patients()), Err(taken));
    assert_eq!(
        check_table_schema(&tables, TenantId(8), &plain_table("t", &["a"])),
        Ok(())
    );
}

#[test]
fn index_columns_are_checked() {
    let with_index = |columns: Vec<String>| {
        patients_with(|schema| {
            schema.indexes = vec![IndexDef {
                name: "i".into(),
                columns,
                unique: false,
            }];
            schema.columns.push(column("extra", true));
        })
    };
    assert_eq!(
        check(&with_index(Vec::new())),
        Err(KernelError::EmptyColumnList {
            table: "patients".into(),
            place: "index \"i\"".into()
        })
    );
    assert_eq!(
        check(&with_index(vec!["ward".into(), "ward".into()])),
        Err(KernelError::DuplicateColumn {
            table: "patients".into(),
            column: "ward".into(),
            place: "index \"i\"".into()
        })
    );
    assert_eq!(
        check(&with_index(vec!["ward".into(), "extra".into()])),
        Ok(())
    );
}
