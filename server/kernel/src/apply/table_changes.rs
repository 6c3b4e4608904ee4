//! The catalog side of SQL statements: each [`TableChange`] checked and applied
//! to a working copy of a tenant's tables.
//!
//! Functions here may leave the copy half changed when they fail; the caller
//! then throws the copy away, which is what makes a statement atomic.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use kimberlite_protocol::{Offset, TenantId};

use super::retention::check_history_removable;
use super::schema_checks::{check_column_def, check_index, check_table_schema, index_owner};
use crate::command::{TableAlteration, TableChange};
use crate::effect::Effect;
use crate::error::{HistoryRemoval, KernelError};
use crate::schema::{ColumnDef, IndexDef, TableSchema};
use crate::table::Table;

/// The tenant's tables, by name.
pub(super) type Tables = BTreeMap<String, Table>;

/// Where and when the statement's record lands in the SQL log.
#[derive(Clone, Copy, Debug)]
pub(super) struct ChangeStamp {
    pub(super) tenant_id: TenantId,
    pub(super) position: Offset,
    pub(super) commit_ns: u64,
}

/// Records that the statement at `stamp` changed `table`.
pub(super) fn mark_changed(table: &mut Table, stamp: ChangeStamp) {
    table.changed_at = stamp.position;
    table.changed_ns = stamp.commit_ns;
}

/// Applies one change to `tables`, adding its effects.
pub(super) fn apply_change(
    tables: &mut Tables,
    stamp: ChangeStamp,
    change: &TableChange,
    effects: &mut Vec<Effect>,
) -> Result<(), KernelError> {
    let tenant_id = stamp.tenant_id;
    match change {
        TableChange::CreateTable(schema) => {
            create_table(tables, stamp, schema)?;
            effects.push(Effect::TableCreated {
                tenant_id,
                table: schema.name.clone(),
            });
        }
        TableChange::DropTable { table } => {
            let existing = existing_table(tables, tenant_id, table)?;
            check_history_removable(
                tenant_id,
                existing,
                HistoryRemoval::DropTable,
                stamp.commit_ns,
            )?;
            tables.remove(table);
            effects.push(Effect::TableDropped {
                tenant_id,
                table: table.clone(),
            });
        }
        TableChange::AlterTable { table, alteration } => {
            alter_table(tables, stamp, table, alteration)?;
            effects.push(Effect::TableAltered {
                tenant_id,
                table: table.clone(),
            });
        }
        TableChange::CreateIndex { table, index } => {
            create_index(tables, stamp, table, index)?;
            effects.push(Effect::IndexCreated {
                tenant_id,
                table: table.clone(),
                index: index.name.clone(),
            });
        }
        TableChange::DropIndex { index } => {
            let table = drop_index(tables, stamp, index)?;
            effects.push(Effect::IndexDropped {
                tenant_id,
                table,
                index: index.clone(),
            });
        }
        TableChange::RowChanges { table, .. } => {
            mark_changed(existing_table_mut(tables, tenant_id, table)?, stamp);
        }
    }
    Ok(())
}

fn existing_table<'a>(
    tables: &'a Tables,
    tenant_id: TenantId,
    name: &str,
) -> Result<&'a Table, KernelError> {
    tables.get(name).ok_or_else(|| KernelError::TableNotFound {
        tenant_id,
        table: name.to_owned(),
    })
}

fn existing_table_mut<'a>(
    tables: &'a mut Tables,
    tenant_id: TenantId,
    name: &str,
) -> Result<&'a mut Table, KernelError> {
    tables
        .get_mut(name)
        .ok_or_else(|| KernelError::TableNotFound {
            tenant_id,
            table: name.to_owned(),
        })
}

fn create_table(
    tables: &mut Tables,
    stamp: ChangeStamp,
    schema: &TableSchema,
) -> Result<(), KernelError> {
    if tables.contains_key(&schema.name) {
        return Err(KernelError::TableAlreadyExists {
            tenant_id: stamp.tenant_id,
            table: schema.name.clone(),
        });
    }
    check_table_schema(tables, stamp.tenant_id, schema)?;
    tables.insert(
        schema.name.clone(),
        Table {
            schema: schema.clone(),
            created_at: stamp.position,
            created_ns: stamp.commit_ns,
            changed_at: stamp.position,
            changed_ns: stamp.commit_ns,
            retention: None,
        },
    );
    Ok(())
}

