//! The [`Backend`] over the storage engine.
//!
//! Appends go to the engine's group-commit writer through a completion
//! callback, so no thread waits per append; other calls that may touch the
//! disk run on tokio's blocking pool. The live tail of subscriptions comes from
//! the engine's commit listener (see `tail.rs`). API keys are drawn here (a random
//! key id) and stored through catalog commands, holding only salt and hash.

mod serial;
mod sql;
mod tail;

use std::sync::Arc;

use kimberlite_kernel::{ApiKeyId, Command};
use kimberlite_protocol::message::{
    ApiKeyInfo, Audit, QueryAtRequest, QueryRequest, QueryResponse, RangeRecord,
    ReadEventsResponse, ReadVerifiedRequest, ReadVerifiedResponse, TenantInfo,
    VerifiedRangeResponse, VerifiedRecord,
};
use kimberlite_protocol::{ErrorCode, Hash, Offset, StreamId, TenantId};
use kimberlite_sql::SqlEngine;
use kimberlite_storage::engine::{
    Completion, Engine, EngineError, ProofShape, VerifiedRead, VerifiedReadRequest,
};
use kimberlite_storage::io::cached_only::cached_only;
use rand::rngs::OsRng;
use rand::RngCore;
use tokio::sync::oneshot;

use crate::backend::{
    ApiKeyRecord, AppendBatch, Backend, BackendError, BackendInfo, BackendResult, NewApiKey,
    StorageCounters, StreamSpec,
};
use serial::SerialRunners;
use tail::Tails;

/// Reads asking for at least this many bytes run in place, smaller ones from
/// memory or on the blocking pool (see `EngineBackend::read_here`).
const IN_PLACE_READ_BYTES: u64 = 64 * 1024;

/// The storage engine as a server backend.
#[derive(Debug)]
pub struct EngineBackend {
    engine: Arc<Engine>,
    tails: Arc<Tails>,
    sql: Option<Arc<SqlEngine>>,
    /// SQL reads of each tenant, run one after another (see `serial.rs`).
    sql_reads: SerialRunners<TenantId>,
}

impl EngineBackend {
    /// Wraps `engine` and registers the commit listener behind live tails.
    #[must_use]
    pub fn new(engine: Arc<Engine>) -> Self {
        let tails = Arc::new(Tails::default());
        let listener = tails.clone();
        engine.on_commit(Arc::new(move |tenant_id, stream_id, length| {
            listener.committed(tenant_id, stream_id, length);
        }));
        Self {
            engine,
            tails,
            sql: None,
            sql_reads: SerialRunners::default(),
        }
    }

    /// [`new`](Self::new) that also answers Query and QueryAt through `sql`
    /// (without it, SQL requests get an error).
    #[must_use]
    pub fn with_sql(engine: Arc<Engine>, sql: Arc<SqlEngine>) -> Self {
        Self {
            sql: Some(sql),
            ..Self::new(engine)
        }
    }

    /// The engine served.
    #[must_use]
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Runs a read (`call`) of up to `max_bytes`: a small one from memory on
    /// this thread if it can be, a big one on this thread telling the runtime to
    /// move this worker's other tasks elsewhere meanwhile (`block_in_place`),
    /// anything else on the blocking pool.
    ///
    /// Handing a read to a pool thread means waking a sleeping thread, and the
    /// kernel may queue it behind a busy core for up to a millisecond while
    /// another core is idle (seen on 2-core machines with a client checking
    /// answers on the other core): for a big read, which a caller waits on
    /// alone, the thread already running does it. Small reads come many at once
    /// from many clients; `block_in_place` for each would move the worker's
    /// other tasks (itself a wake-up: point reads from 8 clients were 10 %
    /// slower with twice the p99), so they run right here when every byte they
    /// need is in the page cache (a few microseconds, which an async worker can
    /// spare), and on the pool only when one is not (see [`read_small`]).
    ///
    /// [`read_small`]: Self::read_small
    async fn read_here<T, F>(&self, max_bytes: u64, call: F) -> BackendResult<T>
    where
        T: Send + 'static,
        F: Fn(&Engine) -> Result<T, EngineError> + Send + 'static,
    {
        if max_bytes < IN_PLACE_READ_BYTES {
            return self.read_small(call).await;
        }
        let flavor = tokio::runtime::Handle::current().runtime_flavor();
        if flavor != tokio::runtime::RuntimeFlavor::MultiThread {
            return self.blocking(call).await;
        }
        let result = tokio::task::block_in_place(|| call(&self.engine));
        result.map_err(|error| engine_error(&error))
    }

