//! Kimberlite against PostgreSQL and SQLite on the same workloads.
//!
//! ```no_run
//! use std::time::Duration;
//! use kimberlite_bench::{compare, Settings, Targets};
//!
//! # async fn run() -> kimberlite_bench::Result<()> {
//! let settings = Settings::smoke(Duration::from_secs(1));
//! let targets = Targets {
//!     kimberlite: Some(("127.0.0.1:3000".to_owned(), None)),
//!     postgres: None,
//!     sqlite_dir: Some("/tmp/bench-sqlite".into()),
//!     state_dir: "/tmp/bench-state".into(),
//! };
//! let rows = compare(&targets, &settings, |row| println!("{row:?}")).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Each workload ([`Workload`]) runs for [`Settings::duration`] on each system
//! that has it, one after another, with a fixed number of clients that each keep
//! one operation in flight; [`measure`] turns the operations into throughput
//! and p50/p99 latency. [`report`] writes `REPORT.md` and `results.json`. The
//! `kimberlite-bench` binary is what `bench/compare` runs; a smoke version runs
//! in the tests.

pub mod kimberlite_target;
pub mod machine;
pub mod measure;
pub mod notes;
pub mod postgres_target;
pub mod report;
mod run;
pub mod sdk;
pub mod sqlite_target;
pub mod workload;

pub use run::{compare, Targets};
pub use workload::{Row, Settings, System, Workload};

/// Any failure of a benchmark run.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The result of a benchmark step.
pub type Result<T> = std::result::Result<T, Error>;
