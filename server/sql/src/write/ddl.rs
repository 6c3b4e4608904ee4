//! DDL: `CREATE TABLE`, `DROP TABLE`, `ALTER TABLE`, `CREATE INDEX`,
//! `DROP INDEX`, resolved into catalog changes (defaults evaluated once, so
//! the log holds values, not expressions to run again).

use kimberlite_kernel::{
    ColumnDef, IndexDef, TableAlteration, TableChange, TableSchema, UniqueConstraint,
};
use sqlparser::ast::{
    AlterTableOperation, ColumnOption, CreateIndex, CreateTable, Expr, ObjectName, ObjectType,
    TableConstraint,
};

use super::eval::evaluate_constant;
use super::Plan;
use crate::coerce::coerce;
use crate::column_type;
use crate::error::SqlError;
use crate::front::{ident_name, object_name};
use crate::record::RowOp;
use crate::store::TenantStore;

/// Names users may not give tables: the store's own and SQLite's.
fn check_user_table_name(name: &str) -> Result<(), SqlError> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("kmb_") || lower.starts_with("sqlite_") || lower == "kimberlite_audit" {
        return Err(SqlError::InvalidRequest(format!(
            "table name {name:?} is reserved (kmb_, sqlite_ and kimberlite_audit)"
        )));
    }
    Ok(())
}

/// `CREATE TABLE`; `None` when `IF NOT EXISTS` finds the table.
pub fn create_table(store: &TenantStore, create: &CreateTable) -> Result<Option<Plan>, SqlError> {
    let name = object_name(&create.name)?;
    check_user_table_name(&name)?;
    if store.table(&name).is_some() {
        if create.if_not_exists {
            return Ok(None);
        }
        return Err(SqlError::TableExists(name));
    }
    if create.query.is_some() {
        return Err(SqlError::Unsupported(
            "CREATE TABLE .. AS SELECT".to_owned(),
        ));
    }
    let mut schema = TableSchema {
        name: name.clone(),
        columns: Vec::new(),
        primary_key: Vec::new(),
        unique_constraints: Vec::new(),
        indexes: Vec::new(),
    };
    for column in &create.columns {
        let column_name = ident_name(&column.name);
        let mut def = ColumnDef {
            name: column_name.clone(),
            column_type: column_type::from_sql(&column.data_type)?,
            nullable: true,
            default: None,
        };
        for option in &column.options {
            match &option.option {
                ColumnOption::Null => {}
                ColumnOption::NotNull => def.nullable = false,
                ColumnOption::Default(expr) => def.default = Some(checked_default(&def, expr)?),
                ColumnOption::PrimaryKey(_) => {
                    def.nullable = false;
                    schema.primary_key = vec![column_name.clone()];
                }
                ColumnOption::Unique(_) => schema.unique_constraints.push(UniqueConstraint {
                    name: format!("{name}_{column_name}_key"),
                    columns: vec![column_name.clone()],
                }),
                other => {
                    return Err(SqlError::Unsupported(format!("column option {other}")));
                }
            }
        }
        schema.columns.push(def);
    }
    for constraint in &create.constraints {
        table_constraint(&mut schema, constraint)?;
    }
    let key = schema.primary_key.clone();
    for column in &mut schema.columns {
        if key.contains(&column.name) {
            column.nullable = false;
        }
    }
    Ok(Some(Plan::catalog(
        "CREATE TABLE",
        &name,
        vec![TableChange::CreateTable(schema)],
    )))
}

fn table_constraint(
    schema: &mut TableSchema,
    constraint: &TableConstraint,
) -> Result<(), SqlError> {
    let columns_of = |columns: &[sqlparser::ast::IndexColumn]| -> Result<Vec<String>, SqlError> {
        columns
            .iter()
            .map(|column| match &column.column.expr {
                Expr::Identifier(ident) => Ok(ident_name(ident)),
                other => Err(SqlError::Unsupported(format!("key expression {other}"))),
            })
            .collect()
    };
    match constraint {
        TableConstraint::PrimaryKey(key) => {
            if !schema.primary_key.is_empty() {
                return Err(SqlError::InvalidRequest(format!(
                    "table {:?} has two primary keys",
                    schema.name
                )));
            }
            schema.primary_key = columns_of(&key.columns)?;
        }
        TableConstraint::Unique(unique) => {
            let columns = columns_of(&unique.columns)?;
            let name = unique.name.as_ref().map_or_else(
                || format!("{}_{}_key", schema.name, columns.join("_")),
                ident_name,
            );
            schema
                .unique_constraints
                .push(UniqueConstraint { name, columns });
        }
        other => return Err(SqlError::Unsupported(format!("constraint {other}"))),
    }
    Ok(())
}

/// The default's SQL text, checked now to be a constant of the column's type.
fn checked_default(column: &ColumnDef, expr: &Expr) -> Result<String, SqlError> {
    let text = expr.to_string();
    let value = evaluate_constant(&text)?;
    coerce(column, value)?;
    Ok(text)
}

