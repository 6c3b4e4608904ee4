//! `kimberlite start` and `kimberlite dev`: open the engine (recovering from
//! whatever a crash left), serve until SIGINT or SIGTERM, shut down gracefully.
//!
//! The bound address is printed on standard output as
//! `kimberlite listening on <address>` once the server accepts connections, so
//! scripts (and the tests) can start it on port 0 and read where it is.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kimberlite_server::{AdminToken, EngineBackend, Server};
use kimberlite_sql::SqlEngine;
use kimberlite_storage::engine::{Engine, EngineConfig, RecoveryReport};
use kimberlite_storage::io::os::OsVfs;

use crate::args::{DevArgs, StartArgs};
use crate::config::NodeConfig;
use crate::dir_lock;
use crate::error::CliError;
use crate::init::{init_data_dir, print_summary, read_admin_token};
use crate::logging;

/// Command line overrides of the configuration file.
#[derive(Clone, Copy, Debug, Default)]
struct Overrides {
    address: Option<SocketAddr>,
    metrics_address: Option<SocketAddr>,
}

/// `kimberlite start`.
///
/// # Errors
/// A missing or bad configuration, an engine that cannot open, an address
/// that cannot be bound.
pub fn start(args: &StartArgs) -> Result<(), CliError> {
    logging::init(args.serve.log.log_level.as_deref())?;
    let config = NodeConfig::load(&args.dir)?;
    let overrides = Overrides {
        address: args.serve.address,
        metrics_address: args.serve.metrics_address,
    };
    serve(&args.dir, &config, overrides)
}

/// `kimberlite dev`: initialise the directory in development mode if it is
/// missing or empty, then start it.
///
/// # Errors
/// As [`start`], and as `init` for a new directory.
pub fn dev(args: &DevArgs) -> Result<(), CliError> {
    logging::init(args.log.log_level.as_deref())?;
    let is_empty =
        std::fs::read_dir(&args.dir).map_or(true, |mut entries| entries.next().is_none());
    if is_empty {
        let done = init_data_dir(&args.dir, None, args.address, true)?;
        print_summary(&args.dir, &done, true);
    }
    let config = NodeConfig::load(&args.dir)?;
    if !config.node.development {
        tracing::warn!(
            dir = %args.dir.display(),
            "this directory is not in development mode: authentication stays on"
        );
    }
    let overrides = Overrides {
        address: Some(args.address),
        metrics_address: args.metrics_address,
    };
    serve(&args.dir, &config, overrides)
}

fn serve(dir: &Path, config: &NodeConfig, overrides: Overrides) -> Result<(), CliError> {
    let mut lock = dir_lock::open(dir)?;
    let _held = match lock.as_mut() {
        Some(lock) => Some(
            lock.try_write()
                .map_err(|error| dir_lock::busy(dir, error))?,
        ),
        None => None,
    };
    let admin_token = match read_admin_token(dir) {
        Ok(token) => Some(AdminToken::new(token)),
        Err(error) if config.node.development => {
            tracing::warn!(%error, "no admin token; continuing in development mode");
            None
        }
        Err(error) => return Err(error),
    };
    let mut server_config = config.server_config(dir, admin_token);
    server_config.address = overrides.address.unwrap_or(server_config.address);
    server_config.metrics_address = overrides.metrics_address.or(server_config.metrics_address);
    let engine = Arc::new(open_engine(dir, config)?);
    // The SQL views are caches of the tenants' SQL logs: opening them replays
    // whatever they miss (all of it when `sql/` was deleted).
    let sql = Arc::new(SqlEngine::open(engine.clone(), dir.join("sql"))?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("kimberlite-server")
        .build()
        .map_err(CliError::io(dir))?;
    let served = runtime.block_on(async {
        let backend = Arc::new(EngineBackend::with_sql(engine.clone(), sql));
        let server = Server::bind(server_config, backend).await?;
        let stop = shutdown_signal();
        println!("kimberlite listening on {}", server.local_addr());
        if let Some(metrics) = server.metrics_addr() {
            println!("metrics at http://{metrics}/metrics");
        }
        let _ = std::io::stdout().flush();
        server.run(stop).await
    });
    drop(runtime);
    let stopped = engine.shutdown();
    served?;
    stopped?;
    println!("kimberlite stopped");
    Ok(())
}

/// Opens the engine with a spinner on a terminal, then logs what recovery did.
fn open_engine(dir: &Path, config: &NodeConfig) -> Result<Engine, CliError> {
    let spinner = ProgressBar::new_spinner();
    if !std::io::stderr().is_terminal() {
        spinner.set_draw_target(ProgressDrawTarget::hidden());
    }
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(format!("opening {} and recovering", dir.display()));
    spinner.enable_steady_tick(Duration::from_millis(100));
    let opened = Engine::open(
        Arc::new(OsVfs),
        EngineConfig::new(dir, config.node.name.clone()),
    );
    spinner.finish_and_clear();
    let (engine, report) = opened?;
    log_recovery(&report);
    Ok(engine)
}

fn log_recovery(report: &RecoveryReport) {
    tracing::info!(
        replayed_from = report.replayed_from_lsn,
        records_replayed = report.records_replayed,
        torn_tail_bytes = report.torn_tail_bytes,
        "storage recovered"
    );
    if report.torn_tail_bytes > 0 {
        tracing::warn!(
            bytes = report.torn_tail_bytes,
            "cut a torn tail from the log (a write that was never acknowledged)"
        );
    }
    if let Some(reason) = &report.snapshot_discarded {
        tracing::warn!(%reason, "snapshot not used; the whole log was replayed");
    }
}

/// Watches SIGINT and SIGTERM from the moment it is called, so a signal that
/// arrives right after the server says it is listening still stops it
/// gracefully instead of killing it. The returned future resolves on either.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            (Ok(mut only), Err(error)) | (Err(error), Ok(mut only)) => {
                tracing::warn!(%error, "cannot watch one of SIGINT and SIGTERM");
                only.recv().await;
            }
            (Err(error), Err(_)) => {
                tracing::warn!(%error, "cannot watch SIGINT or SIGTERM; stop the process by killing it");
                std::future::pending::<()>().await;
            }
        }
        tracing::info!("stop signal received: shutting down gracefully");
    }
}
