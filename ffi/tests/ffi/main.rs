//! Tests of the C ABI: the header is fresh, and calls behave at the boundary (NULL,
//! UTF-8, errors, cancellation, TLS and audit options, and the pure verification
//! functions). The C programs in tests/c run the quickstart and many threads through
//! the header (see scripts/test-go).

#![allow(
    unsafe_code,
    reason = "the tests call the C ABI, which takes raw pointers"
)]

mod audit;
mod boundary;
mod header;
mod tls;
