//! The storage engine: the kernel, the WAL, the indexes and the keys, together.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kimberlite_storage::engine::{Engine, EngineConfig};
//! use kimberlite_storage::io::os::OsVfs;
//! use kimberlite_protocol::{Offset, TenantId};
//! use kimberlite_protocol::{DataClass, Placement};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let vfs = Arc::new(OsVfs);
//! let config = EngineConfig::new("./data", "kimberlite.example");
//! Engine::init(vfs.clone(), &config)?;
//! let (engine, _report) = Engine::open(vfs, config)?;
//! engine.create_tenant(TenantId(1), "clinic")?;
//! let stream = engine.create_stream(TenantId(1), "visits", DataClass::PHI, Placement::Global)?;
//! let outcome = engine.append(TenantId(1), stream, Offset(0), vec![b"hello".to_vec()])?;
//! assert_eq!(outcome.first_offset, Offset(0));
//! engine.shutdown()?;
//! # Ok(()) }
//! ```
//!
//! Writes go through one writer thread ([`writer`]) that batches concurrent
//! requests into one durable write (group commit). Reads go straight to the files
//! from the caller's thread and see only durable, indexed records.

mod complete_appends;
mod completion;
mod config;
mod error;
mod intent;
mod read;
mod records;
mod recovery;
mod shared;
mod snapshot;
mod stored_record;
mod streams;
mod verified;
mod writer;

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use kimberlite_kernel::{Command, Effect, State, TableChange};
use kimberlite_protocol::note::NoteSigner;
use kimberlite_protocol::{DataClass, Hash, Offset, Placement, StreamId, TenantId};

pub use complete_appends::CompleteAppends;
pub use completion::{Completion, Waiter};
pub use config::{Clock, EngineConfig, Layout, SystemClock};
pub use error::EngineError;
pub use intent::AppendOutcome;
pub use read::ReadBatch;
pub use records::{RecordKind, SqlLogPayload, SYSTEM_STREAM};
pub use recovery::RecoveryReport;
pub use shared::{CommitListener, EngineStats};
pub use stored_record::{Sealing, StoredRecord, StoredRecordError};
pub use verified::{
    ProofShape, ProvenRecord, ProvenRecords, VerifiedRead, VerifiedReadRequest, VerifiedRecord,
};

pub(crate) use complete_appends::{AppendAssembler, Fed, Orphan};
pub(crate) use records::{recompute_hash, Chain};
pub(crate) use snapshot::read as read_snapshot;
#[cfg(test)]
pub(crate) use snapshot::{write as write_snapshot, Snapshot};

use crate::crypto::{KeyStore, MasterKey, SigningKeyFile};
use crate::io::Vfs;
use crate::wal::{Wal, WalConfig};
use intent::Intent;
use shared::Shared;
use writer::Writer;

/// A running storage engine. Cheap to share behind an `Arc`; every method may be
/// called from any thread.
pub struct Engine {
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.shared.config.data_dir)
            .finish()
    }
}

impl Engine {
    /// Creates the keys of a new data directory (master key and signing key,
    /// 0600). Fails if they already exist: keys are never overwritten.
    pub fn init(vfs: Arc<dyn Vfs>, config: &EngineConfig) -> Result<(), EngineError> {
        let layout = Layout::new(&config.data_dir);
        vfs.create_dir_all(&layout.keys_dir())?;
        MasterKey::create(vfs.as_ref(), &layout.master_key())?;
        SigningKeyFile::create(vfs.as_ref(), &layout.signing_key())?;
        vfs.sync_dir(&layout.keys_dir())?;
        vfs.sync_dir(layout.root())?;
        Ok(())
    }

    /// Opens an initialised data directory with the system clock, recovering
    /// from whatever state a crash left.
    pub fn open(
        vfs: Arc<dyn Vfs>,
        config: EngineConfig,
    ) -> Result<(Self, RecoveryReport), EngineError> {
        Self::open_with_clock(vfs, config, Arc::new(SystemClock))
    }

