//! SQL benchmark: durable single-row INSERT statements per second (1
//! connection; 8 connections with one statement each in flight; 8 connections
//! with 16 pipelined statements each, on one tenant and on 8 tenants), rows per
//! second with 1,000-row INSERTs, and an AS OF query against the same query on
//! current rows over a 100,000-row table. Prints a table; asserts nothing.
//!
//! A statement is answered only once its record is durable, so one connection
//! that waits for each answer makes at most one statement per disk sync; each
//! in-flight statement is modelled by a thread (as the server runs each
//! pipelined request of a connection on its own task).
//!
//! `cargo run --release -p kimberlite-sql --example bench_sql`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark program stops loudly on any failure"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use kimberlite_protocol::{TenantId, Value};
use kimberlite_sql::{QueryOutput, SqlContext, SqlEngine};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;

const SINGLE_ROW_STATEMENTS: u64 = 2_000;
/// Statements each connection keeps in flight in the pipelined runs.
const PIPELINE: usize = 16;
/// Statements per in-flight slot in the pipelined runs.
const PER_SLOT: u64 = 150;
const BATCH_ROWS: u64 = 1_000;
const BATCHES: u64 = 100;
const QUERY_RUNS: u32 = 20;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let vfs = Arc::new(OsVfs);
    let config = EngineConfig::new(dir.path().join("data"), "kimberlite.bench");
    Engine::init(vfs.clone(), &config).unwrap();
    let engine = Arc::new(Engine::open(vfs, config).unwrap().0);
    for tenant in 1..=19 {
        engine.create_tenant(TenantId(tenant), "bench").unwrap();
    }
    let sql = Arc::new(SqlEngine::open(engine.clone(), dir.path().join("sql")).unwrap());
    for tenant in 1..=19 {
        run(
            &sql,
            tenant,
            "CREATE TABLE t (id BIGINT PRIMARY KEY, v INTEGER, note TEXT)",
        );
    }

    println!("{:<52} {:>14}", "measure", "figure");
    let one = single_rows(&sql, &[1], SINGLE_ROW_STATEMENTS);
    print_rate("single-row INSERT, 1 connection (statements/s)", one);
    let tenants: Vec<u64> = (2..=9).collect();
    let eight = single_rows(&sql, &tenants, SINGLE_ROW_STATEMENTS / 2);
    print_rate("  8 connections x 1 in flight, 8 tenants", eight);
    let shared = single_rows(&sql, &[10; 8], SINGLE_ROW_STATEMENTS / 2);
    print_rate("  8 connections x 1 in flight, 1 tenant", shared);
    let piped = single_rows(&sql, &[11; 8 * PIPELINE], PER_SLOT);
    print_rate("  8 connections x 16 pipelined, 1 tenant", piped);
    let spread: Vec<u64> = (12..=19).flat_map(|t| [t; PIPELINE]).collect();
    let piped_spread = single_rows(&sql, &spread, PER_SLOT);
    print_rate("  8 connections x 16 pipelined, 8 tenants", piped_spread);

    let started = Instant::now();
    for batch in 0..BATCHES {
        let values: Vec<String> = (0..BATCH_ROWS)
            .map(|n| {
                let id = 1_000_000 + batch * BATCH_ROWS + n;
                format!("({id}, {}, 'row {id}')", id % 1000)
            })
            .collect();
        run(
            &sql,
            1,
            &format!("INSERT INTO t VALUES {}", values.join(", ")),
        );
    }
    let rows = (BATCHES * BATCH_ROWS) as f64 / started.elapsed().as_secs_f64();
    print_rate("1,000-row INSERT (rows/s)", rows);

    // Tenant 1's log: 0 CREATE, 1..=2000 single rows, then 100 batches.
    let last = SINGLE_ROW_STATEMENTS + BATCHES;
    let middle = SINGLE_ROW_STATEMENTS + BATCHES / 2;
    let query = "SELECT count(*), sum(v) FROM t WHERE v % 7 = 3";
    let current = time_query(&sql, query);
    let same = time_query(&sql, &format!("{query} AT OFFSET {last}"));
    let half = time_query(&sql, &format!("{query} AT OFFSET {middle}"));
    println!(
        "{:<52} {:>11.2} ms",
        "query on 102,000 current rows",
        ms(current)
    );
    println!(
        "{:<52} {:>11.2} ms",
        "same query AT OFFSET last (same 102,000 rows)",
        ms(same)
    );
    println!(
        "{:<52} {:>11.2} ms",
        "same query AT OFFSET middle (52,000 rows then)",
        ms(half)
    );
    let ratio = same.as_secs_f64() / current.as_secs_f64();
    println!("{:<52} {:>13.2}x", "AS OF (same rows) / current", ratio);
    engine.shutdown().unwrap();
}

fn run(sql: &SqlEngine, tenant: u64, statement: &str) -> QueryOutput {
    sql.execute(TenantId(tenant), statement, &[], &SqlContext::default())
        .unwrap()
}

/// Each entry of `tenants` is one thread inserting `per_thread` single rows
/// into that tenant; answers statements per second.
fn single_rows(sql: &Arc<SqlEngine>, tenants: &[u64], per_thread: u64) -> f64 {
    let started = Instant::now();
    let threads: Vec<_> = tenants
        .iter()
        .enumerate()
        .map(|(thread, tenant)| {
            let sql = sql.clone();
            let tenant = *tenant;
            std::thread::spawn(move || {
                for n in 0..per_thread {
                    let id = (thread as u64) * 1_000_000_000 + n;
                    let params = [Value::BigInt(id as i64), Value::Text(format!("note {n}"))];
                    sql.execute(
                        TenantId(tenant),
                        "INSERT INTO t (id, v, note) VALUES ($1, 1, $2)",
                        &params,
                        &SqlContext::default(),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    (tenants.len() as u64 * per_thread) as f64 / started.elapsed().as_secs_f64()
}

fn time_query(sql: &SqlEngine, query: &str) -> Duration {
    run(sql, 1, query);
    let started = Instant::now();
    for _ in 0..QUERY_RUNS {
        run(sql, 1, query);
    }
    started.elapsed() / QUERY_RUNS
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn print_rate(label: &str, rate: f64) {
    println!("{label:<52} {rate:>14.0}");
}
