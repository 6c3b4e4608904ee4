//! Kimberlite storage: one hash-chained write-ahead log for the node, group
//! commit, per-stream offset and Merkle indexes, encryption at rest, recovery.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kimberlite_protocol::{DataClass, Offset, Placement, TenantId};
//! use kimberlite_storage::engine::{Engine, EngineConfig};
//! use kimberlite_storage::io::os::OsVfs;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let vfs = Arc::new(OsVfs);
//! let config = EngineConfig::new("./data", "kimberlite.example");
//! Engine::init(vfs.clone(), &config)?;
//! let (engine, _report) = Engine::open(vfs, config)?;
//! engine.create_tenant(TenantId(1), "clinic")?;
//! let visits = engine.create_stream(TenantId(1), "visits", DataClass::PHI, Placement::Global)?;
//! engine.append(TenantId(1), visits, Offset(0), vec![b"checked in".to_vec()])?;
//! let read = engine.read_verified(TenantId(1), visits, Offset(0), 10, 1 << 20, None)?;
//! assert_eq!(read.records[0].payload, b"checked in");
//! engine.shutdown()?;
//! # Ok(()) }
//! ```
//!
//! How it behaves: [`engine::Engine::append`] returns once its records are on
//! disk (`fdatasync`), and concurrent appends share one write and one sync.
//! Reads see only durable records. Payloads are sealed with the tenant's key
//! before they reach a file; hashes are over the plaintext, so proofs survive
//! crypto-erasure. On open, a torn tail of the log is cut, the derived files
//! (`streams/`, `state/`) are brought up to the log, and corruption before the
//! tail stops the open with the file and offset. All file I/O goes through
//! [`io::Vfs`], so tests inject faults. The on-disk contract is docs/storage.md.

pub mod crypto;
pub mod engine;
pub mod index;
pub mod io;
pub mod verify;
pub mod wal;
