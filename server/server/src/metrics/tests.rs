//! Unit tests of the Prometheus rendering.

use super::*;

#[test]
fn render_reports_each_figure() {
    let metrics = Metrics::new();
    metrics.connection_opened();
    metrics.connection_opened();
    metrics.connection_closed();
    metrics.error(ErrorCode::OffsetMismatch);
    metrics.appended(3, 12);
    metrics.request(&RequestPayload::Sync);
    let text = metrics.render();
    assert!(text.contains("kimberlite_connections_open 1\n"), "{text}");
    assert!(text.contains("kimberlite_connections_total 2\n"));
    assert!(text.contains("kimberlite_errors_total{code=\"OffsetMismatch\"} 1\n"));
    assert!(text.contains("kimberlite_errors_total{code=\"InvalidRequest\"} 0\n"));
    assert!(text.contains("kimberlite_requests_total{kind=\"Sync\"} 1\n"));
    assert!(text.contains("kimberlite_appended_events_total 3\n"));
    assert!(text.contains("kimberlite_appended_bytes_total 12\n"));
    assert_eq!(metrics.errors(ErrorCode::OffsetMismatch), 1);
}

#[test]
fn every_sample_has_a_type_line() {
    let text = Metrics::new().render();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let name = line.split(['{', ' ']).next().unwrap();
        let declared = format!("# TYPE {name} ");
        assert!(text.contains(&declared), "no TYPE line for {name}");
    }
}
