//! `UPDATE` and `DELETE`: the rows they touch found by running their `WHERE`
//! over the current rows, new images checked, `RETURNING` prepared.

use std::collections::BTreeSet;

use kimberlite_kernel::TableChange;
use kimberlite_protocol::Value;
use sqlparser::ast::{AssignmentTarget, Delete, FromTable, TableFactor, TableWithJoins, Update};

use super::eval::select_internal;
use super::image::{assign, check_not_null, column_indexes, column_names};
use super::keys::{check_unique, keys};
use super::{Plan, Returning};
use crate::audit::AuditInfo;
use crate::cell::Cell;
use crate::error::SqlError;
use crate::front::{ident_name, object_name};
use crate::record::{RowOp, SqlRecord};
use crate::rewrite::Visibility;
use crate::store::{quote, TableEntry, TenantStore};

/// The target table of an UPDATE or DELETE and the name its rows go by.
fn target<'a>(
    store: &'a TenantStore,
    relation: &TableWithJoins,
) -> Result<(&'a TableEntry, String), SqlError> {
    if !relation.joins.is_empty() {
        return Err(SqlError::Unsupported("joins in UPDATE or DELETE".into()));
    }
    let TableFactor::Table { name, alias, .. } = &relation.relation else {
        return Err(SqlError::Unsupported(
            "UPDATE or DELETE of a subquery".into(),
        ));
    };
    let table = object_name(name)?;
    let entry = store
        .table(&table)
        .ok_or_else(|| SqlError::TableNotFound(table.clone()))?;
    let alias = alias
        .as_ref()
        .map_or_else(|| quote(&table), |alias| quote(&ident_name(&alias.name)));
    Ok((entry, alias))
}

fn record(
    entry: &TableEntry,
    statement: &str,
    rows_affected: u64,
    row_ops: Vec<RowOp>,
) -> SqlRecord {
    SqlRecord {
        audit: AuditInfo::default(),
        statement: statement.to_owned(),
        table: Some(entry.schema.name.clone()),
        rows_affected,
        row_ops,
    }
}

/// Plans an UPDATE.
pub fn update(store: &TenantStore, update: &Update, params: &[Value]) -> Result<Plan, SqlError> {
    if update.from.is_some() {
        return Err(SqlError::Unsupported("UPDATE .. FROM".into()));
    }
    let (entry, alias) = target(store, &update.table)?;
    let schema = &entry.schema;
    let mut targets = Vec::new();
    let mut expressions = Vec::new();
    for assignment in &update.assignments {
        let AssignmentTarget::ColumnName(name) = &assignment.target else {
            return Err(SqlError::Unsupported("tuple assignment".into()));
        };
        let column = match name.0.last().and_then(|part| part.as_ident()) {
            Some(ident) => ident_name(ident),
            None => object_name(name)?,
        };
        targets.push(column);
        expressions.push(assignment.value.to_string());
    }
    let indexes = column_indexes(schema, &targets)?;
    let condition = update
        .selection
        .as_ref()
        .map_or_else(|| "1".to_owned(), ToString::to_string);
    let sql = format!(
        "SELECT {alias}.*, {exprs} FROM {table} AS {alias} WHERE {condition}",
        exprs = expressions.join(", "),
        table = quote(&schema.name),
    );
    let rows = select_internal(store, &sql, params, &[], Visibility::Current)?.rows;
    let width = schema.columns.len();
    let mut updated = Vec::with_capacity(rows.len());
    for row in rows {
        let Cell::Integer(row_id) = row[0] else {
            return Err(SqlError::Store("row without its row id".into()));
        };
        let mut image = row[1..=width].to_vec();
        assign(schema, &mut image, &indexes, row[1 + width..].to_vec())?;
        check_not_null(schema, &image)?;
        updated.push((row_id, image));
    }
    let changed: BTreeSet<i64> = updated.iter().map(|(row_id, _)| *row_id).collect();
    let images: Vec<&(i64, Vec<Cell>)> = updated.iter().collect();
    check_unique(store, entry, &keys(entry), &images, &changed)?;
    let count = updated.len() as u64;
    let returning = update.returning.as_ref().map(|items| {
        Returning::new(
            &schema.name,
            &alias,
            items,
            changed.iter().copied().collect(),
        )
    });
    let mut row_ops = Vec::new();
    if !updated.is_empty() {
        row_ops.push(RowOp::Update {
            table: schema.name.clone(),
            columns: column_names(schema),
            rows: updated,
        });
    }
    Ok(Plan {
        table_changes: vec![TableChange::RowChanges {
            table: schema.name.clone(),
            inserted: 0,
            updated: count,
            deleted: 0,
        }],
        record: record(entry, "UPDATE", count, row_ops),
        returning,
    })
}

/// Plans a DELETE.
pub fn delete(store: &TenantStore, delete: &Delete, params: &[Value]) -> Result<Plan, SqlError> {
    let relations = match &delete.from {
        FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables) => tables,
    };
    let [relation] = relations.as_slice() else {
        return Err(SqlError::Unsupported("DELETE from several tables".into()));
    };
    if delete.using.is_some() {
        return Err(SqlError::Unsupported("DELETE .. USING".into()));
    }
    let (entry, alias) = target(store, relation)?;
    let schema = &entry.schema;
    let condition = delete
        .selection
        .as_ref()
        .map_or_else(|| "1".to_owned(), ToString::to_string);
    let sql = format!(
        "SELECT {alias}.kmb_row FROM {table} AS {alias} WHERE {condition}",
        table = quote(&schema.name),
    );
    let rows = select_internal(store, &sql, params, &[], Visibility::Current)?.rows;
    let row_ids: Vec<i64> = rows
        .iter()
        .filter_map(|row| match row.first() {
            Some(Cell::Integer(row_id)) => Some(*row_id),
            _ => None,
        })
        .collect();
    let returning = match &delete.returning {
        Some(items) => {
            let mut returning = Returning::new(&schema.name, &alias, items, row_ids.clone());
            returning.before = Some(returning.run(store, params)?);
            Some(returning)
        }
        None => None,
    };
    let count = row_ids.len() as u64;
    let mut row_ops = Vec::new();
    if !row_ids.is_empty() {
        row_ops.push(RowOp::Delete {
            table: schema.name.clone(),
            row_ids,
        });
    }
    Ok(Plan {
        table_changes: vec![TableChange::RowChanges {
            table: schema.name.clone(),
            inserted: 0,
            updated: 0,
            deleted: count,
        }],
        record: record(entry, "DELETE", count, row_ops),
        returning,
    })
}