/// `DROP TABLE` / `DROP INDEX`; `None` when `IF EXISTS` finds nothing.
pub fn drop(
    store: &TenantStore,
    object_type: ObjectType,
    if_exists: bool,
    names: &[ObjectName],
) -> Result<Option<Plan>, SqlError> {
    let [name] = names else {
        return Err(SqlError::Unsupported(
            "DROP of several objects at once".to_owned(),
        ));
    };
    let name = object_name(name)?;
    match object_type {
        ObjectType::Table => {
            if store.table(&name).is_none() {
                return if if_exists {
                    Ok(None)
                } else {
                    Err(SqlError::TableNotFound(name))
                };
            }
            let change = TableChange::DropTable {
                table: name.clone(),
            };
            Ok(Some(Plan::catalog("DROP TABLE", &name, vec![change])))
        }
        ObjectType::Index => {
            let owner = store
                .tables()
                .values()
                .find(|entry| entry.schema.index(&name).is_some());
            let Some(owner) = owner else {
                return if if_exists {
                    Ok(None)
                } else {
                    Err(SqlError::InvalidRequest(format!(
                        "index {name:?} does not exist"
                    )))
                };
            };
            let table = owner.schema.name.clone();
            let change = TableChange::DropIndex { index: name };
            Ok(Some(Plan::catalog("DROP INDEX", &table, vec![change])))
        }
        other => Err(SqlError::Unsupported(format!("DROP {other}"))),
    }
}

/// `ALTER TABLE t ADD COLUMN / DROP COLUMN / RENAME COLUMN`.
pub fn alter_table(
    store: &TenantStore,
    name: &ObjectName,
    operations: &[AlterTableOperation],
) -> Result<Plan, SqlError> {
    let table = object_name(name)?;
    let entry = store
        .table(&table)
        .ok_or_else(|| SqlError::TableNotFound(table.clone()))?;
    let [operation] = operations else {
        return Err(SqlError::Unsupported(
            "several ALTER TABLE actions at once".into(),
        ));
    };
    let column_exists = |column: &str| entry.schema.column(column).is_some();
    let not_found = |column: String| SqlError::ColumnNotFound {
        table: table.clone(),
        column,
    };
    let mut row_ops = Vec::new();
    let alteration = match operation {
        AlterTableOperation::AddColumn { column_def, .. } => {
            let (alteration, fill) = add_column(&table, column_def)?;
            row_ops.extend(fill);
            alteration
        }
        AlterTableOperation::DropColumn { column_names, .. } => {
            let [column] = column_names.as_slice() else {
                return Err(SqlError::Unsupported("DROP of several columns".into()));
            };
            let column = ident_name(column);
            if !column_exists(&column) {
                return Err(not_found(column));
            }
            TableAlteration::DropColumn { column }
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => {
            let from = ident_name(old_column_name);
            if !column_exists(&from) {
                return Err(not_found(from));
            }
            TableAlteration::RenameColumn {
                from,
                to: ident_name(new_column_name),
            }
        }
        other => return Err(SqlError::Unsupported(format!("ALTER TABLE .. {other}"))),
    };
    let change = TableChange::AlterTable {
        table: table.clone(),
        alteration,
    };
    let mut plan = Plan::catalog("ALTER TABLE", &table, vec![change]);
    plan.record.row_ops = row_ops;
    Ok(plan)
}

/// `ADD COLUMN`, and the fill of current rows when it has a default.
fn add_column(
    table: &str,
    column_def: &sqlparser::ast::ColumnDef,
) -> Result<(TableAlteration, Option<RowOp>), SqlError> {
    let column = ident_name(&column_def.name);
    let mut def = ColumnDef {
        name: column.clone(),
        column_type: column_type::from_sql(&column_def.data_type)?,
        nullable: true,
        default: None,
    };
    let mut fill = None;
    for option in &column_def.options {
        match &option.option {
            ColumnOption::Null => {}
            ColumnOption::Default(expr) => {
                let text = checked_default(&def, expr)?;
                let value = coerce(&def, evaluate_constant(&text)?)?;
                def.default = Some(text);
                fill = Some(RowOp::FillColumn {
                    table: table.to_owned(),
                    column: column.clone(),
                    value,
                });
            }
            other => {
                return Err(SqlError::Unsupported(format!(
                    "ADD COLUMN with {other} (only DEFAULT)"
                )))
            }
        }
    }
    Ok((TableAlteration::AddColumn(def), fill))
}

/// `CREATE [UNIQUE] INDEX name ON t (columns)`.
pub fn create_index(store: &TenantStore, create: &CreateIndex) -> Result<Option<Plan>, SqlError> {
    let table = object_name(&create.table_name)?;
    let entry = store
        .table(&table)
        .ok_or_else(|| SqlError::TableNotFound(table.clone()))?;
    if create.unique {
        return Err(SqlError::Unsupported(
            "CREATE UNIQUE INDEX (declare UNIQUE in CREATE TABLE)".into(),
        ));
    }
    let Some(name) = &create.name else {
        return Err(SqlError::InvalidRequest("CREATE INDEX needs a name".into()));
    };
    let name = object_name(name)?;
    if store
        .tables()
        .values()
        .any(|other| other.schema.index(&name).is_some())
    {
        if create.if_not_exists {
            return Ok(None);
        }
        return Err(SqlError::InvalidRequest(format!(
            "index {name:?} already exists"
        )));
    }
    let mut columns = Vec::new();
    for column in &create.columns {
        let Expr::Identifier(ident) = &column.column.expr else {
            return Err(SqlError::Unsupported("index on an expression".into()));
        };
        let column = ident_name(ident);
        if entry.schema.column(&column).is_none() {
            return Err(SqlError::ColumnNotFound {
                table: table.clone(),
                column,
            });
        }
        columns.push(column);
    }
    let index = IndexDef {
        name,
        columns,
        unique: false,
    };
    let change = TableChange::CreateIndex {
        table: table.clone(),
        index,
    };
    Ok(Some(Plan::catalog("CREATE INDEX", &table, vec![change])))
}
