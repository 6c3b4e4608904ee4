//! Unit tests of capability sets and what they allow.

use super::*;
use crate::message::{ErrorResponse, QueryResponse};
use crate::ErrorCode;

#[test]
fn sets_ignore_unknown_names_and_keep_a_fixed_order() {
    let set = CapabilitySet::from_names(["kmb.values/1", "other/9", "kmb.ext/1"]);
    assert!(set.contains(VALUES));
    assert!(!set.contains("other/9"));
    assert_eq!(set.names(), [EXT, VALUES]);
    assert_eq!(CapabilitySet::ALL.names(), ALL);
    let mut empty = CapabilitySet::NONE;
    assert!(!empty.insert("nope"));
    assert!(empty.insert(ADMIN));
    assert_eq!(empty.intersection(set), CapabilitySet::NONE);
    assert_eq!(empty.union(set).names(), [EXT, ADMIN, VALUES]);
}

#[test]
fn extension_requests_need_their_capability() {
    let plain = CapabilitySet::NONE;
    assert!(plain.allows_request(&RequestPayload::Sync));
    assert!(plain.allows_request(&RequestPayload::ServerInfo));
    assert!(!plain.allows_request(&RequestPayload::ListTenants));
    assert!(CapabilitySet::from_names([ADMIN]).allows_request(&RequestPayload::ListTenants));
}

#[test]
fn plain_connections_get_plain_responses() {
    let error = ResponsePayload::Error(ErrorResponse {
        code: ErrorCode::PermissionDenied,
        message: "no".into(),
    });
    let plain = CapabilitySet::NONE;
    assert!(!plain.allows_response(&error));
    let adapted = plain.adapt_response(error.clone());
    assert!(plain.allows_response(&adapted));
    assert!(CapabilitySet::from_names([ERRORS]).allows_response(&error));

    let rows = ResponsePayload::Query(QueryResponse {
        columns: vec!["r".into()],
        rows: vec![vec![Value::Real(0.5), Value::BigInt(1)]],
    });
    assert!(!plain.allows_response(&rows));
    let ResponsePayload::Query(adapted) = plain.adapt_response(rows) else {
        panic!("still a query answer");
    };
    assert_eq!(
        adapted.rows[0],
        [Value::Text("0.5".into()), Value::BigInt(1)]
    );
}
