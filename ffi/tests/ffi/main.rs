//! Tests of the C ABI: the header is fresh, and calls behave at the boundary (NULL,
//! UTF-8, errors, cancellation, TLS options and the pure verification functions). The C program
//! in tests/c runs the quickstart through the header (see scripts/test-go).

#![allow(
    unsafe_code,
    reason = "the tests call the C ABI, which takes raw pointers"
)]

mod boundary;
mod header;
mod tls;
