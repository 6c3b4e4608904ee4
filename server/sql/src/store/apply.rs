//! Applying SQL log records to the store: catalog changes first, then row
//! versions, then the audit row and the next position, in the open
//! transaction.

use kimberlite_kernel::{ColumnDef, TableAlteration, TableChange, TableSchema};
use rusqlite::Connection;

use super::entry::TableEntry;
use super::layout::quote;
use super::TenantStore;
use crate::cell::Cell;
use crate::column_type::sqlite_declaration;
use crate::error::SqlError;
use crate::record::{RowOp, SqlRecord};

/// One decoded SQL log record.
#[derive(Clone, Debug)]
pub struct LoggedRecord {
    /// Its position in the SQL log.
    pub position: u64,
    /// Its commit time, ns since the epoch.
    pub timestamp_ns: u64,
    /// The catalog changes.
    pub table_changes: Vec<TableChange>,
    /// The resolved effect.
    pub record: SqlRecord,
}

/// Position and time of the record being applied, as SQLite integers.
#[derive(Clone, Copy)]
struct Stamp {
    position: i64,
    timestamp_ns: i64,
}

fn store_error(error: &rusqlite::Error) -> SqlError {
    SqlError::store(error)
}

impl TenantStore {
    /// Applies records in order in the open transaction. Each must be the
    /// next position. On failure the transaction is rolled back: the store
    /// is back at its last commit (behind the log) and must be rebuilt or
    /// caught up.
    pub fn apply(&mut self, records: &[LoggedRecord]) -> Result<(), SqlError> {
        self.rewrites.clear();
        self.begin()?;
        let mut next = self.next_position;
        let result = self.write_commit_times();
        let result = result.and_then(|()| {
            records.iter().try_for_each(|logged| {
                if logged.position != next {
                    return Err(SqlError::CorruptRecord {
                        position: logged.position,
                        message: format!("expected position {next}"),
                    });
                }
                self.apply_one(logged)?;
                next += 1;
                Ok(())
            })
        });
        match result {
            Ok(()) => {
                self.next_position = next;
                self.uncommitted += records.len();
                Ok(())
            }
            Err(error) => {
                self.roll_back()?;
                Err(error)
            }
        }
    }

