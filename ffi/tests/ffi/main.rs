//! Tests of the C ABI: the header is fresh, and calls behave at the boundary (NULL,
//! UTF-8, errors, cancellation and the pure verification functions). The C program
//! in tests/c runs the quickstart through the header (see scripts/test-go).

mod boundary;
mod header;