    /// Runs a small read on this thread from memory only (`cached_only`: a
    /// read that would wait for the disk fails instead, and the whole result is
    /// dropped), else on the blocking pool, where it may wait.
    async fn read_small<T, F>(&self, call: F) -> BackendResult<T>
    where
        T: Send + 'static,
        F: Fn(&Engine) -> Result<T, EngineError> + Send + 'static,
    {
        match cached_only(|| call(&self.engine)) {
            Some(result) => result.map_err(|error| engine_error(&error)),
            None => self.blocking(call).await,
        }
    }

    /// Runs `call` on the blocking pool.
    async fn blocking<T, F>(&self, call: F) -> BackendResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Engine) -> Result<T, EngineError> + Send + 'static,
    {
        let engine = self.engine.clone();
        match tokio::task::spawn_blocking(move || call(&engine)).await {
            Ok(result) => result.map_err(|error| engine_error(&error)),
            Err(error) => Err(BackendError::new(
                ErrorCode::InternalError,
                format!("storage call failed: {error}"),
            )),
        }
    }
}

impl EngineBackend {
    /// A verified read of the engine with the records proven as `shape` says.
    async fn verified_read(
        &self,
        tenant_id: TenantId,
        request: ReadVerifiedRequest,
        shape: ProofShape,
    ) -> BackendResult<VerifiedRead> {
        let read = VerifiedReadRequest {
            from_offset: request.from_offset,
            max_events: u32::MAX,
            max_bytes: request.max_bytes,
            trusted_size: request.trusted_size,
            shape,
        };
        let stream_id = request.stream_id;
        self.read_here(read.max_bytes, move |engine| {
            engine.read_verified_as(tenant_id, stream_id, read)
        })
        .await
    }
}

/// The offset after `count` records read from `from`; None for no record.
fn next_offset(from: Offset, count: usize) -> Option<Offset> {
    (count > 0).then(|| Offset(from.get() + count as u64))
}

/// The client-facing form of an engine error.
#[must_use]
pub fn engine_error(error: &EngineError) -> BackendError {
    BackendError::new(error.code(), error.to_string())
}

fn stopped() -> BackendError {
    BackendError::new(
        ErrorCode::InternalError,
        "the storage engine dropped the request",
    )
}

fn api_key_info(key: &kimberlite_kernel::ApiKey) -> ApiKeyInfo {
    ApiKeyInfo {
        key_id: key.id().get().to_string(),
        label: key.label().to_owned(),
        created_ns: key.created_ns(),
        revoked: !key.is_active(),
    }
}

impl Backend for EngineBackend {
    fn storage_counters(&self) -> Option<StorageCounters> {
        let stats = self.engine.stats();
        Some(StorageCounters {
            group_commits: stats.group_commits,
            records: stats.records,
            wal_bytes: stats.wal_bytes,
        })
    }

    async fn api_key(&self, key_id: u64) -> BackendResult<Option<ApiKeyRecord>> {
        let catalog = self.engine.catalog();
        Ok(catalog.api_key(ApiKeyId(key_id)).map(|key| ApiKeyRecord {
            key_id,
            tenant_id: key.tenant_id(),
            salt: key.salt().to_vec(),
            secret_hash: key.secret_hash().to_vec(),
            revoked: !key.is_active(),
        }))
    }

