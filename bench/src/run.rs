//! One comparison: every workload on every system given, in the settings'
//! order, each system's setup done once before its first workload.

use std::path::PathBuf;

use crate::kimberlite_target::KimberliteTarget;
use crate::measure::Summary;
use crate::postgres_target::PostgresTarget;
use crate::sqlite_target::SqliteTarget;
use crate::workload::{Row, Settings, System, Workload};
use crate::Result;

/// The systems to compare; a missing one is skipped.
#[derive(Clone, Debug)]
pub struct Targets {
    /// A running Kimberlite server's address and its admin token (None for a
    /// development server).
    pub kimberlite: Option<(String, Option<String>)>,
    /// A libpq-style connection string of a running PostgreSQL server.
    pub postgres: Option<String>,
    /// A directory for the SQLite database file.
    pub sqlite_dir: Option<PathBuf>,
    /// A directory for the Kimberlite clients' trusted state.
    pub state_dir: PathBuf,
}

fn row(workload: Workload, system: System, summary: Summary) -> Row {
    Row {
        workload: workload.label(),
        unit: workload.unit().to_owned(),
        system,
        system_label: system.label().to_owned(),
        summary,
    }
}

/// Runs every workload of `settings` on every system of `targets`, calling
/// `progress` with each row as it is measured, and returns the rows.
///
/// # Errors
/// The first failed setup or run.
pub async fn compare(
    targets: &Targets,
    settings: &Settings,
    mut progress: impl FnMut(&Row),
) -> Result<Vec<Row>> {
    let mut kimberlite = match &targets.kimberlite {
        Some((address, token)) => Some(
            KimberliteTarget::connect(address, token.clone(), targets.state_dir.clone()).await?,
        ),
        None => None,
    };
    let mut postgres = match &targets.postgres {
        Some(config) => Some(PostgresTarget::setup(config, settings).await?),
        None => None,
    };
    let mut sqlite = match &targets.sqlite_dir {
        Some(dir) => Some(SqliteTarget::setup(dir, settings)?),
        None => None,
    };
    let mut rows = Vec::new();
    let mut keep = |rows: &mut Vec<Row>, row: Row| {
        progress(&row);
        rows.push(row);
    };
    for &workload in &settings.workloads {
        if let Some(target) = kimberlite.as_mut() {
            let summary = target.run(workload, settings).await?;
            keep(&mut rows, row(workload, System::Kimberlite, summary));
        }
        if let Some(target) = postgres.as_mut() {
            for system in [
                System::Postgres,
                System::PostgresChain,
                System::PostgresChainPerClient,
            ] {
                // One chain per client differs from one chain only with many clients.
                let single = matches!(workload, Workload::Append { clients: 1 });
                if system == System::PostgresChainPerClient && single {
                    continue;
                }
                if let Some(summary) = target.run(system, workload, settings).await? {
                    keep(&mut rows, row(workload, system, summary));
                }
            }
        }
        if let Some(target) = sqlite.as_mut() {
            // SQLite blocks its threads; keep them off the runtime's workers.
            if let Some(summary) = tokio::task::block_in_place(|| target.run(workload, settings))? {
                keep(&mut rows, row(workload, System::Sqlite, summary));
            }
        }
    }
    Ok(rows)
}
