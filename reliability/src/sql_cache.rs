//! Damage to the SQL view caches (`sql/tenant-<id>.sqlite`), derived files
//! rebuilt from the tenant's SQL log: the cache deleted, its header garbled,
//! one stored value changed. After a restart of the real binary every query
//! must answer the logged rows or fail cleanly; a changed value served as if
//! true is a finding (SQLite keeps no checksum of row contents).

use std::fs;
use std::path::Path;
use std::time::Duration;

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, TenantId, Value};

use crate::process::{self, ServerProcess};
use crate::security::Check;

const ROWS: i64 = 20;
const CACHE: &str = "sql/tenant-1.sqlite";

fn connect(address: &str) -> Result<Client, String> {
    let options = ConnectOptions::new(TenantId(1)).reconnect_attempts(1);
    Client::connect(address, options).map_err(|error| format!("connect: {error}"))
}

fn value(row: i64) -> String {
    format!("logged-value-{row:04}")
}

/// A development node with one table of `ROWS` rows, stopped.
fn populated(binary: &Path, dir: &Path) -> Result<(), String> {
    process::init(binary, dir, true)?;
    let mut server = ServerProcess::spawn(binary, dir, &[], "warn")?;
    let client = connect(&server.wait_listening(Duration::from_secs(60))?)?;
    let fail = |error: kimberlite::Error| error.to_string();
    client
        .execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, note TEXT)", &[])
        .map_err(fail)?;
    for row in 0..ROWS {
        let insert = format!("INSERT INTO notes VALUES ({row}, '{}')", value(row));
        client.execute(&insert, &[]).map_err(fail)?;
    }
    drop(client);
    server.terminate().map(|_| ())
}

/// What a restarted node answers: correct, a clean error, or wrong rows.
fn answer_after_restart(binary: &Path, dir: &Path) -> Result<(bool, String), String> {
    let mut server = ServerProcess::spawn(binary, dir, &[], "warn")?;
    let address = match server.wait_listening(Duration::from_secs(60)) {
        Ok(address) => address,
        Err(error) => return Ok((true, format!("refused to start: {error}"))),
    };
    let answer = connect(&address)?.query("SELECT id, note FROM notes ORDER BY id", &[]);
    let (status, output) = server.terminate()?;
    let panicked = output.contains("panicked") || !status.success();
    let expected: Vec<Vec<Value>> = (0..ROWS)
        .map(|row| vec![Value::BigInt(row), Value::Text(value(row))])
        .collect();
    Ok(match answer {
        Ok(result) if result.rows == expected => (!panicked, "the logged rows".to_owned()),
        Ok(result) => {
            let wrong = result.rows.iter().zip(&expected).find(|(a, b)| a != b);
            (false, format!("WRONG rows, first: {wrong:?}"))
        }
        Err(error) => (!panicked, format!("clean error: {error}")),
    })
}

/// Runs each kind of damage on a fresh node.
///
/// # Errors
/// A message when a node cannot be set up (not a finding).
pub fn sql_cache_checks(binary: &Path) -> Result<Vec<Check>, String> {
    let mut checks = Vec::new();
    type Damage = fn(&Path) -> Result<(), String>;
    let damages: [(&str, Damage); 3] = [
        ("deleted", |cache| {
            fs::remove_file(cache).map_err(|error| error.to_string())
        }),
        ("header garbled (first 100 bytes)", |cache| {
            let mut bytes = fs::read(cache).map_err(|error| error.to_string())?;
            bytes.iter_mut().take(100).for_each(|byte| *byte ^= 0x5A);
            fs::write(cache, bytes).map_err(|error| error.to_string())
        }),
        (
            "one stored value changed (a bit flip inside a row)",
            |cache| {
                let mut bytes = fs::read(cache).map_err(|error| error.to_string())?;
                let needle = value(7).into_bytes();
                let at = bytes
                    .windows(needle.len())
                    .position(|window| window == needle)
                    .ok_or("value not found in the cache file")?;
                bytes[at + needle.len() - 1] ^= 0x01;
                fs::write(cache, bytes).map_err(|error| error.to_string())
            },
        ),
    ];
    for (what, damage) in damages {
        let temp = tempfile::tempdir().map_err(|error| error.to_string())?;
        let dir = temp.path().join("data");
        populated(binary, &dir)?;
        damage(&dir.join(CACHE))?;
        let (verified, verify_text) = process::verify(binary, &dir)?;
        let (passed, found) = answer_after_restart(binary, &dir)?;
        let verify_says = if verified { "passes" } else { "fails" };
        checks.push(Check::new(
            format!("SQL cache {what}"),
            passed,
            format!(
                "after a restart: {found}; kimberlite verify {verify_says}{}",
                if verified {
                    String::new()
                } else {
                    format!(": {}", verify_text.lines().next().unwrap_or(""))
                }
            ),
        ));
    }
    Ok(checks)
}
