//! Planning writes: each statement checked against the current rows and
//! resolved into a [`Plan`] (catalog changes plus a [`SqlRecord`] of row
//! images) before anything is appended, so a failing statement leaves no trace.

mod ddl;
mod eval;
mod image;
mod insert;
mod keys;
mod modify;

use kimberlite_kernel::TableChange;
use kimberlite_protocol::Value;
use sqlparser::ast::{SelectItem, Statement};

use crate::audit::AuditInfo;
use crate::error::SqlError;
use crate::front::LiteralRows;
use crate::read::RawRows;
use crate::record::SqlRecord;
use crate::rewrite::Visibility;
use crate::store::TenantStore;

pub use eval::select_internal;

/// A checked write, ready to append.
#[derive(Debug)]
pub struct Plan {
    /// Catalog changes for the kernel.
    pub table_changes: Vec<TableChange>,
    /// The record's effect.
    pub record: SqlRecord,
    /// What `RETURNING` asks for, if it does.
    pub returning: Option<Returning>,
}

/// A `RETURNING` clause to answer once the statement is applied.
#[derive(Debug)]
pub struct Returning {
    table: String,
    alias: String,
    items: String,
    row_ids: Vec<i64>,
    /// Rows of a DELETE, computed before the rows went away.
    before: Option<RawRows>,
}

impl Plan {
    fn catalog(statement: &str, table: &str, table_changes: Vec<TableChange>) -> Self {
        Self {
            table_changes,
            record: SqlRecord {
                audit: AuditInfo::default(),
                statement: statement.to_owned(),
                table: Some(table.to_owned()),
                rows_affected: 0,
                row_ops: Vec::new(),
            },
            returning: None,
        }
    }
}

impl Returning {
    fn new(table: &str, alias: &str, items: &[SelectItem], row_ids: Vec<i64>) -> Self {
        let items: Vec<String> = items.iter().map(ToString::to_string).collect();
        Self {
            table: table.to_owned(),
            alias: alias.to_owned(),
            items: items.join(", "),
            row_ids,
            before: None,
        }
    }

    /// Evaluates the clause over the rows now current (or, for a DELETE, as
    /// they were before it).
    pub fn evaluate(self, store: &TenantStore, params: &[Value]) -> Result<RawRows, SqlError> {
        if let Some(rows) = self.before {
            return Ok(rows);
        }
        self.run(store, params)
    }

    fn run(&self, store: &TenantStore, params: &[Value]) -> Result<RawRows, SqlError> {
        let entry = store
            .table(&self.table)
            .ok_or_else(|| SqlError::TableNotFound(self.table.clone()))?;
        let columns: Vec<String> = entry
            .schema
            .columns
            .iter()
            .map(|column| crate::store::quote(&column.name))
            .collect();
        let ids: Vec<String> = self.row_ids.iter().map(ToString::to_string).collect();
        let sql = format!(
            "SELECT {items} FROM (SELECT {columns} FROM {table} AS kmb_source \
             WHERE kmb_source.kmb_row IN ({ids}) ORDER BY kmb_source.kmb_row) AS {alias}",
            items = self.items,
            columns = columns.join(", "),
            table = crate::store::quote(&self.table),
            ids = ids.join(", "),
            alias = self.alias,
        );
        select_internal(store, &sql, params, &[], Visibility::Current)
    }
}

/// Plans a write statement; `None` for one that changes nothing by its own
/// definition (`IF NOT EXISTS` / `IF EXISTS` finding its answer).
pub fn plan(
    store: &TenantStore,
    statement: &Statement,
    rows: Option<&LiteralRows>,
    params: &[Value],
) -> Result<Option<Plan>, SqlError> {
    match statement {
        Statement::CreateTable(create) => ddl::create_table(store, create),
        Statement::Drop {
            object_type,
            if_exists,
            names,
            ..
        } => ddl::drop(store, *object_type, *if_exists, names),
        Statement::AlterTable(alter) => {
            ddl::alter_table(store, &alter.name, &alter.operations).map(Some)
        }
        Statement::CreateIndex(create) => ddl::create_index(store, create),
        Statement::Insert(insert) => insert::insert(store, insert, rows, params).map(Some),
        Statement::Update(update) => modify::update(store, update, params).map(Some),
        Statement::Delete(delete) => modify::delete(store, delete, params).map(Some),
        other => Err(SqlError::Unsupported(format!(
            "statement {}",
            other
                .to_string()
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        ))),
    }
}
