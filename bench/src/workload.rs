//! What is measured: the workloads, the systems they run on, the settings of a
//! run and one result row.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::measure::Summary;

/// A workload, run the same way on every system that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Durable appends of one record per operation, each client its own writer.
    Append {
        /// Concurrent clients, one connection each.
        clients: usize,
    },
    /// Durable appends of `batch` records per operation.
    BatchAppend {
        /// Concurrent clients.
        clients: usize,
        /// Records per append.
        batch: usize,
    },
    /// Reads of one record chosen at random among [`Settings::read_records`].
    PointRead {
        /// Concurrent clients.
        clients: usize,
    },
    /// Point reads checked by the client against a signed checkpoint
    /// (Kimberlite only: the others have no such read).
    VerifiedRead {
        /// Concurrent clients.
        clients: usize,
    },
    /// Durable single-row SQL INSERT statements.
    SqlInsert {
        /// Concurrent clients.
        clients: usize,
    },
    /// One row's value at a past time, looked up by key.
    AsOf {
        /// Concurrent clients.
        clients: usize,
    },
}

impl Workload {
    /// The name in reports and charts.
    pub fn label(&self) -> String {
        match self {
            Self::Append { clients: 1 } => "append 1 record, 1 client".to_owned(),
            Self::Append { clients } => format!("append 1 record, {clients} clients"),
            Self::BatchAppend { clients, batch } => {
                format!("append {batch} records, {clients} clients")
            }
            Self::PointRead { clients } => format!("point read, {clients} clients"),
            Self::VerifiedRead { clients } => format!("verified point read, {clients} clients"),
            Self::SqlInsert { clients } => format!("SQL INSERT 1 row, {clients} clients"),
            Self::AsOf { clients } => format!("AS OF point query, {clients} clients"),
        }
    }

    /// What the throughput counts.
    pub fn unit(&self) -> &'static str {
        match self {
            Self::Append { .. } | Self::BatchAppend { .. } => "records/s",
            Self::PointRead { .. } | Self::VerifiedRead { .. } => "reads/s",
            Self::SqlInsert { .. } => "rows/s",
            Self::AsOf { .. } => "queries/s",
        }
    }

    /// Whether this workload writes (so durability, hence fdatasync, bounds it).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Self::Append { .. } | Self::BatchAppend { .. } | Self::SqlInsert { .. }
        )
    }
}

/// The systems compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum System {
    /// A release `kimberlite start` server, through the Rust client.
    Kimberlite,
    /// PostgreSQL, a plain table, `synchronous_commit=on`.
    Postgres,
    /// PostgreSQL, a table whose BEFORE INSERT trigger chains every row into
    /// one SHA-256 hash chain (serialised by a row lock on the chain head).
    PostgresChain,
    /// As [`System::PostgresChain`], one chain per client (as Kimberlite has
    /// one chain per stream).
    PostgresChainPerClient,
    /// SQLite in WAL mode with `synchronous=FULL`.
    Sqlite,
}

impl System {
    /// Every system, in report order.
    pub const ALL: [System; 5] = [
        Self::Kimberlite,
        Self::Postgres,
        Self::PostgresChain,
        Self::PostgresChainPerClient,
        Self::Sqlite,
    ];

    /// The name in reports and charts.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Kimberlite => "Kimberlite",
            Self::Postgres => "PostgreSQL",
            Self::PostgresChain => "PostgreSQL + hash-chain trigger",
            Self::PostgresChainPerClient => "PostgreSQL + trigger, chain per client",
            Self::Sqlite => "SQLite",
        }
    }
}

/// How long and how large.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long each workload runs on each system.
    pub duration: Duration,
    /// Size of one record (and of one SQL row's text), in bytes.
    pub record_bytes: usize,
    /// Records stored before the point reads, which pick among them.
    pub read_records: u64,
    /// Keys of the AS OF table; each has [`Settings::versions`] versions.
    pub as_of_keys: u64,
    /// Versions of each key in the AS OF table (the query asks for the middle one).
    pub versions: u64,
    /// The workloads, in order.
    pub workloads: Vec<Workload>,
}

impl Settings {
    /// The full comparison: 1, 8 and 64 appending clients, then the rest with 8.
    pub fn full(duration: Duration) -> Self {
        Self {
            duration,
            record_bytes: 1024,
            read_records: 10_000,
            as_of_keys: 1_000,
            versions: 10,
            workloads: vec![
                Workload::Append { clients: 1 },
                Workload::Append { clients: 8 },
                Workload::Append { clients: 64 },
                Workload::BatchAppend {
                    clients: 8,
                    batch: 100,
                },
                Workload::PointRead { clients: 8 },
                Workload::VerifiedRead { clients: 8 },
                Workload::SqlInsert { clients: 8 },
                Workload::AsOf { clients: 8 },
            ],
        }
    }

    /// A small version of every workload, so tests keep the harness working.
    pub fn smoke(duration: Duration) -> Self {
        Self {
            duration,
            record_bytes: 1024,
            read_records: 500,
            as_of_keys: 50,
            versions: 4,
            workloads: vec![
                Workload::Append { clients: 4 },
                Workload::BatchAppend {
                    clients: 2,
                    batch: 10,
                },
                Workload::PointRead { clients: 2 },
                Workload::VerifiedRead { clients: 2 },
                Workload::SqlInsert { clients: 2 },
                Workload::AsOf { clients: 2 },
            ],
        }
    }
}

/// One workload on one system.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    /// [`Workload::label`].
    pub workload: String,
    /// [`Workload::unit`].
    pub unit: String,
    /// The system.
    pub system: System,
    /// [`System::label`].
    pub system_label: String,
    /// The figures.
    #[serde(flatten)]
    pub summary: Summary,
}
