//! The simulator's short run for the test command: a few hundred seeds of a
//! few dozen steps each, and exact replay of a seed. The long run is
//! `cargo run --release -p kimberlite-sim -- --seeds 0..1000 --steps 300`
//! (docs/reliability.md).

use kimberlite_sim::{run_seed, Counters};

#[test]
fn hundreds_of_seeds_keep_every_invariant() {
    let mut total = Counters::default();
    for seed in 0..300 {
        let report = run_seed(seed, 30).unwrap_or_else(|violation| panic!("{violation}"));
        total.add(&report.counters);
    }
    println!("{total}");
    assert_eq!(total.steps, 300 * 30);
    // The workload reached what it is meant to exercise.
    assert!(
        total.power_losses > 0 && total.clean_restarts > 0,
        "{total}"
    );
    assert!(total.faults_hit > 0 && total.rejections > 0, "{total}");
}

#[test]
fn a_seed_replays_exactly() {
    for seed in [3, 1_000_000_007] {
        let first = run_seed(seed, 100).unwrap();
        let again = run_seed(seed, 100).unwrap();
        assert_eq!(first, again, "seed {seed}");
    }
    let other = run_seed(4, 100).unwrap();
    assert_ne!(other.state_hash, run_seed(3, 100).unwrap().state_hash);
}

/// The soak's short run: 50 connections for about 5 s against an in-process
/// server (the long run starts a release server: docs/reliability.md).
#[test]
fn fifty_connections_mix_every_operation_without_errors() {
    use kimberlite_sim::soak::{soak, SoakConfig, SoakServer};
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(async {
        let server = SoakServer::in_process(dir.path()).await.unwrap();
        let config = SoakConfig {
            connections: 50,
            duration: std::time::Duration::from_secs(5),
        };
        soak(&server, config).await.unwrap()
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    for (kind, count, _, _) in &report.operations {
        assert!(*count > 0, "no {kind} ran");
    }
    assert!(report.deliberate_errors > 0);
    assert!(report.pushes > 0, "subscribers received nothing");
    assert!(report.rss_kib.len() > 2);
}
