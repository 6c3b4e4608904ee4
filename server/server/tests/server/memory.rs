//! An in-memory [`Backend`] that behaves like the real one for tenants,
//! streams, appends, reads and keys, with hooks the tests use to hold appends
//! and to count calls.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kimberlite_protocol::message::{
    ApiKeyInfo, Audit, QueryAtRequest, QueryRequest, QueryResponse, ReadEventsResponse,
    ReadVerifiedRequest, ReadVerifiedResponse, TenantInfo, VerifiedRangeResponse,
};
use kimberlite_protocol::{ErrorCode, Hash, Offset, StreamId, TenantId, Value};
use kimberlite_server::{
    ApiKeyRecord, AppendBatch, Backend, BackendError, BackendInfo, BackendResult, NewApiKey,
    StreamSpec,
};
use tokio::sync::{watch, Semaphore};

struct Stream {
    name: String,
    events: Vec<Vec<u8>>,
    length: watch::Sender<u64>,
}

struct Tenant {
    name: String,
    streams: Vec<Stream>,
}

struct StoredKey {
    record: ApiKeyRecord,
    label: String,
}

#[derive(Default)]
struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    keys: BTreeMap<u64, StoredKey>,
}

/// Holds appends until the test releases them, and tracks how many wait.
pub struct Gate {
    permits: Semaphore,
    waiting: watch::Sender<usize>,
    peak: AtomicUsize,
}

impl Gate {
    /// Lets `count` held appends through.
    pub fn release(&self, count: usize) {
        self.permits.add_permits(count);
    }

    /// Waits until `count` appends are held.
    pub async fn wait_until_waiting(&self, count: usize) {
        let mut waiting = self.waiting.subscribe();
        waiting.wait_for(|now| *now == count).await.unwrap();
    }

    /// How many appends are held right now.
    pub fn waiting(&self) -> usize {
        *self.waiting.borrow()
    }

    /// The most appends ever held at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// The test backend.
#[derive(Default)]
pub struct MemoryBackend {
    state: Mutex<State>,
    gate: Option<Arc<Gate>>,
    syncs: AtomicUsize,
}

impl MemoryBackend {
    /// A backend whose appends all wait at a gate.
    pub fn gated() -> (Self, Arc<Gate>) {
        let gate = Arc::new(Gate {
            permits: Semaphore::new(0),
            waiting: watch::Sender::new(0),
            peak: AtomicUsize::new(0),
        });
        (
            Self {
                gate: Some(gate.clone()),
                ..Self::default()
            },
            gate,
        )
    }

    /// A backend that already has tenant `id`.
    pub fn with_tenant(id: u64) -> Self {
        let backend = Self::default();
        backend.insert_tenant(TenantId(id), "test");
        backend
    }

    pub fn insert_tenant(&self, id: TenantId, name: &str) {
        let tenant = Tenant {
            name: name.to_owned(),
            streams: Vec::new(),
        };
        self.state
            .lock()
            .unwrap()
            .tenants
            .entry(id)
            .or_insert(tenant);
    }

    /// How many times `sync` was called.
    pub fn syncs(&self) -> usize {
        self.syncs.load(Ordering::SeqCst)
    }

    /// The events of a stream, straight from the model.
    pub fn events(&self, tenant: u64, stream: u64) -> Vec<Vec<u8>> {
        let state = self.state.lock().unwrap();
        let tenant = &state.tenants[&TenantId(tenant)];
        tenant.streams[usize::try_from(stream - 1).unwrap()]
            .events
            .clone()
    }

    fn with_stream<T>(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        action: impl FnOnce(&mut Stream) -> BackendResult<T>,
    ) -> BackendResult<T> {
        let mut state = self.state.lock().unwrap();
        let tenant = state
            .tenants
            .get_mut(&tenant_id)
            .ok_or_else(|| tenant_not_found(tenant_id))?;
        let index = usize::try_from(stream_id.get())
            .unwrap_or(0)
            .wrapping_sub(1);
        let stream = tenant.streams.get_mut(index).ok_or_else(|| {
            BackendError::new(ErrorCode::StreamNotFound, format!("no stream {stream_id}"))
        })?;
        action(stream)
    }

