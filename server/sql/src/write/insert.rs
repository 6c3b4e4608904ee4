//! `INSERT` (multi-row, `INSERT .. SELECT`, `ON CONFLICT DO NOTHING / DO
//! UPDATE`, `RETURNING`) resolved into new rows and new versions.

use std::collections::BTreeSet;

use kimberlite_kernel::TableChange;
use kimberlite_protocol::Value;
use sqlparser::ast::{
    Assignment, AssignmentTarget, ConflictTarget, Insert, OnConflictAction, OnInsert, TableObject,
};

use super::eval::select_internal;
use super::image::{assign, check_not_null, column_indexes, column_names, defaults, literal};
use super::keys::{check_unique, find_current, key_values, keys, Key};
use super::{Plan, Returning};
use crate::audit::AuditInfo;
use crate::cell::Cell;
use crate::error::SqlError;
use crate::front::{ident_name, object_name, LiteralRows};
use crate::read::run;
use crate::record::{RowOp, SqlRecord};
use crate::rewrite::{rewrite_query, Visibility};
use crate::store::{quote, TableEntry, TenantStore};

/// What to do with a row whose key is taken.
enum Conflict<'a> {
    Fail,
    Nothing(Option<Vec<usize>>),
    Update(
        Option<Vec<usize>>,
        &'a [Assignment],
        Option<&'a sqlparser::ast::Expr>,
    ),
}

/// Plans an INSERT; `literal` holds its rows when the front end read them
/// from the text (the statement then holds only the first).
pub fn insert(
    store: &TenantStore,
    insert: &Insert,
    literal: Option<&LiteralRows>,
    params: &[Value],
) -> Result<Plan, SqlError> {
    let TableObject::TableName(name) = &insert.table else {
        return Err(SqlError::Unsupported("INSERT into a table function".into()));
    };
    let table = object_name(name)?;
    let entry = store
        .table(&table)
        .ok_or_else(|| SqlError::TableNotFound(table.clone()))?;
    let schema = &entry.schema;
    let named: Vec<String> = insert
        .columns
        .iter()
        .map(object_name)
        .collect::<Result<_, _>>()?;
    let indexes = if named.is_empty() {
        (0..schema.columns.len()).collect()
    } else {
        column_indexes(schema, &named)?
    };
    let source = insert
        .source
        .as_ref()
        .ok_or_else(|| SqlError::Unsupported("INSERT without VALUES or SELECT".into()))?;
    let rows = match literal {
        Some(literal) => literal.cells(params)?,
        None => {
            let mut source = (**source).clone();
            rewrite_query(store, &mut source, Visibility::Current, false)?;
            run(store.writer(), &source.to_string(), params, &[])?.rows
        }
    };
    let conflict = conflict_action(entry, insert.on.as_ref())?;

    let template = defaults(schema)?;
    let mut next_row_id = store.next_row_id(entry)?;
    let mut inserted: Vec<(i64, Vec<Cell>)> = Vec::new();
    let mut updated: Vec<(i64, Vec<Cell>)> = Vec::new();
    let table_keys = keys(entry);
    for values in rows {
        if values.len() != indexes.len() {
            return Err(SqlError::InvalidRequest(format!(
                "INSERT has {} target columns but {} values",
                indexes.len(),
                values.len()
            )));
        }
        let mut image = template.clone();
        assign(schema, &mut image, &indexes, values)?;
        check_not_null(schema, &image)?;
        let clash = find_clash(store, &table_keys, &conflict, &image, &inserted)?;
        match (&conflict, clash) {
            (Conflict::Nothing(_), Some(_)) => {}
            (Conflict::Update(_, assignments, selection), Some(existing)) => {
                if updated.iter().any(|(row_id, _)| *row_id == existing) {
                    return Err(SqlError::InvalidRequest(
                        "ON CONFLICT DO UPDATE would change one row twice".into(),
                    ));
                }
                let new = conflict_update(
                    store,
                    entry,
                    existing,
                    &image,
                    assignments,
                    *selection,
                    params,
                )?;
                if let Some(new) = new {
                    updated.push((existing, new));
                }
            }
            _ => {
                inserted.push((next_row_id, image));
                next_row_id += 1;
            }
        }
    }
    let changed: BTreeSet<i64> = updated.iter().map(|(row_id, _)| *row_id).collect();
    let images: Vec<&(i64, Vec<Cell>)> = inserted.iter().chain(&updated).collect();
    check_unique(store, entry, &table_keys, &images, &changed)?;

    let row_ids: Vec<i64> = images.iter().map(|(row_id, _)| *row_id).collect();
    let returning = insert
        .returning
        .as_ref()
        .map(|items| Returning::new(&table, &quote(&table), items, row_ids));
    Ok(plan(entry, inserted, updated, returning))
}

fn plan(
    entry: &TableEntry,
    inserted: Vec<(i64, Vec<Cell>)>,
    updated: Vec<(i64, Vec<Cell>)>,
    returning: Option<Returning>,
) -> Plan {
    let table = entry.schema.name.clone();
    let columns = column_names(&entry.schema);
    let (inserted_count, updated_count) = (inserted.len() as u64, updated.len() as u64);
    let mut row_ops = Vec::new();
    if !inserted.is_empty() {
        row_ops.push(RowOp::Insert {
            table: table.clone(),
            columns: columns.clone(),
            rows: inserted,
        });
    }
    if !updated.is_empty() {
        row_ops.push(RowOp::Update {
            table: table.clone(),
            columns,
            rows: updated,
        });
    }
    Plan {
        table_changes: vec![TableChange::RowChanges {
            table: table.clone(),
            inserted: inserted_count,
            updated: updated_count,
            deleted: 0,
        }],
        record: SqlRecord {
            audit: AuditInfo::default(),
            statement: "INSERT".to_owned(),
            table: Some(table),
            rows_affected: inserted_count + updated_count,
            row_ops,
        },
        returning,
    }
}

