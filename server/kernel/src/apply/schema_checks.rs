//! Coherence checks on table schemas: names are valid and distinct, and every
//! key, constraint and index names existing columns.

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use kimberlite_protocol::TenantId;

use super::table_changes::Tables;
use crate::error::KernelError;
use crate::names::{check_name, NameKind};
use crate::schema::{ColumnDef, IndexDef, TableSchema};

/// Checks a whole schema for `CREATE TABLE` against the tenant's `tables`
/// (which must not already hold a table of that name).
pub(super) fn check_table_schema(
    tables: &Tables,
    tenant_id: TenantId,
    schema: &TableSchema,
) -> Result<(), KernelError> {
    check_name(NameKind::Table, &schema.name)?;
    let mut columns = BTreeSet::new();
    for column in &schema.columns {
        check_name(NameKind::Column, &column.name)?;
        if !columns.insert(column.name.as_str()) {
            return Err(duplicate_column(schema, &column.name, "columns".to_owned()));
        }
    }
    if !schema.primary_key.is_empty() {
        check_column_list(schema, &schema.primary_key, || "the primary key".to_owned())?;
    }
    for key_column in &schema.primary_key {
        if schema
            .column(key_column)
            .is_some_and(|column| column.nullable)
        {
            return Err(KernelError::NullablePrimaryKeyColumn {
                table: schema.name.clone(),
                column: key_column.clone(),
            });
        }
    }
    let mut constraints = BTreeSet::new();
    for unique in &schema.unique_constraints {
        check_name(NameKind::Constraint, &unique.name)?;
        if !constraints.insert(unique.name.as_str()) {
            return Err(KernelError::DuplicateConstraint {
                table: schema.name.clone(),
                constraint: unique.name.clone(),
            });
        }
        check_column_list(schema, &unique.columns, || {
            format!("constraint {:?}", unique.name)
        })?;
    }
    let mut indexes = BTreeSet::new();
    for index in &schema.indexes {
        check_index(schema, index)?;
        if !indexes.insert(index.name.as_str()) || index_owner(tables, &index.name).is_some() {
            return Err(KernelError::IndexAlreadyExists {
                tenant_id,
                index: index.name.clone(),
            });
        }
    }
    Ok(())
}

/// Checks a column to add to `schema`.
pub(super) fn check_column_def(
    schema: &TableSchema,
    column: &ColumnDef,
) -> Result<(), KernelError> {
    check_name(NameKind::Column, &column.name)?;
    if schema.column(&column.name).is_some() {
        return Err(duplicate_column(schema, &column.name, "columns".to_owned()));
    }
    Ok(())
}

/// Checks an index's name and columns against `schema`. Whether the name is
/// free in the tenant is the caller's check.
pub(super) fn check_index(schema: &TableSchema, index: &IndexDef) -> Result<(), KernelError> {
    check_name(NameKind::Index, &index.name)?;
    check_column_list(schema, &index.columns, || format!("index {:?}", index.name))
}

/// The name of the table holding the index `index`, if any.
pub(super) fn index_owner<'a>(tables: &'a Tables, index: &str) -> Option<&'a str> {
    tables
        .values()
        .find(|table| table.schema.index(index).is_some())
        .map(|table| table.schema.name.as_str())
}

/// A non-empty list of distinct, existing columns.
fn check_column_list(
    schema: &TableSchema,
    columns: &[String],
    place: impl Fn() -> String,
) -> Result<(), KernelError> {
    if columns.is_empty() {
        return Err(KernelError::EmptyColumnList {
            table: schema.name.clone(),
            place: place(),
        });
    }
    let mut seen = BTreeSet::new();
    for column in columns {
        if schema.column(column).is_none() {
            return Err(KernelError::ColumnNotFound {
                table: schema.name.clone(),
                column: column.clone(),
            });
        }
        if !seen.insert(column.as_str()) {
            return Err(duplicate_column(schema, column, place()));
        }
    }
    Ok(())
}

fn duplicate_column(schema: &TableSchema, column: &str, place: String) -> KernelError {
    KernelError::DuplicateColumn {
        table: schema.name.clone(),
        column: column.to_owned(),
        place,
    }
}