    fn apply_one(&mut self, logged: &LoggedRecord) -> Result<(), SqlError> {
        let stamp = Stamp {
            position: to_i64(logged.position),
            timestamp_ns: to_i64(logged.timestamp_ns),
        };
        for change in &logged.table_changes {
            self.apply_change(stamp, change)?;
        }
        let actor = logged.record.audit.actor.as_deref();
        for op in &logged.record.row_ops {
            self.apply_row_op(stamp, actor, op)?;
        }
        let audit = &logged.record.audit;
        self.writer
            .prepare_cached(
                "INSERT INTO kmb_audit (position, timestamp, actor, reason, correlation_id,
                     statement, table_name, rows_affected)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut statement| {
                statement.execute(rusqlite::params![
                    stamp.position,
                    stamp.timestamp_ns,
                    audit.actor,
                    audit.reason,
                    audit.correlation_id,
                    logged.record.statement,
                    logged.record.table,
                    to_i64(logged.record.rows_affected),
                ])
            })
            .map(|_| ())
            .map_err(|e| store_error(&e))
    }

    fn entry(&self, table: &str) -> Result<&TableEntry, SqlError> {
        self.tables
            .get(table)
            .ok_or_else(|| SqlError::TableNotFound(table.to_owned()))
    }

    fn entry_mut(&mut self, table: &str) -> Result<&mut TableEntry, SqlError> {
        self.tables
            .get_mut(table)
            .ok_or_else(|| SqlError::TableNotFound(table.to_owned()))
    }

    fn apply_change(&mut self, stamp: Stamp, change: &TableChange) -> Result<(), SqlError> {
        match change {
            TableChange::CreateTable(schema) => self.create_table(stamp, schema),
            TableChange::DropTable { table } => {
                let mut entry = self
                    .tables
                    .remove(table)
                    .ok_or_else(|| SqlError::TableNotFound(table.clone()))?;
                close_all(&self.writer, &entry, stamp)?;
                entry.dropped_pos = Some(stamp.position);
                entry.save(&self.writer)
            }
            TableChange::AlterTable { table, alteration } => {
                let entry = self
                    .tables
                    .get_mut(table)
                    .ok_or_else(|| SqlError::TableNotFound(table.clone()))?;
                alter(&self.writer, entry, alteration)?;
                entry.save(&self.writer)
            }
            TableChange::CreateIndex { table, index } => {
                let entry = self.entry_mut(table)?;
                entry.schema.indexes.push(index.clone());
                let entry = entry.clone();
                create_sqlite_index(&self.writer, &entry, &index.name, &index.columns)?;
                entry.save(&self.writer)
            }
            TableChange::DropIndex { index } => {
                let owner = self
                    .tables
                    .values_mut()
                    .find(|entry| entry.schema.index(index).is_some());
                if let Some(entry) = owner {
                    entry
                        .schema
                        .indexes
                        .retain(|existing| existing.name != *index);
                    let entry = entry.clone();
                    let sql = format!("DROP INDEX IF EXISTS {}", index_name(index));
                    self.writer
                        .execute_batch(&sql)
                        .map_err(|e| store_error(&e))?;
                    entry.save(&self.writer)?;
                }
                Ok(())
            }
            TableChange::RowChanges { .. } => Ok(()),
        }
    }

    fn create_table(&mut self, stamp: Stamp, schema: &TableSchema) -> Result<(), SqlError> {
        let id: i64 = self
            .writer
            .query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM kmb_tables",
                [],
                |row| row.get(0),
            )
            .map_err(|e| store_error(&e))?;
        let columns: Vec<String> = (0..schema.columns.len()).map(|n| format!("c{n}")).collect();
        let entry = TableEntry {
            id,
            schema: schema.clone(),
            next_column: to_i64(columns.len() as u64),
            columns,
            created_pos: stamp.position,
            dropped_pos: None,
        };
        let mut definition = vec![
            "kmb_row INTEGER NOT NULL".to_owned(),
            "kmb_from BIGINT NOT NULL".to_owned(),
            "kmb_to BIGINT".to_owned(),
            "kmb_op TEXT NOT NULL".to_owned(),
            "kmb_actor TEXT".to_owned(),
        ];
        for (column, stored) in schema.columns.iter().zip(&entry.columns) {
            definition.push(format!(
                "{} {}",
                quote(stored),
                sqlite_declaration(&column.column_type)
            ));
        }
        let name = entry.sqlite_name();
        let sql = format!(
            "CREATE TABLE {name} ({});
             CREATE INDEX {name}_row ON {name} (kmb_row, kmb_to);
             CREATE INDEX {name}_from ON {name} (kmb_from);",
            definition.join(", ")
        );
        self.writer
            .execute_batch(&sql)
            .map_err(|e| store_error(&e))?;
        if !schema.primary_key.is_empty() {
            let index = format!("kmb_pk_{id}");
            create_sqlite_index(&self.writer, &entry, &index, &schema.primary_key)?;
            // Queries at a past position cannot use the partial index of current
            // rows: this one finds a key's versions up to the position directly.
            let history = format!("kmb_pkh_{id}");
            create_history_index(&self.writer, &entry, &history, &schema.primary_key)?;
        }
        for unique in &schema.unique_constraints {
            let index = format!("kmb_uq_{id}_{}", hex::encode(&unique.name));
            create_sqlite_index(&self.writer, &entry, &index, &unique.columns)?;
        }
        for index in &schema.indexes {
            create_sqlite_index(&self.writer, &entry, &index.name, &index.columns)?;
        }
        entry.save(&self.writer)?;
        self.tables.insert(schema.name.clone(), entry);
        Ok(())
    }

    fn apply_row_op(
        &mut self,
        stamp: Stamp,
        actor: Option<&str>,
        op: &RowOp,
    ) -> Result<(), SqlError> {
        match op {
            RowOp::Insert {
                table,
                columns,
                rows,
            } => {
                let entry = self
                    .tables
                    .get(table)
                    .ok_or_else(|| SqlError::TableNotFound(table.clone()))?;
                insert_versions(&self.writer, entry, stamp, actor, "INSERT", columns, rows)?;
                super::note_row_ids(&mut self.next_row_ids, &self.writer, entry, rows)
            }
            RowOp::Update {
                table,
                columns,
                rows,
            } => {
                let entry = self.entry(table)?;
                for (row_id, _) in rows {
                    close_row(&self.writer, entry, stamp, *row_id)?;
                }
                insert_versions(&self.writer, entry, stamp, actor, "UPDATE", columns, rows)
            }
            RowOp::Delete { table, row_ids } => {
                let entry = self.entry_mut(table)?.clone();
                for row_id in row_ids {
                    close_row(&self.writer, &entry, stamp, *row_id)?;
                    tombstone(&self.writer, &entry, stamp, actor, *row_id)?;
                }
                Ok(())
            }
            RowOp::FillColumn {
                table,
                column,
                value,
            } => {
                let entry = self.entry_mut(table)?.clone();
                let stored =
                    entry
                        .sqlite_column(column)
                        .ok_or_else(|| SqlError::ColumnNotFound {
                            table: table.clone(),
                            column: column.clone(),
                        })?;
                let sql = format!(
                    "UPDATE {} SET {} = ?1 WHERE kmb_to IS NULL",
                    entry.sqlite_name(),
                    quote(stored)
                );
                self.writer
                    .execute(&sql, [value])
                    .map(|_| ())
                    .map_err(|e| store_error(&e))
            }
        }
    }
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn index_name(index: &str) -> String {
    quote(&format!("kmb_ix_{}", hex::encode(index)))
}

