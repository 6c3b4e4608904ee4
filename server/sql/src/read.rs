//! Running SQL text on a store connection: parameters bound, result columns
//! typed from their declared SQLite types, cells turned into wire values.

use kimberlite_protocol::Value;
use rusqlite::Connection;

use crate::cell::Cell;
use crate::column_type::{result_kind, ResultKind};
use crate::error::SqlError;
use crate::output::QueryOutput;
use crate::values::{param_cell, result_value};

/// Raw results: column names, their kinds and the cells.
#[derive(Debug)]
pub struct RawRows {
    /// Column names.
    pub columns: Vec<String>,
    /// How to send each column.
    pub kinds: Vec<ResultKind>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

impl RawRows {
    /// As wire rows; extension value kinds only when `extended`.
    #[must_use]
    pub fn into_output(self, extended: bool) -> QueryOutput {
        let kinds = self.kinds;
        let rows = self
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&kinds)
                    .map(|(cell, kind)| result_value(cell, *kind, extended))
                    .collect()
            })
            .collect();
        QueryOutput::Rows {
            columns: self.columns,
            rows,
        }
    }
}

/// Runs `sql` with `params` as `?1..?n` (and `extra` named parameters).
pub fn run(
    connection: &Connection,
    sql: &str,
    params: &[Value],
    extra: &[(&str, &Cell)],
) -> Result<RawRows, SqlError> {
    let mut statement = connection
        .prepare_cached(sql)
        .map_err(|error| SqlError::execution(&error))?;
    let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
    let kinds: Vec<ResultKind> = statement
        .columns()
        .map(|column| result_kind(column.decl_type()))
        .collect();
    let wanted = statement.parameter_count();
    for index in 1..=wanted {
        let name = statement.parameter_name(index).map(str::to_owned);
        let named = name
            .as_deref()
            .and_then(|name| extra.iter().find(|(extra_name, _)| *extra_name == name));
        let value = match named {
            Some((_, cell)) => (*cell).clone(),
            None => {
                let value = params.get(index - 1).ok_or_else(|| {
                    SqlError::InvalidRequest(format!(
                        "the statement uses parameter ${index} but {} were given",
                        params.len()
                    ))
                })?;
                param_cell(value)
            }
        };
        statement
            .raw_bind_parameter(index, value)
            .map_err(|error| SqlError::execution(&error))?;
    }
    let mut rows = Vec::new();
    let mut cursor = statement.raw_query();
    while let Some(row) = cursor.next().map_err(|error| SqlError::execution(&error))? {
        let mut cells = Vec::with_capacity(columns.len());
        for index in 0..columns.len() {
            let value = row
                .get_ref(index)
                .map_err(|error| SqlError::execution(&error))?;
            cells.push(Cell::from_sqlite(value));
        }
        rows.push(cells);
    }
    Ok(RawRows {
        columns,
        kinds,
        rows,
    })
}
