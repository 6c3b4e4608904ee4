//! Unit tests of the limits' defaults and normalisation.

use super::*;

#[test]
fn defaults_fit_the_protocol() {
    let limits = Limits::default();
    assert_eq!(limits.max_frame_bytes, MAX_PAYLOAD_LEN);
    // An append at the byte limit, and a read answer at the read limit plus one
    // event of the largest size, both fit in a frame.
    assert!(limits.max_append_bytes < MAX_PAYLOAD_LEN);
    let largest_read = limits.max_read_bytes as usize + limits.max_append_bytes;
    assert!(largest_read < MAX_PAYLOAD_LEN);
    assert_eq!(limits.clone().normalized(), limits);
}

#[test]
fn normalized_repairs_unusable_values() {
    let limits = Limits {
        max_frame_bytes: usize::MAX,
        max_append_events: 0,
        max_connections: 0,
        max_in_flight_per_connection: 0,
        max_subscriptions_per_connection: 0,
        max_push_bytes: 0,
        ..Limits::default()
    }
    .normalized();
    assert_eq!(limits.max_frame_bytes, MAX_PAYLOAD_LEN);
    assert_eq!(limits.max_append_events, 1);
    assert_eq!(limits.max_connections, 1);
    assert_eq!(limits.max_in_flight_per_connection, 1);
    assert_eq!(limits.max_subscriptions_per_connection, 1);
    assert_eq!(limits.max_push_bytes, 1);
}
