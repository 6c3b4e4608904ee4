//! Answers that read the catalog and history rather than current rows:
//! `SHOW TABLES`, `DESCRIBE t` and `HISTORY OF t`.

use kimberlite_protocol::Value;

use crate::column_type::display;
use crate::error::SqlError;
use crate::output::QueryOutput;
use crate::read::run;
use crate::store::{quote, TenantStore};

/// `SHOW TABLES`: one row per current table, by name.
#[must_use]
pub fn show_tables(store: &TenantStore) -> QueryOutput {
    QueryOutput::Rows {
        columns: vec!["table_name".to_owned()],
        rows: store
            .tables()
            .keys()
            .map(|name| vec![Value::Text(name.clone())])
            .collect(),
    }
}

/// `DESCRIBE t`: one row per column.
pub fn describe(store: &TenantStore, table: &str) -> Result<QueryOutput, SqlError> {
    let entry = store
        .table(table)
        .ok_or_else(|| SqlError::TableNotFound(table.to_owned()))?;
    let schema = &entry.schema;
    let rows = schema
        .columns
        .iter()
        .map(|column| {
            vec![
                Value::Text(column.name.clone()),
                Value::Text(display(&column.column_type)),
                Value::Boolean(column.nullable),
                column.default.clone().map_or(Value::Null, Value::Text),
                Value::Boolean(schema.primary_key.contains(&column.name)),
            ]
        })
        .collect();
    Ok(QueryOutput::Rows {
        columns: ["column_name", "type", "nullable", "default", "primary_key"]
            .map(str::to_owned)
            .to_vec(),
        rows,
    })
}

/// `HISTORY OF t`: every version of every row of the table's latest life,
/// oldest first, with its position, commit time, operation and actor.
pub fn history(store: &TenantStore, table: &str, extended: bool) -> Result<QueryOutput, SqlError> {
    let entry = store
        .latest_table(table)?
        .ok_or_else(|| SqlError::TableNotFound(table.to_owned()))?;
    let mut items = vec![
        "kmb_from AS position".to_owned(),
        "kmb_from_ns AS timestamp".to_owned(),
        "kmb_op AS operation".to_owned(),
        "kmb_actor AS actor".to_owned(),
        "kmb_row AS row_id".to_owned(),
    ];
    for (column, stored) in entry.schema.columns.iter().zip(&entry.columns) {
        items.push(format!("{} AS {}", quote(stored), quote(&column.name)));
    }
    let sql = format!(
        "SELECT {} FROM {} ORDER BY kmb_from, kmb_row",
        items.join(", "),
        entry.sqlite_name()
    );
    Ok(run(store.reader(), &sql, &[], &[])?.into_output(extended))
}
