//! Integration tests of kimberlite-storage: one binary, one module per concern.

mod crypto;
mod fault;
mod wal;
mod wal_crash;
