//! The shared scenarios of `tests/scenarios` (described once as JSON, run by every
//! SDK's suite), run with this client against one real server over the storage
//! engine and SQL, requiring authentication. Every scenario's outcome goes to
//! `target/scenario-results/rust.json`; the test fails if any scenario fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Map, Value as Json};

use crate::real_server::{RealServer, Setup};

mod runner;

use runner::Runner;

const ADMIN: &str = "scenario-admin-token";
const FIRST_TENANT: u64 = 50_000;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every scenario as (`file/name`, its steps with its fixture's first).
fn load() -> Vec<(String, Vec<Json>)> {
    let dir = repo_root().join("tests").join("scenarios");
    let read = |path: &Path| -> Json {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let fixtures = read(&dir.join("fixtures.json"))["fixtures"].clone();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter(|path| !path.ends_with("fixtures.json"))
        .collect();
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        for scenario in read(&file)["scenarios"].as_array().unwrap() {
            let mut steps = match scenario.get("fixture").and_then(Json::as_str) {
                Some(fixture) => fixtures[fixture].as_array().unwrap().clone(),
                None => Vec::new(),
            };
            steps.extend(scenario["steps"].as_array().unwrap().iter().cloned());
            found.push((
                format!("{stem}/{}", scenario["name"].as_str().unwrap()),
                steps,
            ));
        }
    }
    found
}

/// A real server over the storage engine and SQL in `dir`, requiring the admin
/// token or an API key. `key_from`: the data directory whose signing key it uses
/// (a fork of that server).
async fn start_server(dir: &Path, key_from: Option<&Path>) -> RealServer {
    let setup = Setup {
        admin_token: Some(ADMIN),
        key_from,
        ..Setup::default()
    };
    RealServer::start(dir, setup).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_scenario_passes() {
    let (data, fork_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = start_server(data.path(), None).await;
    let fork = start_server(fork_data.path(), Some(data.path())).await;
    let address = server.address.clone();

    let mut outcomes = BTreeMap::new();
    for (index, (name, steps)) in load().into_iter().enumerate() {
        let mut variables = Map::new();
        variables.insert("server".into(), json!(address));
        variables.insert("admin_token".into(), json!(ADMIN));
        variables.insert("tenant".into(), json!(FIRST_TENANT + index as u64));
        variables.insert("fork_server".into(), json!(fork.address));
        let mut runner = Runner::new(address.clone(), variables);
        let outcome = tokio::time::timeout(Duration::from_secs(60), runner.run(&steps))
            .await
            .unwrap_or_else(|_| Err("no outcome within 60 s".to_owned()));
        runner.close().await;
        let message = outcome.as_ref().err().cloned().unwrap_or_default();
        outcomes.insert(name, json!({"pass": outcome.is_ok(), "message": message}));
    }

    fork.stop().await;
    server.stop().await;
    let results = repo_root().join("target").join("scenario-results");
    std::fs::create_dir_all(&results).unwrap();
    let text = serde_json::to_string_pretty(&outcomes).unwrap() + "\n";
    std::fs::write(results.join("rust.json"), text).unwrap();
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome["pass"] != json!(true))
        .map(|(name, outcome)| format!("{name}: {}", outcome["message"]))
        .collect();
    assert!(
        failed.is_empty(),
        "scenarios failed:\n{}",
        failed.join("\n")
    );
}

/// The root README's Rust quickstart is `core/examples/quickstart.rs`, which
/// `engine.rs` runs against a server.
#[test]
fn the_readme_rust_quickstart_is_the_example() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let example = std::fs::read_to_string(repo_root().join("core/examples/quickstart.rs")).unwrap();
    let block = readme
        .split_once("```rust\n")
        .and_then(|(_, rest)| rest.split_once("\n```\n"))
        .map(|(block, _)| format!("{block}\n"));
    assert_eq!(block, Some(example), "README.md's rust block");
}
