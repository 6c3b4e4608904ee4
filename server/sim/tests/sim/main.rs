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
