//! The fixed tables of a store file: settings, the table catalog, the audit
//! rows, and their creation.

use rusqlite::{Connection, OptionalExtension};

use crate::error::SqlError;

/// Connection settings. The file is a cache rebuilt from the log, so it
/// skips `fsync` (a torn file is detected by SQLite and rebuilt).
pub fn configure(connection: &Connection) -> Result<(), SqlError> {
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = OFF;
             PRAGMA foreign_keys = OFF;",
        )
        .map_err(|error| SqlError::store(&error))
}

/// Creates the fixed tables if missing.
pub fn create_meta_tables(connection: &Connection, format: i64) -> Result<(), SqlError> {
    connection
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS kmb_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS kmb_tables (
                 id INTEGER PRIMARY KEY,
                 name TEXT NOT NULL,
                 created_pos INTEGER NOT NULL,
                 dropped_pos INTEGER,
                 schema_json TEXT NOT NULL,
                 columns_json TEXT NOT NULL,
                 next_column INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS kmb_tables_name ON kmb_tables (name, created_pos);
             CREATE TABLE IF NOT EXISTS kmb_audit (
                 position BIGINT NOT NULL,
                 timestamp TIMESTAMP_INT NOT NULL,
                 actor TEXT,
                 reason TEXT,
                 correlation_id TEXT,
                 statement TEXT NOT NULL,
                 table_name TEXT,
                 rows_affected BIGINT NOT NULL
             );
             CREATE UNIQUE INDEX IF NOT EXISTS kmb_audit_position ON kmb_audit (position);",
        )
        .map_err(|error| SqlError::store(&error))?;
    connection
        .execute(
            "INSERT OR IGNORE INTO kmb_meta (key, value) VALUES ('format', ?1)",
            [format],
        )
        .map_err(|error| SqlError::store(&error))?;
    Ok(())
}

/// A value of `kmb_meta`, if the table and the key exist.
pub fn read_meta(connection: &Connection, key: &str) -> Result<Option<i64>, SqlError> {
    let exists: Option<i64> = connection
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kmb_meta'",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(|error| SqlError::store(&error))?;
    if exists.is_none() {
        return Ok(None);
    }
    connection
        .query_row("SELECT value FROM kmb_meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()
        .map_err(|error| SqlError::store(&error))
}

/// Sets a value of `kmb_meta`.
pub fn write_meta(connection: &Connection, key: &str, value: i64) -> Result<(), SqlError> {
    connection
        .prepare_cached(
            "INSERT INTO kmb_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .and_then(|mut statement| statement.execute(rusqlite::params![key, value]))
        .map(|_| ())
        .map_err(|error| SqlError::store(&error))
}

/// `name` as a double-quoted SQLite identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