    async fn ensure_tenant(&self, tenant_id: TenantId) -> BackendResult<()> {
        if self.engine.catalog().tenant(tenant_id).is_some() {
            return Ok(());
        }
        let created = self
            .blocking(move |engine| engine.create_tenant(tenant_id, &format!("tenant-{tenant_id}")))
            .await;
        match created {
            // Another connection created it first.
            Err(error) if error.code == ErrorCode::TenantAlreadyExists => Ok(()),
            other => other,
        }
    }

    async fn create_stream(
        &self,
        tenant_id: TenantId,
        spec: StreamSpec,
    ) -> BackendResult<StreamId> {
        self.blocking(move |engine| {
            engine.create_stream(tenant_id, &spec.name, spec.data_class, spec.placement)
        })
        .await
    }

    async fn append(&self, tenant_id: TenantId, batch: AppendBatch) -> BackendResult<Offset> {
        let (sender, receiver) = oneshot::channel();
        let completion = Completion::callback(move |result| {
            let _ = sender.send(result);
        });
        let AppendBatch {
            stream_id,
            expected_offset,
            events,
        } = batch;
        self.engine
            .submit_append(tenant_id, stream_id, expected_offset, events, completion);
        let outcome = receiver.await.map_err(|_| stopped())?;
        outcome
            .map(|appended| appended.first_offset)
            .map_err(|error| engine_error(&error))
    }

