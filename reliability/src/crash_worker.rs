//! One crash-loop client: appends to its own stream with expected offsets and
//! runs SQL INSERTs, recording each write in its [`Ledger`] before sending it
//! (as pending) and after its acknowledgement (as known), until the server dies.

use std::sync::atomic::{AtomicBool, Ordering};

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, Error, ErrorCode, Offset};
use rand::distributions::Alphanumeric;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::crash_loop::TENANT;
use crate::ledger::{Ledger, ROWS_PER_STATEMENT};

/// What one client did between two kills.
#[derive(Clone, Debug, Default)]
pub struct WorkerStats {
    /// Appends acknowledged.
    pub appends: u64,
    /// Events in them.
    pub events: u64,
    /// SQL statements acknowledged.
    pub statements: u64,
    /// Answers that break a rule (an error other than a lost connection, a
    /// wrong offset or row count).
    pub violations: Vec<String>,
}

/// Writes until a call fails; a failure after `killed` was set (or a lost
/// connection) is the kill, anything else a violation.
pub fn work(address: &str, ledger: &mut Ledger, seed: u64, killed: &AtomicBool) -> WorkerStats {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut stats = WorkerStats::default();
    let options = ConnectOptions::new(TENANT).reconnect_attempts(1);
    let Ok(client) = Client::connect(address, options) else {
        return stats;
    };
    while !killed.load(Ordering::SeqCst) {
        let outcome = if rng.gen_bool(0.6) {
            append(&client, ledger, &mut rng, &mut stats)
        } else {
            insert(&client, ledger, &mut rng, &mut stats)
        };
        if let Err(error) = outcome {
            let lost = matches!(error.code(), ErrorCode::Connection | ErrorCode::Timeout);
            if !lost && !killed.load(Ordering::SeqCst) {
                stats
                    .violations
                    .push(format!("client {}: {error}", ledger.client));
            }
            break;
        }
    }
    stats
}

fn text(rng: &mut StdRng, length: usize) -> String {
    rng.sample_iter(&Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

fn append(
    client: &Client,
    ledger: &mut Ledger,
    rng: &mut StdRng,
    stats: &mut WorkerStats,
) -> Result<(), Error> {
    let expected = ledger.events.len() as u64;
    let count = rng.gen_range(1..=4);
    let events: Vec<Vec<u8>> = (0..count)
        .map(|index| {
            let length = rng.gen_range(8..200);
            let body = text(rng, length);
            format!("c{}-o{}-{body}", ledger.client, expected + index).into_bytes()
        })
        .collect();
    ledger.pending_append = Some(events.clone());
    let first = client.append(ledger.stream, events.clone(), Offset(expected))?;
    ledger.pending_append = None;
    if first != Offset(expected) {
        stats.violations.push(format!(
            "client {}: append expected at {expected} acknowledged at {}",
            ledger.client, first.0
        ));
    }
    stats.appends += 1;
    stats.events += events.len() as u64;
    ledger.events.extend(events);
    Ok(())
}

fn insert(
    client: &Client,
    ledger: &mut Ledger,
    rng: &mut StdRng,
    stats: &mut WorkerStats,
) -> Result<(), Error> {
    let statement = ledger.next_statement;
    ledger.next_statement += 1;
    let length = rng.gen_range(4..64);
    let sql = ledger.insert_sql(statement, &text(rng, length));
    ledger.pending_statement = Some(statement);
    let done = client.execute(&sql, &[])?;
    ledger.pending_statement = None;
    if done.rows_affected != ROWS_PER_STATEMENT as u64 {
        stats.violations.push(format!(
            "client {}: statement {statement} affected {} rows",
            ledger.client, done.rows_affected
        ));
    }
    stats.statements += 1;
    ledger.statements.insert(statement);
    Ok(())
}
