//! The reliability and security programs of Kimberlite. Each program tries
//! something that a database for regulated records must survive, prints what it
//! tried and what it found, and ends with one summary line of figures. The
//! binaries (`src/bin/`) run the long versions; the integration tests run short
//! ones through the same functions.

pub mod binary;
pub mod crash_loop;
pub mod crash_worker;
pub mod disk_faults;
pub mod fault_fixture;
pub mod fault_ops;
pub mod ledger;
pub mod process;
pub mod security;
pub mod security_tenants;
pub mod security_tls;
pub mod sql_cache;
