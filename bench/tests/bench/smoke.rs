//! Every smoke workload runs on Kimberlite and SQLite (verified reads on
//! Kimberlite alone), each reading back what it checks (point reads see a
//! record of the right size, AS OF queries the expected version).

use std::sync::Arc;
use std::time::Duration;

use kimberlite_bench::machine::Machine;
use kimberlite_bench::report::Comparison;
use kimberlite_bench::{compare, Settings, System, Targets, Workload};
use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig};
use kimberlite_sql::SqlEngine;
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;

const ADMIN: &str = "smoke-admin-token";

/// A server over a fresh engine with SQL in `dir`, serving on a free loopback port
/// until the test's runtime stops.
async fn start_server(dir: &std::path::Path) -> String {
    let vfs = Arc::new(OsVfs);
    let config = EngineConfig::new(dir.join("data"), "kimberlite.smoke");
    Engine::init(vfs.clone(), &config).unwrap();
    let engine = Arc::new(Engine::open(vfs, config).unwrap().0);
    let sql = Arc::new(SqlEngine::open(engine.clone(), dir.join("sql")).unwrap());
    let auth = AuthMode::Required {
        admin_token: Some(AdminToken::new(ADMIN)),
    };
    let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), auth);
    let backend = Arc::new(EngineBackend::with_sql(engine, sql));
    let server = Server::bind(config, backend).await.unwrap();
    let address = server.local_addr().to_string();
    tokio::spawn(server.run(std::future::pending::<()>()));
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workload_runs_on_kimberlite_and_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let address = start_server(dir.path()).await;
    std::fs::create_dir_all(dir.path().join("sqlite")).unwrap();
    let targets = Targets {
        kimberlite: Some((address, Some(ADMIN.to_owned()))),
        postgres: None,
        sqlite_dir: Some(dir.path().join("sqlite")),
        state_dir: dir.path().join("state"),
    };
    let settings = Settings::smoke(Duration::from_millis(700));
    let mut seen = 0;
    let rows = compare(&targets, &settings, |_| seen += 1).await.unwrap();
    assert_eq!(seen, rows.len());

    for workload in &settings.workloads {
        let label = workload.label();
        let mut systems: Vec<System> = rows
            .iter()
            .filter(|row| row.workload == label)
            .map(|row| row.system)
            .collect();
        systems.sort();
        let expected = if matches!(workload, Workload::VerifiedRead { .. }) {
            vec![System::Kimberlite]
        } else {
            vec![System::Kimberlite, System::Sqlite]
        };
        assert_eq!(systems, expected, "{label}");
    }
    for row in &rows {
        let summary = row.summary;
        assert!(
            summary.operations > 0,
            "{}: {}",
            row.workload,
            row.system_label
        );
        assert!(summary.items_per_second > 0.0, "{row:?}");
        assert!(summary.p50_ms <= summary.p99_ms, "{row:?}");
    }

    let comparison = Comparison {
        machine: Machine::default(),
        seconds_per_run: 0.7,
        rows,
        sdk_results: Vec::new(),
        sdk_note: "No SDK figures in this run.".to_owned(),
    };
    let out = dir.path().join("results");
    comparison.write(&out, &settings).unwrap();
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    for workload in &settings.workloads {
        assert!(report.contains(&workload.label()), "{report}");
    }
    assert!(report.contains("| Kimberlite / SQLite |"), "{report}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        json["rows"].as_array().map(Vec::len),
        Some(comparison.rows.len())
    );
}
