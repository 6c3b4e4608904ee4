//! Answers that read the catalog and history rather than current rows:
//! `SHOW TABLES`, `SHOW STREAMS`, `DESCRIBE t` and `HISTORY OF t`.

use kimberlite_kernel::StreamKind;
use kimberlite_protocol::{TenantId, Value};
use kimberlite_storage::engine::{Engine, EngineError};

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
/// oldest first, with its position, commit time, operation and actor; only
/// versions from positions before `limit` (the first record in flight), if set.
pub fn history(
    store: &TenantStore,
    table: &str,
    limit: Option<u64>,
    extended: bool,
) -> Result<QueryOutput, SqlError> {
    let entry = store
        .latest_table(table)?
        .ok_or_else(|| SqlError::TableNotFound(table.to_owned()))?;
    let mut items = vec![
        "h.kmb_from AS position".to_owned(),
        "a.timestamp AS timestamp".to_owned(),
        "h.kmb_op AS operation".to_owned(),
        "h.kmb_actor AS actor".to_owned(),
        "h.kmb_row AS row_id".to_owned(),
    ];
    for (column, stored) in entry.schema.columns.iter().zip(&entry.columns) {
        items.push(format!("h.{} AS {}", quote(stored), quote(&column.name)));
    }
    let filter = limit.map_or_else(String::new, |limit| format!("WHERE h.kmb_from < {limit}"));
    let sql = format!(
        "SELECT {} FROM {} AS h JOIN kmb_audit AS a ON a.position = h.kmb_from {filter} \
         ORDER BY h.kmb_from, h.kmb_row",
        items.join(", "),
        entry.sqlite_name()
    );
    Ok(run(store.reader(), &sql, &[], &[])?.into_output(extended))
}

/// `SHOW STREAMS`: the tenant's event streams, by id, with their durable length.
pub fn show_streams(engine: &Engine, tenant: TenantId) -> Result<QueryOutput, SqlError> {
    let catalog = engine.catalog();
    let Some(found) = catalog.tenant(tenant) else {
        return Err(SqlError::Engine(EngineError::TenantNotFound(tenant.get())));
    };
    let mut rows = Vec::new();
    for stream in found.streams() {
        if stream.kind() != StreamKind::Events {
            continue;
        }
        let length = engine.stream_length(tenant, stream.id())?;
        rows.push(vec![
            Value::BigInt(i64::try_from(stream.id().get()).unwrap_or(i64::MAX)),
            Value::Text(stream.name().to_owned()),
            Value::Text(format!("{:?}", stream.data_class())),
            Value::BigInt(i64::try_from(length).unwrap_or(i64::MAX)),
        ]);
    }
    Ok(QueryOutput::Rows {
        columns: ["stream_id", "name", "data_class", "length"]
            .map(str::to_owned)
            .to_vec(),
        rows,
    })
}