/// An index of the current rows (`kmb_to IS NULL`) on `columns`.
fn create_sqlite_index(
    connection: &Connection,
    entry: &TableEntry,
    name: &str,
    columns: &[String],
) -> Result<(), SqlError> {
    let stored = stored_columns(entry, columns);
    let sql = format!(
        "CREATE INDEX IF NOT EXISTS {} ON {} ({}) WHERE kmb_to IS NULL",
        sqlite_index_name(name),
        entry.sqlite_name(),
        stored.join(", ")
    );
    connection.execute_batch(&sql).map_err(|e| store_error(&e))
}

/// An index of every version on `columns` and then `kmb_from`, for queries at
/// a past position (`kmb_from <= P AND ...` on a key).
fn create_history_index(
    connection: &Connection,
    entry: &TableEntry,
    name: &str,
    columns: &[String],
) -> Result<(), SqlError> {
    let mut stored = stored_columns(entry, columns);
    stored.push("kmb_from".to_owned());
    let sql = format!(
        "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
        sqlite_index_name(name),
        entry.sqlite_name(),
        stored.join(", ")
    );
    connection.execute_batch(&sql).map_err(|e| store_error(&e))
}

fn stored_columns(entry: &TableEntry, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .filter_map(|column| entry.sqlite_column(column).map(quote))
        .collect()
}

fn sqlite_index_name(name: &str) -> String {
    if name.starts_with("kmb_") {
        quote(name)
    } else {
        index_name(name)
    }
}

fn alter(
    connection: &Connection,
    entry: &mut TableEntry,
    alteration: &TableAlteration,
) -> Result<(), SqlError> {
    match alteration {
        TableAlteration::AddColumn(column) => add_column(connection, entry, column),
        TableAlteration::DropColumn { column } => {
            if let Some(index) = entry.schema.columns.iter().position(|c| c.name == *column) {
                entry.schema.columns.remove(index);
                entry.columns.remove(index);
            }
            Ok(())
        }
        TableAlteration::RenameColumn { from, to } => {
            let rename = |name: &mut String| {
                if name == from {
                    to.clone_into(name);
                }
            };
            entry
                .schema
                .columns
                .iter_mut()
                .for_each(|c| rename(&mut c.name));
            entry.schema.primary_key.iter_mut().for_each(rename);
            for unique in &mut entry.schema.unique_constraints {
                unique.columns.iter_mut().for_each(rename);
            }
            for index in &mut entry.schema.indexes {
                index.columns.iter_mut().for_each(rename);
            }
            Ok(())
        }
    }
}

fn add_column(
    connection: &Connection,
    entry: &mut TableEntry,
    column: &ColumnDef,
) -> Result<(), SqlError> {
    let stored = format!("c{}", entry.next_column);
    entry.next_column += 1;
    let sql = format!(
        "ALTER TABLE {} ADD COLUMN {} {}",
        entry.sqlite_name(),
        quote(&stored),
        sqlite_declaration(&column.column_type)
    );
    connection
        .execute_batch(&sql)
        .map_err(|e| store_error(&e))?;
    entry.schema.columns.push(column.clone());
    entry.columns.push(stored);
    Ok(())
}

