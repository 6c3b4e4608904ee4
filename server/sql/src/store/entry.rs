//! A table's entry in the store catalog: its schema, the SQLite column that
//! holds each user column, and when it was created and dropped.

use std::collections::BTreeMap;

use kimberlite_kernel::TableSchema;
use rusqlite::{Connection, OptionalExtension, Row};

use super::layout::quote;
use crate::error::SqlError;

/// One table (one life of a name: a table dropped and created again has two).
#[derive(Clone, Debug)]
pub struct TableEntry {
    /// Catalog id; the history table is `kmb_t<id>`.
    pub id: i64,
    /// The schema (the latest of this entry).
    pub schema: TableSchema,
    /// The SQLite column of each schema column, in schema order.
    pub columns: Vec<String>,
    /// Counter for naming new SQLite columns.
    pub next_column: i64,
    /// Position of the record that created it.
    pub created_pos: i64,
    /// Position of the record that dropped it, if dropped.
    pub dropped_pos: Option<i64>,
}

impl TableEntry {
    /// The history table's quoted name.
    #[must_use]
    pub fn sqlite_name(&self) -> String {
        format!("kmb_t{}", self.id)
    }

    /// The SQLite column of user column `name`.
    #[must_use]
    pub fn sqlite_column(&self, name: &str) -> Option<&str> {
        let index = self
            .schema
            .columns
            .iter()
            .position(|column| column.name == name)?;
        self.columns.get(index).map(String::as_str)
    }

    /// `SELECT` of the rows visible under `filter`, with user column names
    /// (and `kmb_row` first when `with_row_id`).
    #[must_use]
    pub fn select_sql(&self, filter: &str, with_row_id: bool) -> String {
        let mut items: Vec<String> = Vec::new();
        if with_row_id {
            items.push("kmb_row".to_owned());
        }
        for (column, stored) in self.schema.columns.iter().zip(&self.columns) {
            items.push(format!("{} AS {}", quote(stored), quote(&column.name)));
        }
        if items.is_empty() {
            items.push("NULL AS kmb_empty".to_owned());
        }
        format!(
            "SELECT {} FROM {} WHERE {filter}",
            items.join(", "),
            self.sqlite_name()
        )
    }

    /// Writes the entry's row in `kmb_tables`.
    pub fn save(&self, connection: &Connection) -> Result<(), SqlError> {
        let schema = serde_json::to_string(&self.schema)
            .map_err(|error| SqlError::Store(error.to_string()))?;
        let columns = serde_json::to_string(&self.columns)
            .map_err(|error| SqlError::Store(error.to_string()))?;
        connection
            .execute(
                "INSERT INTO kmb_tables
                     (id, name, created_pos, dropped_pos, schema_json, columns_json, next_column)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                     dropped_pos = excluded.dropped_pos, schema_json = excluded.schema_json,
                     columns_json = excluded.columns_json, next_column = excluded.next_column",
                rusqlite::params![
                    self.id,
                    self.schema.name,
                    self.created_pos,
                    self.dropped_pos,
                    schema,
                    columns,
                    self.next_column
                ],
            )
            .map(|_| ())
            .map_err(|error| SqlError::store(&error))
    }
}

const COLUMNS: &str = "id, created_pos, dropped_pos, schema_json, columns_json, next_column";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(i64, i64, Option<i64>, String, String, i64)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn decode(
    (id, created_pos, dropped_pos, schema, columns, next_column): (
        i64,
        i64,
        Option<i64>,
        String,
        String,
        i64,
    ),
) -> Result<TableEntry, SqlError> {
    let schema =
        serde_json::from_str(&schema).map_err(|error| SqlError::Store(error.to_string()))?;
    let columns =
        serde_json::from_str(&columns).map_err(|error| SqlError::Store(error.to_string()))?;
    Ok(TableEntry {
        id,
        schema,
        columns,
        next_column,
        created_pos,
        dropped_pos,
    })
}

/// The tables not dropped, by name.
pub fn load_current(connection: &Connection) -> Result<BTreeMap<String, TableEntry>, SqlError> {
    let sql = format!("SELECT {COLUMNS} FROM kmb_tables WHERE dropped_pos IS NULL");
    let mut statement = connection
        .prepare(&sql)
        .map_err(|error| SqlError::store(&error))?;
    let rows = statement
        .query_map([], from_row)
        .map_err(|error| SqlError::store(&error))?;
    let mut tables = BTreeMap::new();
    for row in rows {
        let entry = decode(row.map_err(|error| SqlError::store(&error))?)?;
        tables.insert(entry.schema.name.clone(), entry);
    }
    Ok(tables)
}

/// The entry of `name` live at `position`, else the first created after it,
/// else the last dropped before it.
pub fn load_at(
    connection: &Connection,
    name: &str,
    position: i64,
) -> Result<Option<TableEntry>, SqlError> {
    let queries = [
        "WHERE name = ?1 AND created_pos <= ?2 AND (dropped_pos IS NULL OR dropped_pos > ?2)
         ORDER BY created_pos DESC",
        "WHERE name = ?1 AND created_pos > ?2 ORDER BY created_pos ASC",
        "WHERE name = ?1 AND dropped_pos <= ?2 ORDER BY dropped_pos DESC",
    ];
    for condition in queries {
        let sql = format!("SELECT {COLUMNS} FROM kmb_tables {condition} LIMIT 1");
        let found = connection
            .prepare_cached(&sql)
            .and_then(|mut statement| {
                statement
                    .query_row(rusqlite::params![name, position], from_row)
                    .optional()
            })
            .map_err(|error| SqlError::store(&error))?;
        if let Some(found) = found {
            return decode(found).map(Some);
        }
    }
    Ok(None)
}