    async fn read_events(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> BackendResult<ReadEventsResponse> {
        let batch = self
            .read_here(max_bytes, move |engine| {
                engine.read(tenant_id, stream_id, from_offset, max_bytes)
            })
            .await?;
        Ok(ReadEventsResponse {
            events: batch.events,
            next_offset: batch.next_offset,
        })
    }

    async fn stream_length(&self, tenant_id: TenantId, stream_id: StreamId) -> BackendResult<u64> {
        self.engine
            .stream_length(tenant_id, stream_id)
            .map_err(|error| engine_error(&error))
    }

    async fn wait_for_records(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        known_length: u64,
    ) -> BackendResult<u64> {
        // Subscribe before reading the length, so no commit falls in between.
        let mut receiver = self.tails.subscribe(tenant_id, stream_id);
        let length = self.stream_length(tenant_id, stream_id).await?;
        if length > known_length {
            return Ok(length);
        }
        let grown = receiver
            .wait_for(|length| *length > known_length)
            .await
            .map(|length| *length);
        grown.map_err(|_| stopped())
    }

    async fn query(
        &self,
        tenant_id: TenantId,
        request: QueryRequest,
        audit: Audit,
    ) -> BackendResult<QueryResponse> {
        match &self.sql {
            Some(sql) => sql::query(sql.clone(), &self.sql_reads, tenant_id, request, audit).await,
            None => Err(BackendError::sql_unavailable()),
        }
    }

    async fn query_at(
        &self,
        tenant_id: TenantId,
        request: QueryAtRequest,
        audit: Audit,
    ) -> BackendResult<QueryResponse> {
        match &self.sql {
            Some(sql) => {
                sql::query_at(sql.clone(), &self.sql_reads, tenant_id, request, audit).await
            }
            None => Err(BackendError::sql_unavailable()),
        }
    }

    async fn read_verified(
        &self,
        tenant_id: TenantId,
        request: ReadVerifiedRequest,
    ) -> BackendResult<ReadVerifiedResponse> {
        let from_offset = request.from_offset;
        let read = self
            .verified_read(tenant_id, request, ProofShape::PerRecord)
            .await?;
        let records: Vec<_> = read
            .records
            .into_iter()
            .map(|record| VerifiedRecord {
                offset: record.offset,
                timestamp_ns: record.timestamp_ns,
                kind: record.kind,
                prev_hash: record.prev_hash,
                payload: record.payload,
                inclusion_proof: record.inclusion_proof,
            })
            .collect();
        Ok(ReadVerifiedResponse {
            checkpoint: read.checkpoint,
            next_offset: next_offset(from_offset, records.len()),
            records,
            consistency_proof: read.consistency_proof.unwrap_or_default(),
        })
    }

    async fn read_verified_range(
        &self,
        tenant_id: TenantId,
        request: ReadVerifiedRequest,
    ) -> BackendResult<VerifiedRangeResponse> {
        let from_offset = request.from_offset;
        let read = self
            .verified_read(tenant_id, request, ProofShape::Range)
            .await?;
        let records: Vec<_> = read
            .records
            .into_iter()
            .map(|record| RangeRecord {
                offset: record.offset,
                timestamp_ns: record.timestamp_ns,
                kind: record.kind,
                prev_hash: record.prev_hash,
                payload: record.payload,
            })
            .collect();
        Ok(VerifiedRangeResponse {
            checkpoint: read.checkpoint,
            next_offset: next_offset(from_offset, records.len()),
            records,
            range_proof: read.range_proof,
            consistency_proof: read.consistency_proof.unwrap_or_default(),
        })
    }

    async fn checkpoint(&self, tenant_id: TenantId, stream_id: StreamId) -> BackendResult<String> {
        self.read_small(move |engine| engine.checkpoint(tenant_id, stream_id, None))
            .await
    }

    async fn consistency_proof(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_size: u64,
        to_size: u64,
    ) -> BackendResult<Vec<Hash>> {
        self.read_small(move |engine| {
            engine.consistency_proof(tenant_id, stream_id, from_size, to_size)
        })
        .await
    }

    async fn create_tenant(&self, tenant_id: TenantId, name: String) -> BackendResult<()> {
        self.blocking(move |engine| engine.create_tenant(tenant_id, &name))
            .await
    }

    async fn list_tenants(&self) -> BackendResult<Vec<TenantInfo>> {
        let catalog = self.engine.catalog();
        let tenants = catalog.tenants();
        Ok(tenants
            .map(|tenant| TenantInfo {
                id: tenant.id(),
                name: tenant.name().to_owned(),
            })
            .collect())
    }

    async fn create_api_key(&self, key: NewApiKey) -> BackendResult<u64> {
        // A random 63-bit id: unguessable, and a collision is refused by the kernel.
        let key_id = ApiKeyId((OsRng.next_u64() >> 1).max(1));
        self.blocking(move |engine| {
            engine.catalog_command(move |_, timestamp_ns| {
                Ok(Command::CreateApiKey {
                    key_id,
                    tenant_id: key.tenant_id,
                    label: key.label,
                    salt: key.salt,
                    secret_hash: key.secret_hash,
                    timestamp_ns,
                })
            })
        })
        .await?;
        Ok(key_id.get())
    }

    async fn revoke_api_key(&self, key_id: u64) -> BackendResult<bool> {
        let key_id = ApiKeyId(key_id);
        match self.engine.catalog().api_key(key_id) {
            None => {
                return Err(BackendError::new(
                    ErrorCode::ApiKeyNotFound,
                    format!("no key {key_id}"),
                ))
            }
            Some(key) if !key.is_active() => return Ok(false),
            Some(_) => {}
        }
        self.blocking(move |engine| {
            engine.catalog_command(move |_, timestamp_ns| {
                Ok(Command::RevokeApiKey {
                    key_id,
                    timestamp_ns,
                })
            })
        })
        .await?;
        Ok(true)
    }

    async fn list_api_keys(&self, tenant_id: TenantId) -> BackendResult<Vec<ApiKeyInfo>> {
        let catalog = self.engine.catalog();
        if catalog.tenant(tenant_id).is_none() {
            return Err(BackendError::new(
                ErrorCode::TenantNotFound,
                format!("no tenant {tenant_id}"),
            ));
        }
        Ok(catalog.api_keys(tenant_id).map(api_key_info).collect())
    }

    async fn info(&self) -> BackendResult<BackendInfo> {
        Ok(BackendInfo {
            signing_key: self.engine.verifier_key(),
        })
    }

    async fn sync(&self) -> BackendResult<()> {
        self.blocking(Engine::sync).await
    }
}
