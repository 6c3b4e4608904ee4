//! Evaluating expressions of writes with SQLite itself: constants (defaults)
//! on a private in-memory database, and the rows a statement touches as
//! queries over the current rows with their hidden row ids.

use std::cell::RefCell;

use kimberlite_protocol::Value;
use rusqlite::Connection;
use sqlparser::parser::Parser;

use crate::cell::Cell;
use crate::error::SqlError;
use crate::front::DIALECT;
use crate::read::{run, RawRows};
use crate::rewrite::{rewrite_query, Visibility};
use crate::store::TenantStore;

thread_local! {
    static CONSTANTS: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

/// The value of a constant SQL expression (no columns, no parameters).
pub fn evaluate_constant(expression: &str) -> Result<Cell, SqlError> {
    CONSTANTS.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Some(Connection::open_in_memory().map_err(|error| SqlError::store(&error))?);
        }
        let connection = slot
            .as_ref()
            .ok_or_else(|| SqlError::Store("no SQLite connection".into()))?;
        let rows = run(connection, &format!("SELECT {expression}"), &[], &[]).map_err(|error| {
            SqlError::InvalidRequest(format!("DEFAULT {expression} is not a constant: {error}"))
        })?;
        rows.rows
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
            .ok_or_else(|| SqlError::InvalidRequest(format!("DEFAULT {expression} has no value")))
    })
}

/// Runs an internal query (built from parts of a statement) over the rows
/// `visibility` selects, each table with its `kmb_row`.
pub fn select_internal(
    store: &TenantStore,
    sql: &str,
    params: &[Value],
    extra: &[(&str, &Cell)],
    visibility: Visibility,
) -> Result<RawRows, SqlError> {
    let mut parser = Parser::new(&DIALECT)
        .try_with_sql(sql)
        .map_err(|error| SqlError::from_parser(&error))?;
    let mut query = parser
        .parse_query()
        .map_err(|error| SqlError::from_parser(&error))?;
    rewrite_query(store, &mut query, visibility, true)?;
    run(store.writer(), &query.to_string(), params, extra)
}