    /// [`open`](Self::open) with a chosen clock (simulation and tests).
    pub fn open_with_clock(
        vfs: Arc<dyn Vfs>,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, RecoveryReport), EngineError> {
        let layout = Layout::new(&config.data_dir);
        let master = MasterKey::load(vfs.as_ref(), &layout.master_key())?;
        let signing = SigningKeyFile::load(vfs.as_ref(), &layout.signing_key())?;
        let signer = NoteSigner::new(&config.identity, signing)
            .map_err(|error| EngineError::InvalidRequest(format!("node identity: {error}")))?;
        let keys = KeyStore::open(vfs.clone(), &layout.keys_dir(), &master)?;
        vfs.create_dir_all(&layout.streams_dir())?;
        let (wal, wal_report) = Wal::open(
            vfs.clone(),
            &layout.wal_dir(),
            WalConfig {
                segment_size_bytes: config.segment_size_bytes,
                preallocate: config.wal_preallocate,
            },
        )?;
        let shared = Arc::new(Shared::new(config, vfs, clock, keys, signer, wal.reader()));
        let recovered = recovery::recover(&shared, wal_report.torn_tail_bytes)?;
        let report = recovered.report;
        let writer = Writer {
            shared: shared.clone(),
            wal,
            state: recovered.state,
            chains: recovered.chains,
            bytes_since_snapshot: 0,
        };
        let thread = std::thread::Builder::new()
            .name("kimberlite-writer".into())
            .spawn(move || writer.run())?;
        let engine = Self {
            shared,
            writer: Mutex::new(Some(thread)),
        };
        Ok((engine, report))
    }

