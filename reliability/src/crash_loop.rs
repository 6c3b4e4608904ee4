//! The crash loop: a real `kimberlite start` process is killed with SIGKILL at
//! seeded random moments while several clients append (with expected offsets)
//! and run SQL INSERTs. After each kill `kimberlite verify` must pass; after each
//! restart every acknowledged write must be there with its bytes and offset, and
//! each write that was in flight must be wholly there or wholly absent (see
//! [`Ledger::reconcile`]). Some kills land during recovery instead.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, DataClass, Placement, TenantId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::crash_worker::{work, WorkerStats};
use crate::ledger::{Ledger, Resolved, TABLE};
use crate::process::{self, ServerProcess};

/// The tenant every client writes to (the node runs in development mode).
pub const TENANT: TenantId = TenantId(1);
/// How long a restarting server may take to listen.
const START_DEADLINE: Duration = Duration::from_secs(120);

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The `kimberlite` binary.
    pub binary: PathBuf,
    /// Kills of the serving process (kills during recovery come on top).
    pub kills: u32,
    /// The seed of every random choice (kill moments, workloads).
    pub seed: u64,
    /// Concurrent clients.
    pub clients: u32,
    /// The longest the clients run before a kill, in milliseconds.
    pub max_run_ms: u64,
}

/// The figures of a run.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Kills of a serving process survived.
    pub kills: u32,
    /// Kills during recovery (before the server listened) survived.
    pub recovery_kills: u32,
    /// Appends acknowledged.
    pub appends: u64,
    /// Events in acknowledged appends.
    pub events: u64,
    /// SQL statements acknowledged.
    pub statements: u64,
    /// How the writes in flight at each kill turned out.
    pub in_flight: Resolved,
    /// `kimberlite verify` runs that passed.
    pub verifies: u32,
    /// Everything that broke a rule; empty when the run passed.
    pub violations: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Summary {
    /// The one-line summary of figures.
    #[must_use]
    pub fn line(&self, seed: u64) -> String {
        format!(
            "crash loop summary: seed {seed}, kills survived {} (+{} during recovery), \
             acknowledged {} appends ({} events) and {} SQL statements, in flight at a kill: \
             appends {} present / {} absent, statements {} present / {} absent, verify passed \
             {} times, violations {}, {:.1} s",
            self.kills,
            self.recovery_kills,
            self.appends,
            self.events,
            self.statements,
            self.in_flight.appends_present,
            self.in_flight.appends_absent,
            self.in_flight.statements_present,
            self.in_flight.statements_absent,
            self.verifies,
            self.violations.len(),
            self.elapsed.as_secs_f64()
        )
    }
}

/// Runs the crash loop, printing each step; stops at the first violation.
///
/// # Errors
/// A message when the loop cannot run at all (no binary, a server that does
/// not start); rule violations are in the summary instead.
pub fn run(config: &Config) -> Result<Summary, String> {
    let started = Instant::now();
    println!(
        "crash loop: seed {}, {} kills, {} clients, up to {} ms of load per kill",
        config.seed, config.kills, config.clients, config.max_run_ms
    );
    let temp = tempfile::tempdir().map_err(|error| format!("no temporary dir: {error}"))?;
    let dir = temp.path().join("data");
    process::init(&config.binary, &dir, true)?;
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut server = ServerProcess::spawn(&config.binary, &dir, &[], "warn")?;
    let mut address = server.wait_listening(START_DEADLINE)?;
    let mut ledgers = setup(&address, config.clients)?;
    let mut summary = Summary::default();
    while summary.kills < config.kills && summary.violations.is_empty() {
        let run_for = Duration::from_millis(rng.gen_range(10..=config.max_run_ms));
        let seeds: Vec<u64> = ledgers.iter().map(|_| rng.gen()).collect();
        let stats = load_then_kill(server, &address, &mut ledgers, &seeds, run_for)?;
        summary.kills += 1;
        let line = account(&mut summary, &stats);
        check_verify(config, &dir, &mut summary)?;
        if rng.gen_ratio(1, 6) {
            let server = ServerProcess::spawn(&config.binary, &dir, &[], "warn")?;
            thread::sleep(Duration::from_millis(rng.gen_range(0..60)));
            let (_, printed) = server.kill()?;
            if !printed.contains("kimberlite listening on") {
                summary.recovery_kills += 1;
            }
            check_verify(config, &dir, &mut summary)?;
        }
        server = ServerProcess::spawn(&config.binary, &dir, &[], "warn")?;
        address = server.wait_listening(START_DEADLINE)?;
        let resolved = reconcile(&address, &mut ledgers, &mut summary)?;
        println!(
            "kill {:>4}/{} after {:>4} ms: {line}; restarted, in flight found present {} \
             absent {}",
            summary.kills,
            config.kills,
            run_for.as_millis(),
            resolved.appends_present + resolved.statements_present,
            resolved.appends_absent + resolved.statements_absent,
        );
    }
    let (status, _) = server.terminate()?;
    if !status.success() {
        summary
            .violations
            .push(format!("graceful stop failed: {status}"));
    }
    check_verify(config, &dir, &mut summary)?;
    summary.elapsed = started.elapsed();
    for violation in &summary.violations {
        println!("VIOLATION: {violation}");
    }
    println!("{}", summary.line(config.seed));
    Ok(summary)
}

