//! What the parse cache keeps and what it does not.

use std::sync::Arc;

use super::{ParseCache, MAX_TEXT_BYTES};

#[test]
fn a_statement_sent_again_is_parsed_once() {
    let cache = ParseCache::default();
    let first = cache.parse("INSERT INTO t VALUES ($1, $2)").unwrap();
    let again = cache.parse("INSERT INTO t VALUES ($1, $2)").unwrap();
    assert!(Arc::ptr_eq(&first, &again));
    let other = cache.parse("INSERT INTO t VALUES ($2, $1)").unwrap();
    assert!(!Arc::ptr_eq(&first, &other));
}

#[test]
fn long_texts_and_errors_are_not_kept() {
    let cache = ParseCache::default();
    let long = format!("SELECT 1 {}", " ".repeat(MAX_TEXT_BYTES));
    let first = cache.parse(&long).unwrap();
    assert!(!Arc::ptr_eq(&first, &cache.parse(&long).unwrap()));
    assert!(cache.parse("SELECT * FROM WHERE").is_err());
    assert!(cache.lock().is_empty());
}