fn conflict_action<'a>(
    entry: &TableEntry,
    on: Option<&'a OnInsert>,
) -> Result<Conflict<'a>, SqlError> {
    let Some(on) = on else {
        return Ok(Conflict::Fail);
    };
    let OnInsert::OnConflict(on_conflict) = on else {
        return Err(SqlError::Unsupported("ON DUPLICATE KEY UPDATE".into()));
    };
    let target = match &on_conflict.conflict_target {
        None => None,
        Some(ConflictTarget::Columns { columns, .. }) => {
            let names: Vec<String> = columns.iter().map(ident_name).collect();
            Some(column_indexes(&entry.schema, &names)?)
        }
        Some(ConflictTarget::OnConstraint(name)) => {
            return Err(SqlError::Unsupported(format!(
                "ON CONFLICT ON CONSTRAINT {name}"
            )))
        }
    };
    Ok(match &on_conflict.action {
        OnConflictAction::DoNothing => Conflict::Nothing(target),
        OnConflictAction::DoUpdate(update) => {
            if target.is_none() {
                return Err(SqlError::InvalidRequest(
                    "ON CONFLICT DO UPDATE needs the conflict columns, e.g. ON CONFLICT (id)"
                        .into(),
                ));
            }
            Conflict::Update(target, &update.assignments, update.selection.as_ref())
        }
    })
}

/// The current row `image` clashes with under the conflict target (any key
/// when no target is named), if the statement handles conflicts.
fn find_clash(
    store: &TenantStore,
    table_keys: &[Key],
    conflict: &Conflict<'_>,
    image: &[Cell],
    pending: &[(i64, Vec<Cell>)],
) -> Result<Option<i64>, SqlError> {
    let target = match conflict {
        Conflict::Fail => return Ok(None),
        Conflict::Nothing(target) | Conflict::Update(target, ..) => target,
    };
    let candidates: Vec<&Key> = table_keys
        .iter()
        .filter(|key| {
            target
                .as_ref()
                .is_none_or(|columns| key.columns == *columns)
        })
        .collect();
    if candidates.is_empty() && target.is_some() {
        return Err(SqlError::InvalidRequest(
            "ON CONFLICT columns are not the primary key or a UNIQUE constraint".into(),
        ));
    }
    for key in candidates {
        let Some(values) = key_values(key, image) else {
            continue;
        };
        if let Some(existing) = find_current(store, key, &values)? {
            return Ok(Some(existing));
        }
        let repeated = pending
            .iter()
            .find(|(_, other)| key_values(key, other).as_ref() == Some(&values));
        if repeated.is_some() {
            return Err(SqlError::InvalidRequest(
                "ON CONFLICT: the statement itself gives one key twice".into(),
            ));
        }
    }
    Ok(None)
}

/// The new image of `existing` under `DO UPDATE SET ..`, or `None` when its
/// `WHERE` is false.
fn conflict_update(
    store: &TenantStore,
    entry: &TableEntry,
    existing: i64,
    excluded: &[Cell],
    assignments: &[Assignment],
    selection: Option<&sqlparser::ast::Expr>,
    params: &[Value],
) -> Result<Option<Vec<Cell>>, SqlError> {
    let schema = &entry.schema;
    let mut targets = Vec::new();
    let mut expressions = Vec::new();
    for assignment in assignments {
        let AssignmentTarget::ColumnName(name) = &assignment.target else {
            return Err(SqlError::Unsupported("tuple assignment".into()));
        };
        targets.push(object_name(name)?);
        expressions.push(assignment.value.to_string());
    }
    let indexes = column_indexes(schema, &targets)?;
    let excluded_columns: Vec<String> = schema
        .columns
        .iter()
        .zip(excluded)
        .map(|(column, value)| format!("{} AS {}", literal(value), quote(&column.name)))
        .collect();
    let table = quote(&schema.name);
    let condition = selection.map_or_else(|| "1".to_owned(), ToString::to_string);
    let sql = format!(
        "SELECT {table}.*, {exprs}, ({condition}) FROM {table} AS {table}, \
         (SELECT {excluded}) AS excluded WHERE {table}.kmb_row = {existing}",
        exprs = expressions.join(", "),
        excluded = excluded_columns.join(", "),
    );
    let rows = select_internal(store, &sql, params, &[], Visibility::Current)?.rows;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let width = schema.columns.len();
    if row.len() != 1 + width + indexes.len() + 1 {
        return Err(SqlError::Store(
            "ON CONFLICT evaluation returned a bad row".into(),
        ));
    }
    let condition_holds = matches!(row[row.len() - 1], Cell::Integer(value) if value != 0);
    if !condition_holds {
        return Ok(None);
    }
    let mut image: Vec<Cell> = row[1..=width].to_vec();
    let values = row[1 + width..row.len() - 1].to_vec();
    assign(schema, &mut image, &indexes, values)?;
    check_not_null(schema, &image)?;
    Ok(Some(image))
}