    async fn pass_gate(&self) {
        let Some(gate) = &self.gate else { return };
        gate.waiting.send_modify(|waiting| *waiting += 1);
        gate.peak
            .fetch_max(*gate.waiting.borrow(), Ordering::SeqCst);
        gate.permits.acquire().await.unwrap().forget();
        gate.waiting.send_modify(|waiting| *waiting -= 1);
    }
}

fn tenant_not_found(tenant_id: TenantId) -> BackendError {
    BackendError::new(ErrorCode::TenantNotFound, format!("no tenant {tenant_id}"))
}

fn read_from(events: &[Vec<u8>], from: u64, max_bytes: u64) -> BackendResult<ReadEventsResponse> {
    let start = usize::try_from(from).unwrap();
    if start > events.len() {
        return Err(BackendError::new(
            ErrorCode::InvalidOffset,
            "offset beyond the stream",
        ));
    }
    let mut taken = Vec::new();
    let mut bytes = 0u64;
    for event in &events[start..] {
        if bytes >= max_bytes {
            break;
        }
        bytes += event.len() as u64;
        taken.push(event.clone());
    }
    let next_offset = (!taken.is_empty()).then(|| Offset(from + taken.len() as u64));
    Ok(ReadEventsResponse {
        events: taken,
        next_offset,
    })
}

impl Backend for MemoryBackend {
    async fn api_key(&self, key_id: u64) -> BackendResult<Option<ApiKeyRecord>> {
        Ok(self
            .state
            .lock()
            .unwrap()
            .keys
            .get(&key_id)
            .map(|key| key.record.clone()))
    }

    async fn ensure_tenant(&self, tenant_id: TenantId) -> BackendResult<()> {
        self.insert_tenant(tenant_id, "auto");
        Ok(())
    }

    async fn create_stream(
        &self,
        tenant_id: TenantId,
        spec: StreamSpec,
    ) -> BackendResult<StreamId> {
        let mut state = self.state.lock().unwrap();
        let tenant = state
            .tenants
            .get_mut(&tenant_id)
            .ok_or_else(|| tenant_not_found(tenant_id))?;
        if let Some(index) = tenant
            .streams
            .iter()
            .position(|stream| stream.name == spec.name)
        {
            return Ok(StreamId(index as u64 + 1));
        }
        let stream = Stream {
            name: spec.name,
            events: Vec::new(),
            length: watch::Sender::new(0),
        };
        tenant.streams.push(stream);
        Ok(StreamId(tenant.streams.len() as u64))
    }

    async fn append(&self, tenant_id: TenantId, batch: AppendBatch) -> BackendResult<Offset> {
        self.pass_gate().await;
        self.with_stream(tenant_id, batch.stream_id, |stream| {
            let length = stream.events.len() as u64;
            if batch.expected_offset.get() != length {
                return Err(BackendError::new(
                    ErrorCode::OffsetMismatch,
                    format!(
                        "expected offset {} but the length is {length}",
                        batch.expected_offset
                    ),
                ));
            }
            stream.events.extend(batch.events);
            stream.length.send_replace(stream.events.len() as u64);
            Ok(Offset(length))
        })
    }

