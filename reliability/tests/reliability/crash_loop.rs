//! Ten SIGKILLs of a real server under load: every acknowledged write survives,
//! nothing in flight is half-visible, `kimberlite verify` passes each time.

use kimberlite_reliability::binary;
use kimberlite_reliability::crash_loop::{run, Config};

#[test]
fn ten_kills_lose_no_acknowledged_write() {
    let config = Config {
        binary: binary::locate().unwrap(),
        kills: 10,
        seed: 12,
        clients: 3,
        max_run_ms: 300,
    };
    let summary = run(&config).unwrap();
    assert!(summary.violations.is_empty(), "{:?}", summary.violations);
    assert_eq!(summary.kills, 10);
    // The kills landed under load: writes were acknowledged, and at least one
    // write was in flight at some kill.
    assert!(summary.appends > 0 && summary.statements > 0);
    let in_flight = summary.in_flight;
    let settled = in_flight.appends_present
        + in_flight.appends_absent
        + in_flight.statements_present
        + in_flight.statements_absent;
    assert!(settled > 0);
    assert!(summary.verifies > summary.kills);
}
