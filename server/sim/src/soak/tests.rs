//! The memory verdict of a soak: a warm-up followed by a plateau is flat, a
//! steady climb is growth, whatever the first samples were.

use super::SoakReport;

fn report(rss_mib: &[u64]) -> SoakReport {
    SoakReport {
        rss_kib: rss_mib.iter().map(|mib| mib * 1024).collect(),
        ..SoakReport::default()
    }
}

#[test]
fn a_warm_up_then_a_plateau_is_flat() {
    // The shape of a 240 s run with 500 connections: a fresh server (12 MiB)
    // fills its caches, then holds.
    let samples = [
        12, 107, 113, 119, 123, 124, 126, 128, 130, 131, 136, 140, 140, 141, 140, 140, 141, 140,
        140, 140, 141, 141, 141, 141, 144, 142, 143, 144, 143, 145, 143,
    ];
    let report = report(&samples);
    assert!(report.memory_flat(), "{:?}", report.memory_thirds());
}

#[test]
fn a_steady_climb_is_growth() {
    // 100 MiB plus 2 MiB per sample: a leak proportional to the work done.
    let samples: Vec<u64> = (0..30).map(|sample| 100 + 2 * sample).collect();
    let report = report(&samples);
    assert!(!report.memory_flat(), "{:?}", report.memory_thirds());
}

#[test]
fn the_thirds_are_the_middle_and_the_last() {
    let report = report(&[1, 1, 1, 10, 10, 10, 20, 20, 20]);
    assert_eq!(report.memory_thirds(), (10 * 1024, 20 * 1024));
}
