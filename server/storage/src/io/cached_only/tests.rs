use std::io::ErrorKind;

use super::{active, cached_only, miss};

#[test]
fn a_scope_without_misses_returns_the_result() {
    assert!(!active());
    assert_eq!(cached_only(|| active().then_some(7)), Some(Some(7)));
    assert!(!active(), "the scope ends with the call");
}

#[test]
fn a_miss_drops_the_result_and_does_not_leak_into_the_next_scope() {
    let missed = cached_only(|| miss().kind());
    assert_eq!(missed, None);
    assert_eq!(miss().kind(), ErrorKind::WouldBlock);
    // A miss outside any scope (just above) must not fail the next scope.
    assert_eq!(cached_only(|| 1), Some(1));
}

#[test]
fn a_panic_inside_the_scope_ends_it() {
    let caught = std::panic::catch_unwind(|| cached_only(|| panic!("inside")));
    assert!(caught.is_err());
    assert!(!active());
}
