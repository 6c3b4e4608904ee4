//! What the server needs from the database, as one trait.
//!
//! The server is generic over a [`Backend`]: the storage engine in production,
//! an in-memory model in tests. Every method is asynchronous and returns
//! `(ErrorCode, message)` errors that go to the client as they are (extension
//! codes are mapped for plain clients by the connection). A backend checks its
//! own invariants (tenant exists, stream exists, expected offset); the server
//! has already checked authentication, tenant access and size limits.

use std::future::Future;

use kimberlite_protocol::message::{
    ApiKeyInfo, Audit, QueryAtRequest, QueryRequest, QueryResponse, ReadEventsResponse,
    ReadVerifiedRequest, ReadVerifiedResponse, TenantInfo, VerifiedRangeResponse,
};
use kimberlite_protocol::{DataClass, ErrorCode, Hash, Offset, Placement, StreamId, TenantId};

/// A failed backend call: the code and message the client receives.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct BackendError {
    /// The numbered reason.
    pub code: ErrorCode,
    /// A human-readable explanation.
    pub message: String,
}

impl BackendError {
    /// An error with `code` and `message`.
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The error every SQL call returns until the SQL layer is wired in.
    #[must_use]
    pub fn sql_unavailable() -> Self {
        Self::new(
            ErrorCode::QueryExecutionError,
            "SQL is not available on this server yet",
        )
    }
}

/// The result of a backend call.
pub type BackendResult<T> = Result<T, BackendError>;

/// A stored API key, as the backend keeps it: never the secret itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// The key's id.
    pub key_id: u64,
    /// The one tenant the key may use.
    pub tenant_id: TenantId,
    /// The random salt the secret was hashed with.
    pub salt: Vec<u8>,
    /// `api_key_digest(salt, secret)` (see [`crate::auth`]).
    pub secret_hash: Vec<u8>,
    /// Whether the key was revoked.
    pub revoked: bool,
}

/// A key to store: the server drew the salt and secret and hashed the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiKey {
    /// The tenant the key may use.
    pub tenant_id: TenantId,
    /// A label for people.
    pub label: String,
    /// The salt.
    pub salt: Vec<u8>,
    /// The salted hash of the secret.
    pub secret_hash: Vec<u8>,
}

/// A stream to create (or find, by name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSpec {
    /// Unique within the tenant.
    pub name: String,
    /// The kind of data it holds.
    pub data_class: DataClass,
    /// Where it may live.
    pub placement: Placement,
}

/// Events to append at an expected offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendBatch {
    /// The stream.
    pub stream_id: StreamId,
    /// Must equal the stream's length, else `OffsetMismatch`.
    pub expected_offset: Offset,
    /// The events; never empty (the server refuses an empty batch).
    pub events: Vec<Vec<u8>>,
}

/// Facts about the database the server reports in `ServerInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendInfo {
    /// The checkpoint signer's C2SP verifier key (`name+keyid+base64`).
    pub signing_key: String,
}

/// Counters of the durable log since the database was opened, for
/// `GET /metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StorageCounters {
    /// Group commits: one write and one `fdatasync` each.
    pub group_commits: u64,
    /// Records written.
    pub records: u64,
    /// Record bytes written to the log.
    pub wal_bytes: u64,
}