fn alter_table(
    tables: &mut Tables,
    stamp: ChangeStamp,
    name: &str,
    alteration: &TableAlteration,
) -> Result<(), KernelError> {
    let table = existing_table_mut(tables, stamp.tenant_id, name)?;
    match alteration {
        TableAlteration::AddColumn(column) => {
            check_column_def(&table.schema, column)?;
            table.schema.columns.push(column.clone());
        }
        TableAlteration::DropColumn { column } => {
            let position = table
                .schema
                .columns
                .iter()
                .position(|existing| existing.name == *column)
                .ok_or_else(|| KernelError::ColumnNotFound {
                    table: name.to_owned(),
                    column: column.clone(),
                })?;
            if let Some(used_by) = column_user(&table.schema, column) {
                return Err(KernelError::ColumnInUse {
                    table: name.to_owned(),
                    column: column.clone(),
                    used_by,
                });
            }
            check_history_removable(
                stamp.tenant_id,
                table,
                HistoryRemoval::DropColumn,
                stamp.commit_ns,
            )?;
            table.schema.columns.remove(position);
        }
        TableAlteration::RenameColumn { from, to } => {
            rename_column(&mut table.schema, from, to)?;
        }
    }
    mark_changed(table, stamp);
    Ok(())
}

/// Renames a column everywhere the schema names it.
fn rename_column(schema: &mut TableSchema, from: &str, to: &str) -> Result<(), KernelError> {
    let renamed = ColumnDef {
        name: to.to_owned(),
        ..schema
            .column(from)
            .cloned()
            .ok_or_else(|| KernelError::ColumnNotFound {
                table: schema.name.clone(),
                column: from.to_owned(),
            })?
    };
    check_column_def(schema, &renamed)?;
    let rename = |name: &mut String| {
        if name == from {
            to.clone_into(name);
        }
    };
    schema
        .columns
        .iter_mut()
        .for_each(|column| rename(&mut column.name));
    schema.primary_key.iter_mut().for_each(rename);
    for unique in &mut schema.unique_constraints {
        unique.columns.iter_mut().for_each(rename);
    }
    for index in &mut schema.indexes {
        index.columns.iter_mut().for_each(rename);
    }
    Ok(())
}

/// What keeps `column` from being dropped, if anything.
fn column_user(schema: &TableSchema, column: &str) -> Option<String> {
    let named = |columns: &[String]| columns.iter().any(|name| name == column);
    if named(&schema.primary_key) {
        return Some("the primary key".to_owned());
    }
    if let Some(unique) = schema
        .unique_constraints
        .iter()
        .find(|unique| named(&unique.columns))
    {
        return Some(format!("constraint {:?}", unique.name));
    }
    schema
        .indexes
        .iter()
        .find(|index| named(&index.columns))
        .map(|index| format!("index {:?}", index.name))
}

fn create_index(
    tables: &mut Tables,
    stamp: ChangeStamp,
    table_name: &str,
    index: &IndexDef,
) -> Result<(), KernelError> {
    let table = existing_table(tables, stamp.tenant_id, table_name)?;
    check_index(&table.schema, index)?;
    if index_owner(tables, &index.name).is_some() {
        return Err(KernelError::IndexAlreadyExists {
            tenant_id: stamp.tenant_id,
            index: index.name.clone(),
        });
    }
    let table = existing_table_mut(tables, stamp.tenant_id, table_name)?;
    table.schema.indexes.push(index.clone());
    mark_changed(table, stamp);
    Ok(())
}

/// Drops the index and returns the name of the table it indexed.
fn drop_index(tables: &mut Tables, stamp: ChangeStamp, index: &str) -> Result<String, KernelError> {
    let table_name = index_owner(tables, index)
        .map(str::to_owned)
        .ok_or_else(|| KernelError::IndexNotFound {
            tenant_id: stamp.tenant_id,
            index: index.to_owned(),
        })?;
    let table = existing_table_mut(tables, stamp.tenant_id, &table_name)?;
    table
        .schema
        .indexes
        .retain(|existing| existing.name != index);
    mark_changed(table, stamp);
    Ok(table_name)
}
