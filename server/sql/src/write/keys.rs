//! PRIMARY KEY and UNIQUE checks of a statement's new row images, against
//! the current rows it does not change and against each other.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::OptionalExtension;

use crate::cell::Cell;
use crate::error::SqlError;
use crate::store::{quote, TableEntry, TenantStore};

/// One key: its name for messages and the schema positions of its columns.
#[derive(Clone, Debug)]
pub struct Key {
    /// `primary key` or the constraint's name.
    pub name: String,
    /// Column positions.
    pub columns: Vec<usize>,
}

/// The keys of a table: its primary key, then its UNIQUE constraints.
pub fn keys(entry: &TableEntry) -> Vec<Key> {
    let position = |name: &String| {
        entry
            .schema
            .columns
            .iter()
            .position(|column| column.name == *name)
    };
    let mut keys = Vec::new();
    if !entry.schema.primary_key.is_empty() {
        keys.push(Key {
            name: "primary key".to_owned(),
            columns: entry
                .schema
                .primary_key
                .iter()
                .filter_map(position)
                .collect(),
        });
    }
    for unique in &entry.schema.unique_constraints {
        keys.push(Key {
            name: format!("constraint {:?}", unique.name),
            columns: unique.columns.iter().filter_map(position).collect(),
        });
    }
    keys
}

/// The key's values in `image`, or `None` if one is NULL (NULLs never clash).
pub fn key_values(key: &Key, image: &[Cell]) -> Option<Vec<Cell>> {
    let values: Vec<Cell> = key
        .columns
        .iter()
        .map(|index| image[*index].clone())
        .collect();
    (!values.iter().any(Cell::is_null)).then_some(values)
}

/// The current row holding `values` in the key's columns, if any.
pub fn find_current(
    store: &TenantStore,
    entry: &TableEntry,
    key: &Key,
    values: &[Cell],
) -> Result<Option<i64>, SqlError> {
    let conditions: Vec<String> = key
        .columns
        .iter()
        .enumerate()
        .map(|(n, index)| format!("{} = ?{}", quote(&entry.columns[*index]), n + 1))
        .collect();
    let sql = format!(
        "SELECT kmb_row FROM {} WHERE kmb_to IS NULL AND {} LIMIT 1",
        entry.sqlite_name(),
        conditions.join(" AND ")
    );
    let mut statement = store
        .writer()
        .prepare_cached(&sql)
        .map_err(|error| SqlError::store(&error))?;
    statement
        .query_row(rusqlite::params_from_iter(values), |row| row.get(0))
        .optional()
        .map_err(|error| SqlError::store(&error))
}

/// Fails if two of `images` share a key, or one shares a key with a current
/// row outside `changed` (rows the statement rewrites or removes).
pub fn check_unique(
    store: &TenantStore,
    entry: &TableEntry,
    images: &[&(i64, Vec<Cell>)],
    changed: &BTreeSet<i64>,
) -> Result<(), SqlError> {
    for key in keys(entry) {
        let mut seen: BTreeMap<String, i64> = BTreeMap::new();
        for (row_id, image) in images {
            let Some(values) = key_values(&key, image) else {
                continue;
            };
            let violation = || SqlError::UniqueViolation {
                table: entry.schema.name.clone(),
                constraint: key.name.clone(),
                values: values
                    .iter()
                    .map(Cell::display)
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            if seen.insert(format!("{values:?}"), *row_id).is_some() {
                return Err(violation());
            }
            if let Some(existing) = find_current(store, entry, &key, &values)? {
                if existing != *row_id && !changed.contains(&existing) {
                    return Err(violation());
                }
            }
        }
    }
    Ok(())
}