    async fn read_events(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> BackendResult<ReadEventsResponse> {
        self.with_stream(tenant_id, stream_id, |stream| {
            read_from(&stream.events, from_offset.get(), max_bytes)
        })
    }

    async fn stream_length(&self, tenant_id: TenantId, stream_id: StreamId) -> BackendResult<u64> {
        self.with_stream(
            tenant_id,
            stream_id,
            |stream| Ok(stream.events.len() as u64),
        )
    }

    async fn wait_for_records(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        known_length: u64,
    ) -> BackendResult<u64> {
        let mut length =
            self.with_stream(tenant_id, stream_id, |stream| Ok(stream.length.subscribe()))?;
        let grown = length.wait_for(|length| *length > known_length).await;
        grown
            .map(|length| *length)
            .map_err(|_| BackendError::new(ErrorCode::StreamNotFound, "gone"))
    }

    async fn query(
        &self,
        _tenant_id: TenantId,
        request: QueryRequest,
        _audit: Audit,
    ) -> BackendResult<QueryResponse> {
        // One canned statement lets the tests see how extension values travel.
        if request.sql == "SELECT 1.5 AS x" {
            return Ok(QueryResponse {
                columns: vec!["x".into()],
                rows: vec![vec![Value::Real(1.5)]],
            });
        }
        Err(BackendError::sql_unavailable())
    }

    async fn query_at(
        &self,
        _tenant_id: TenantId,
        _request: QueryAtRequest,
        _audit: Audit,
    ) -> BackendResult<QueryResponse> {
        Err(BackendError::sql_unavailable())
    }

    async fn read_verified(
        &self,
        _tenant_id: TenantId,
        _request: ReadVerifiedRequest,
    ) -> BackendResult<ReadVerifiedResponse> {
        Err(unverifiable())
    }

    async fn read_verified_range(
        &self,
        _tenant_id: TenantId,
        _request: ReadVerifiedRequest,
    ) -> BackendResult<VerifiedRangeResponse> {
        Err(unverifiable())
    }

    async fn checkpoint(
        &self,
        _tenant_id: TenantId,
        _stream_id: StreamId,
    ) -> BackendResult<String> {
        Err(unverifiable())
    }

    async fn consistency_proof(
        &self,
        _tenant_id: TenantId,
        _stream_id: StreamId,
        _from_size: u64,
        _to_size: u64,
    ) -> BackendResult<Vec<Hash>> {
        Err(unverifiable())
    }

    async fn create_tenant(&self, tenant_id: TenantId, name: String) -> BackendResult<()> {
        let mut state = self.state.lock().unwrap();
        if state.tenants.contains_key(&tenant_id) {
            return Err(BackendError::new(
                ErrorCode::TenantAlreadyExists,
                "tenant exists",
            ));
        }
        state.tenants.insert(
            tenant_id,
            Tenant {
                name,
                streams: Vec::new(),
            },
        );
        Ok(())
    }

    async fn list_tenants(&self) -> BackendResult<Vec<TenantInfo>> {
        let state = self.state.lock().unwrap();
        let tenants = state.tenants.iter();
        Ok(tenants
            .map(|(id, tenant)| TenantInfo {
                id: *id,
                name: tenant.name.clone(),
            })
            .collect())
    }

    async fn create_api_key(&self, key: NewApiKey) -> BackendResult<u64> {
        let mut state = self.state.lock().unwrap();
        if !state.tenants.contains_key(&key.tenant_id) {
            return Err(tenant_not_found(key.tenant_id));
        }
        let key_id = state.keys.len() as u64 + 1;
        let record = ApiKeyRecord {
            key_id,
            tenant_id: key.tenant_id,
            salt: key.salt,
            secret_hash: key.secret_hash,
            revoked: false,
        };
        state.keys.insert(
            key_id,
            StoredKey {
                record,
                label: key.label,
            },
        );
        Ok(key_id)
    }

    async fn revoke_api_key(&self, key_id: u64) -> BackendResult<bool> {
        let mut state = self.state.lock().unwrap();
        let key = state
            .keys
            .get_mut(&key_id)
            .ok_or_else(|| BackendError::new(ErrorCode::ApiKeyNotFound, "no such key"))?;
        let was_active = !key.record.revoked;
        key.record.revoked = true;
        Ok(was_active)
    }

    async fn list_api_keys(&self, tenant_id: TenantId) -> BackendResult<Vec<ApiKeyInfo>> {
        let state = self.state.lock().unwrap();
        let keys = state
            .keys
            .values()
            .filter(|key| key.record.tenant_id == tenant_id);
        Ok(keys
            .map(|key| ApiKeyInfo {
                key_id: key.record.key_id.to_string(),
                label: key.label.clone(),
                created_ns: 0,
                revoked: key.record.revoked,
            })
            .collect())
    }

    async fn info(&self) -> BackendResult<BackendInfo> {
        Ok(BackendInfo {
            signing_key: "test+00000000+AAAA".into(),
        })
    }

    async fn sync(&self) -> BackendResult<()> {
        self.syncs.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

fn unverifiable() -> BackendError {
    BackendError::new(
        ErrorCode::VerificationUnavailable,
        "this backend signs nothing",
    )
}