/// The database as the server sees it.
///
/// Implementations must be cheap to call concurrently: the server calls them
/// from many connection tasks at once. Long blocking work belongs on a
/// blocking thread (`tokio::task::spawn_blocking`), not in the future.
pub trait Backend: Send + Sync + 'static {
    /// The stored key with id `key_id`, or None.
    fn api_key(
        &self,
        key_id: u64,
    ) -> impl Future<Output = BackendResult<Option<ApiKeyRecord>>> + Send;

    /// Creates the tenant if it does not exist (development mode only).
    fn ensure_tenant(&self, tenant_id: TenantId) -> impl Future<Output = BackendResult<()>> + Send;

    /// Creates a stream, or returns the id of the tenant's stream of that name.
    fn create_stream(
        &self,
        tenant_id: TenantId,
        spec: StreamSpec,
    ) -> impl Future<Output = BackendResult<StreamId>> + Send;

    /// Appends durably; resolves with the first offset once the events are on
    /// disk. `OffsetMismatch` when `expected_offset` is not the length.
    fn append(
        &self,
        tenant_id: TenantId,
        batch: AppendBatch,
    ) -> impl Future<Output = BackendResult<Offset>> + Send;

    /// Reads events from `from_offset` while the bytes so far are below
    /// `max_bytes` (the last one may cross it), as protocol v5 specifies.
    fn read_events(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_offset: Offset,
        max_bytes: u64,
    ) -> impl Future<Output = BackendResult<ReadEventsResponse>> + Send;

    /// The stream's durable length.
    fn stream_length(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
    ) -> impl Future<Output = BackendResult<u64>> + Send;

    /// Resolves once the stream is longer than `known_length`, with its new
    /// length. Used for the live tail of subscriptions; it may wait forever.
    fn wait_for_records(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        known_length: u64,
    ) -> impl Future<Output = BackendResult<u64>> + Send;

    /// Runs SQL on the current state (rows, or `rows_affected` and
    /// `log_offset` for a statement that changes state). `audit` is the
    /// request's audit metadata (empty when it carried none): a change is
    /// recorded with its actor, reason and correlation id.
    fn query(
        &self,
        tenant_id: TenantId,
        request: QueryRequest,
        audit: Audit,
    ) -> impl Future<Output = BackendResult<QueryResponse>> + Send;

    /// Runs SQL on the state at a SQL log position (`audit` as for
    /// [`query`](Self::query)).
    fn query_at(
        &self,
        tenant_id: TenantId,
        request: QueryAtRequest,
        audit: Audit,
    ) -> impl Future<Output = BackendResult<QueryResponse>> + Send;

    /// Reads records with inclusion proofs against a fresh signed checkpoint.
    fn read_verified(
        &self,
        tenant_id: TenantId,
        request: ReadVerifiedRequest,
    ) -> impl Future<Output = BackendResult<ReadVerifiedResponse>> + Send;

    /// Reads records with one range proof for all of them against a fresh
    /// signed checkpoint (`kmb.verify/2`).
    fn read_verified_range(
        &self,
        tenant_id: TenantId,
        request: ReadVerifiedRequest,
    ) -> impl Future<Output = BackendResult<VerifiedRangeResponse>> + Send;

    /// The stream's latest signed checkpoint (signed-note text).
    fn checkpoint(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
    ) -> impl Future<Output = BackendResult<String>> + Send;

    /// An RFC 6962 consistency proof between two tree sizes of the stream.
    fn consistency_proof(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
        from_size: u64,
        to_size: u64,
    ) -> impl Future<Output = BackendResult<Vec<Hash>>> + Send;

    /// Creates a tenant; `TenantAlreadyExists` if the id is taken.
    fn create_tenant(
        &self,
        tenant_id: TenantId,
        name: String,
    ) -> impl Future<Output = BackendResult<()>> + Send;

    /// Every tenant, by id.
    fn list_tenants(&self) -> impl Future<Output = BackendResult<Vec<TenantInfo>>> + Send;

    /// Stores a new key and returns its id.
    fn create_api_key(&self, key: NewApiKey) -> impl Future<Output = BackendResult<u64>> + Send;

    /// Revokes a key; false if it was already revoked, `ApiKeyNotFound` if
    /// there is no such key.
    fn revoke_api_key(&self, key_id: u64) -> impl Future<Output = BackendResult<bool>> + Send;

    /// A tenant's keys, without secrets.
    fn list_api_keys(
        &self,
        tenant_id: TenantId,
    ) -> impl Future<Output = BackendResult<Vec<ApiKeyInfo>>> + Send;

    /// Facts for `ServerInfo`.
    fn info(&self) -> impl Future<Output = BackendResult<BackendInfo>> + Send;

    /// Makes everything acknowledged durable, including derived state.
    fn sync(&self) -> impl Future<Output = BackendResult<()>> + Send;

    /// Counters of the durable log, if the backend keeps one (cheap: read on
    /// every metrics request).
    fn storage_counters(&self) -> Option<StorageCounters> {
        None
    }
}