fn close_all(connection: &Connection, entry: &TableEntry, stamp: Stamp) -> Result<(), SqlError> {
    let sql = format!(
        "UPDATE {} SET kmb_to = ?1 WHERE kmb_to IS NULL",
        entry.sqlite_name()
    );
    connection
        .execute(&sql, [stamp.position])
        .map(|_| ())
        .map_err(|e| store_error(&e))
}

fn close_row(
    connection: &Connection,
    entry: &TableEntry,
    stamp: Stamp,
    row_id: i64,
) -> Result<(), SqlError> {
    let sql = format!(
        "UPDATE {} SET kmb_to = ?1 WHERE kmb_row = ?2 AND kmb_to IS NULL",
        entry.sqlite_name()
    );
    connection
        .prepare_cached(&sql)
        .and_then(|mut statement| statement.execute([stamp.position, row_id]))
        .map(|_| ())
        .map_err(|e| store_error(&e))
}

/// A version of the deleted row that is valid nowhere (`kmb_from = kmb_to`),
/// so `HISTORY OF` shows the deletion with its actor while no position sees it.
fn tombstone(
    connection: &Connection,
    entry: &TableEntry,
    stamp: Stamp,
    actor: Option<&str>,
    row_id: i64,
) -> Result<(), SqlError> {
    let columns: Vec<String> = entry.columns.iter().map(|c| quote(c)).collect();
    let list = columns.join(", ");
    let sql = format!(
        "INSERT INTO {name} (kmb_row, kmb_from, kmb_to, kmb_op, kmb_actor{comma}{list})
         SELECT kmb_row, ?1, ?1, 'DELETE', ?2{comma}{list} FROM {name}
         WHERE kmb_row = ?3 AND kmb_to = ?1 AND kmb_op <> 'DELETE'",
        name = entry.sqlite_name(),
        comma = if columns.is_empty() { "" } else { ", " },
    );
    connection
        .prepare_cached(&sql)
        .and_then(|mut statement| {
            statement.execute(rusqlite::params![stamp.position, actor, row_id])
        })
        .map(|_| ())
        .map_err(|e| store_error(&e))
}

fn insert_versions(
    connection: &Connection,
    entry: &TableEntry,
    stamp: Stamp,
    actor: Option<&str>,
    operation: &str,
    columns: &[String],
    rows: &[(i64, Vec<Cell>)],
) -> Result<(), SqlError> {
    let mut stored = Vec::with_capacity(columns.len());
    for column in columns {
        let name = entry
            .sqlite_column(column)
            .ok_or_else(|| SqlError::ColumnNotFound {
                table: entry.schema.name.clone(),
                column: column.clone(),
            })?;
        stored.push(quote(name));
    }
    let placeholders: Vec<String> = (0..columns.len()).map(|n| format!("?{}", n + 5)).collect();
    let comma = if columns.is_empty() { "" } else { ", " };
    let sql = format!(
        "INSERT INTO {} (kmb_row, kmb_from, kmb_op, kmb_actor{comma}{})
         VALUES (?1, ?2, ?3, ?4{comma}{})",
        entry.sqlite_name(),
        stored.join(", "),
        placeholders.join(", ")
    );
    let mut statement = connection
        .prepare_cached(&sql)
        .map_err(|e| store_error(&e))?;
    statement
        .raw_bind_parameter(2, stamp.position)
        .and_then(|()| statement.raw_bind_parameter(3, operation))
        .and_then(|()| statement.raw_bind_parameter(4, actor))
        .map_err(|e| store_error(&e))?;
    for (row_id, values) in rows {
        if values.len() != columns.len() {
            return Err(SqlError::Store(format!(
                "a row of {} values for {} columns",
                values.len(),
                columns.len()
            )));
        }
        statement
            .raw_bind_parameter(1, row_id)
            .map_err(|e| store_error(&e))?;
        for (index, value) in values.iter().enumerate() {
            statement
                .raw_bind_parameter(index + 5, value)
                .map_err(|e| store_error(&e))?;
        }
        statement.raw_execute().map_err(|e| store_error(&e))?;
    }
    Ok(())
}