    /// Stops accepting writes, finishes what is queued, writes a snapshot and
    /// joins the writer thread. Idempotent.
    pub fn shutdown(&self) -> Result<(), EngineError> {
        self.shared.close();
        let thread = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            thread
                .join()
                .map_err(|_| EngineError::Failed("the writer thread panicked".into()))?;
        }
        match self.shared.failure() {
            Some(reason) => Err(EngineError::Failed(reason)),
            None => Ok(()),
        }
    }

    /// The durable catalog (tenants, streams, tables, keys, retention).
    #[must_use]
    pub fn catalog(&self) -> Arc<State> {
        self.shared.catalog()
    }

    /// The node's signing identity (checkpoint origin prefix and key name).
    #[must_use]
    pub fn identity(&self) -> &str {
        &self.shared.config.identity
    }

    /// The node's C2SP verifier key string (`name+keyid+base64 key`).
    #[must_use]
    pub fn verifier_key(&self) -> String {
        self.shared.signer.verifier_key()
    }

    /// Registers a callback run after records become durable.
    pub fn on_commit(&self, listener: CommitListener) {
        self.shared.add_listener(listener);
    }

    /// Counts of group commits, records and bytes written since open.
    #[must_use]
    pub fn stats(&self) -> EngineStats {
        self.shared.stats.snapshot()
    }

    /// Why the node stopped accepting writes, if it did.
    #[must_use]
    pub fn failure(&self) -> Option<String> {
        self.shared.failure()
    }

    /// Queues an append; `completion` receives the outcome once it is durable.
    pub fn submit_append(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        expected_offset: Offset,
        events: Vec<Vec<u8>>,
        completion: Completion<AppendOutcome>,
    ) {
        self.shared.submit(Intent::Append {
            tenant_id,
            stream_id,
            expected_offset,
            events,
            completion,
        });
    }

    /// Appends events durably; blocks until they are on disk.
    pub fn append(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        expected_offset: Offset,
        events: Vec<Vec<u8>>,
    ) -> Result<AppendOutcome, EngineError> {
        let (completion, waiter) = Completion::channel();
        self.submit_append(tenant_id, stream_id, expected_offset, events, completion);
        waiter.wait()
    }

    /// Queues a catalog command built at commit time.
    pub fn submit_catalog(
        &self,
        build: impl FnOnce(&State, u64) -> Result<Command, EngineError> + Send + 'static,
        completion: Completion<Vec<Effect>>,
    ) {
        self.shared.submit(Intent::Catalog {
            build: Box::new(build),
            completion,
        });
    }

    /// Runs a catalog command durably and returns its effects.
    pub fn catalog_command(
        &self,
        build: impl FnOnce(&State, u64) -> Result<Command, EngineError> + Send + 'static,
    ) -> Result<Vec<Effect>, EngineError> {
        let (completion, waiter) = Completion::channel();
        self.submit_catalog(build, completion);
        waiter.wait()
    }

    /// Creates a tenant (with its data key and SQL log).
    pub fn create_tenant(&self, tenant_id: TenantId, name: &str) -> Result<(), EngineError> {
        let name = name.to_owned();
        self.catalog_command(move |_, timestamp_ns| {
            Ok(Command::CreateTenant {
                tenant_id,
                name,
                timestamp_ns,
            })
        })
        .map(|_| ())
    }

    /// Creates a stream, or returns the id of the tenant's stream of that name.
    pub fn create_stream(
        &self,
        tenant_id: TenantId,
        name: &str,
        data_class: DataClass,
        placement: Placement,
    ) -> Result<StreamId, EngineError> {
        let name = name.to_owned();
        let effects = self.catalog_command(move |_, timestamp_ns| {
            Ok(Command::CreateStream {
                tenant_id,
                name,
                data_class,
                placement,
                timestamp_ns,
            })
        })?;
        effects
            .iter()
            .find_map(|effect| match effect {
                Effect::StreamCreated { stream_id, .. } => Some(*stream_id),
                _ => None,
            })
            .ok_or_else(|| EngineError::Failed("create stream produced no stream".into()))
    }

    /// Appends one record to the tenant's SQL log; returns its position.
    pub fn append_sql_effect(
        &self,
        tenant_id: TenantId,
        table_changes: Vec<TableChange>,
        effect: Vec<u8>,
    ) -> Result<AppendOutcome, EngineError> {
        let (completion, waiter) = Completion::channel();
        self.submit_sql_effect(tenant_id, table_changes, effect, completion);
        waiter.wait()
    }

    /// Queues one record for the tenant's SQL log; `completion` receives its
    /// position once it is durable. Records are staged in submission order.
    pub fn submit_sql_effect(
        &self,
        tenant_id: TenantId,
        table_changes: Vec<TableChange>,
        effect: Vec<u8>,
        completion: Completion<AppendOutcome>,
    ) {
        self.shared.submit(Intent::SqlEffect {
            tenant_id,
            table_changes,
            effect,
            completion,
        });
    }

    /// Destroys the tenant's data key: its payloads become unreadable for good,
    /// while chains and trees stay verifiable.
    pub fn erase_tenant(&self, tenant_id: TenantId) -> Result<(), EngineError> {
        self.catalog_command(move |_, timestamp_ns| {
            Ok(Command::EraseTenantKey {
                tenant_id,
                timestamp_ns,
            })
        })
        .map(|_| ())
    }

    /// Makes the derived indexes durable and writes a snapshot, shortening the
    /// next recovery. Appends are durable without it.
    pub fn sync(&self) -> Result<(), EngineError> {
        let (completion, waiter) = Completion::channel();
        self.shared.submit(Intent::Snapshot { completion });
        waiter.wait()
    }

    /// The stream's durable length.
    pub fn stream_length(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
    ) -> Result<u64, EngineError> {
        Ok(self.handle(tenant_id, stream_id)?.committed())
    }

    /// The last record hash of a stream at its durable length, or its genesis.
    pub fn stream_head(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
    ) -> Result<Hash, EngineError> {
        let handle = self.handle(tenant_id, stream_id)?;
        let length = handle.committed();
        if length == 0 {
            return Ok(records::Chain::genesis((tenant_id, stream_id)).head);
        }
        let indexes = handle.indexes();
        Ok(indexes.leaf(length - 1)?)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            tracing::warn!(%error, "storage engine stopped with an error");
        }
    }
}
