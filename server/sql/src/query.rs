//! Queries and `EXPLAIN` over a tenant's views, at one visibility.

use kimberlite_protocol::Value;
use sqlparser::ast::Statement;

use crate::error::SqlError;
use crate::output::QueryOutput;
use crate::read::run;
use crate::rewrite::{rewrite_query, Visibility};
use crate::store::TenantStore;

/// Runs `query` (the statement text `sql`), rewritten to read the rows
/// `visibility` allows; the store keeps the rewritten text for the next time.
pub fn query_rows(
    store: &mut TenantStore,
    sql: &str,
    query: &sqlparser::ast::Query,
    params: &[Value],
    visibility: Visibility,
    extended: bool,
) -> Result<QueryOutput, SqlError> {
    let text = store.rewritten(sql, visibility, |store| {
        let mut query = query.clone();
        rewrite_query(store, &mut query, visibility, false)?;
        Ok(query.to_string())
    })?;
    Ok(run(store.reader(), &text, params, &[])?.into_output(extended))
}

/// `EXPLAIN` of a query: SQLite's plan, one line per row.
pub fn explain(
    store: &TenantStore,
    statement: Statement,
    params: &[Value],
    visibility: Visibility,
) -> Result<QueryOutput, SqlError> {
    let Statement::Query(mut query) = statement else {
        return Err(SqlError::Unsupported(
            "EXPLAIN of anything but a query".into(),
        ));
    };
    rewrite_query(store, &mut query, visibility, false)?;
    let raw = run(
        store.reader(),
        &format!("EXPLAIN QUERY PLAN {query}"),
        params,
        &[],
    )?;
    let detail = raw
        .columns
        .iter()
        .position(|column| column == "detail")
        .unwrap_or(0);
    let rows = raw
        .rows
        .into_iter()
        .map(|row| match row.into_iter().nth(detail) {
            Some(crate::cell::Cell::Text(text)) => vec![Value::Text(text)],
            _ => vec![Value::Null],
        })
        .collect();
    Ok(QueryOutput::Rows {
        columns: vec!["plan".to_owned()],
        rows,
    })
}