fn connect(address: &str) -> Result<Client, String> {
    let options = ConnectOptions::new(TENANT).reconnect_attempts(1);
    Client::connect(address, options).map_err(|error| format!("connect failed: {error}"))
}

/// The SQL table and one stream per client.
fn setup(address: &str, clients: u32) -> Result<Vec<Ledger>, String> {
    let client = connect(address)?;
    let create = format!(
        "CREATE TABLE {TABLE} (id BIGINT PRIMARY KEY, client BIGINT, stmt BIGINT, \
         part BIGINT, payload TEXT)"
    );
    client
        .execute(&create, &[])
        .map_err(|error| format!("{create}: {error}"))?;
    (0..clients)
        .map(|number| {
            let name = format!("crash-{number}");
            client
                .create_stream(&name, DataClass::Public, Placement::Global)
                .map(|stream| Ledger::new(number, stream))
                .map_err(|error| format!("create stream {name}: {error}"))
        })
        .collect()
}

/// Runs the clients for `run_for`, kills the server, and waits for them.
fn load_then_kill(
    server: ServerProcess,
    address: &str,
    ledgers: &mut [Ledger],
    seeds: &[u64],
    run_for: Duration,
) -> Result<Vec<WorkerStats>, String> {
    let killed = AtomicBool::new(false);
    thread::scope(|scope| {
        let workers: Vec<_> = ledgers
            .iter_mut()
            .zip(seeds)
            .map(|(ledger, seed)| {
                let killed = &killed;
                scope.spawn(move || work(address, ledger, *seed, killed))
            })
            .collect();
        thread::sleep(run_for);
        let stopped = server.kill();
        killed.store(true, Ordering::SeqCst);
        stopped?;
        let stats = workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_default())
            .collect();
        Ok(stats)
    })
}

/// Adds the workers' figures to the summary; returns a line describing them.
fn account(summary: &mut Summary, stats: &[WorkerStats]) -> String {
    let mut appends = 0;
    let mut statements = 0;
    for worker in stats {
        appends += worker.appends;
        statements += worker.statements;
        summary.events += worker.events;
        summary.violations.extend(worker.violations.iter().cloned());
    }
    summary.appends += appends;
    summary.statements += statements;
    format!(
        "{} clients acknowledged {appends} appends, {statements} statements",
        stats.len()
    )
}

fn check_verify(
    config: &Config,
    dir: &std::path::Path,
    summary: &mut Summary,
) -> Result<(), String> {
    let (passed, printed) = process::verify(&config.binary, dir)?;
    if passed {
        summary.verifies += 1;
    } else {
        summary
            .violations
            .push(format!("kimberlite verify failed: {printed}"));
    }
    Ok(())
}

fn reconcile(
    address: &str,
    ledgers: &mut [Ledger],
    summary: &mut Summary,
) -> Result<Resolved, String> {
    let client = connect(address)?;
    let mut total = Resolved::default();
    for ledger in ledgers {
        match ledger.reconcile(&client) {
            Ok(resolved) => {
                total.appends_present += resolved.appends_present;
                total.appends_absent += resolved.appends_absent;
                total.statements_present += resolved.statements_present;
                total.statements_absent += resolved.statements_absent;
            }
            Err(violation) => summary.violations.push(violation),
        }
    }
    summary.in_flight.appends_present += total.appends_present;
    summary.in_flight.appends_absent += total.appends_absent;
    summary.in_flight.statements_present += total.statements_present;
    summary.in_flight.statements_absent += total.statements_absent;
    Ok(total)
}
