//! Row images: full rows in schema order, each value coerced to its column's
//! type, defaults filled in and NOT NULL checked.

use kimberlite_kernel::TableSchema;

use super::eval::evaluate_constant;
use crate::cell::Cell;
use crate::coerce::coerce;
use crate::error::SqlError;

/// The schema position of each named column.
pub fn column_indexes(schema: &TableSchema, names: &[String]) -> Result<Vec<usize>, SqlError> {
    names
        .iter()
        .map(|name| {
            schema
                .columns
                .iter()
                .position(|column| column.name == *name)
                .ok_or_else(|| SqlError::ColumnNotFound {
                    table: schema.name.clone(),
                    column: name.clone(),
                })
        })
        .collect()
}

/// The default value of every column (NULL where none is declared).
pub fn defaults(schema: &TableSchema) -> Result<Vec<Cell>, SqlError> {
    schema
        .columns
        .iter()
        .map(|column| match &column.default {
            Some(text) => coerce(column, evaluate_constant(text)?),
            None => Ok(Cell::Null),
        })
        .collect()
}

/// Replaces the values at `indexes` of `image` by `values`, coerced.
pub fn assign(
    schema: &TableSchema,
    image: &mut [Cell],
    indexes: &[usize],
    values: Vec<Cell>,
) -> Result<(), SqlError> {
    for (index, value) in indexes.iter().zip(values) {
        let column = &schema.columns[*index];
        image[*index] = coerce(column, value)?;
    }
    Ok(())
}

/// Fails if a NOT NULL column of `image` is NULL.
pub fn check_not_null(schema: &TableSchema, image: &[Cell]) -> Result<(), SqlError> {
    for (column, value) in schema.columns.iter().zip(image) {
        if !column.nullable && value.is_null() {
            return Err(SqlError::NotNull {
                table: schema.name.clone(),
                column: column.name.clone(),
            });
        }
    }
    Ok(())
}

/// The column names of `schema`, in order.
pub fn column_names(schema: &TableSchema) -> Vec<String> {
    schema
        .columns
        .iter()
        .map(|column| column.name.clone())
        .collect()
}

/// A value as a SQL literal, for building internal queries.
pub fn literal(value: &Cell) -> String {
    match value {
        Cell::Null => "NULL".to_owned(),
        Cell::Integer(integer) => integer.to_string(),
        Cell::Real(real) if real.is_finite() => format!("{real:e}"),
        Cell::Real(_) => "NULL".to_owned(),
        Cell::Text(text) => format!("'{}'", text.replace('\'', "''")),
        Cell::Blob(blob) => format!("X'{}'", hex::encode(blob)),
    }
}
