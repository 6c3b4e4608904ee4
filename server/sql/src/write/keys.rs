//! PRIMARY KEY and UNIQUE checks of a statement's new row images, against
//! the current rows it does not change and against each other.
//!
//! Each key's lookup query is built once per statement and prepared once
//! per check, and the images are compared with each other through a hash
//! set of borrowed key values: a 1,000-row INSERT costs 1,000 index probes,
//! not 1,000 query texts and 1,000 formatted keys.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{OptionalExtension, Statement};

use crate::cell::Cell;
use crate::error::SqlError;
use crate::store::{quote, TableEntry, TenantStore};

/// One key: its name for messages, the schema positions of its columns and
/// the query that finds the current row holding given values.
#[derive(Clone, Debug)]
pub struct Key {
    /// `primary key` or the constraint's name.
    pub name: String,
    /// Column positions.
    pub columns: Vec<usize>,
    lookup: String,
}

impl Key {
    fn new(entry: &TableEntry, name: String, columns: Vec<usize>) -> Self {
        let conditions: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(n, index)| format!("{} = ?{}", quote(&entry.columns[*index]), n + 1))
            .collect();
        let lookup = format!(
            "SELECT kmb_row FROM {} WHERE kmb_to IS NULL AND {} LIMIT 1",
            entry.sqlite_name(),
            conditions.join(" AND ")
        );
        Self {
            name,
            columns,
            lookup,
        }
    }
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
        let columns = entry
            .schema
            .primary_key
            .iter()
            .filter_map(position)
            .collect();
        keys.push(Key::new(entry, "primary key".to_owned(), columns));
    }
    for unique in &entry.schema.unique_constraints {
        let columns = unique.columns.iter().filter_map(position).collect();
        keys.push(Key::new(
            entry,
            format!("constraint {:?}", unique.name),
            columns,
        ));
    }
    keys
}

/// A key value as compared within one statement: the stored form, with
/// both zeros of a real as one (SQLite's `=` says they are equal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum KeyPart<'a> {
    Integer(i64),
    Real(u64),
    Text(&'a str),
    Blob(&'a [u8]),
}

fn key_part(cell: &Cell) -> Option<KeyPart<'_>> {
    match cell {
        Cell::Null => None,
        Cell::Integer(integer) => Some(KeyPart::Integer(*integer)),
        Cell::Real(real) if *real == 0.0 => Some(KeyPart::Real(0.0_f64.to_bits())),
        Cell::Real(real) => Some(KeyPart::Real(real.to_bits())),
        Cell::Text(text) => Some(KeyPart::Text(text)),
        Cell::Blob(blob) => Some(KeyPart::Blob(blob)),
    }
}

/// The key's values in `image`, or `None` if one is NULL (NULLs never clash).
pub fn key_values<'a>(key: &Key, image: &'a [Cell]) -> Option<Vec<&'a Cell>> {
    key.columns
        .iter()
        .map(|index| image.get(*index).filter(|cell| !cell.is_null()))
        .collect()
}

fn lookup(statement: &mut Statement<'_>, values: &[&Cell]) -> Result<Option<i64>, SqlError> {
    statement
        .query_row(rusqlite::params_from_iter(values), |row| row.get(0))
        .optional()
        .map_err(|error| SqlError::store(&error))
}

/// The current row holding `values` in the key's columns, if any.
pub fn find_current(
    store: &TenantStore,
    key: &Key,
    values: &[&Cell],
) -> Result<Option<i64>, SqlError> {
    let mut statement = store
        .writer()
        .prepare_cached(&key.lookup)
        .map_err(|error| SqlError::store(&error))?;
    lookup(&mut statement, values)
}

/// Fails if two of `images` share one of `table_keys` (the [`keys`] of
/// `entry`), or one shares a key with a current row outside `changed` (rows
/// the statement rewrites or removes).
pub fn check_unique(
    store: &TenantStore,
    entry: &TableEntry,
    table_keys: &[Key],
    images: &[&(i64, Vec<Cell>)],
    changed: &BTreeSet<i64>,
) -> Result<(), SqlError> {
    if images.is_empty() {
        return Ok(());
    }
    for key in table_keys {
        let mut statement = store
            .writer()
            .prepare_cached(&key.lookup)
            .map_err(|error| SqlError::store(&error))?;
        let mut seen: HashMap<Vec<KeyPart<'_>>, i64> = HashMap::with_capacity(images.len());
        for (row_id, image) in images {
            let Some(values) = key_values(key, image) else {
                continue;
            };
            let violation = || SqlError::UniqueViolation {
                table: entry.schema.name.clone(),
                constraint: key.name.clone(),
                values: values
                    .iter()
                    .map(|cell| cell.display())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let parts: Vec<KeyPart<'_>> = values.iter().filter_map(|cell| key_part(cell)).collect();
            // NULLs were excluded above, so every value has its part.
            if seen.insert(parts, *row_id).is_some() {
                return Err(violation());
            }
            if let Some(existing) = lookup(&mut statement, &values)? {
                if existing != *row_id && !changed.contains(&existing) {
                    return Err(violation());
                }
            }
        }
    }
    Ok(())
}
