//! The read-only result objects handed to Python, converted from core's results.
//!
//! Each is a frozen class with plain attributes; byte strings become `bytes`,
//! hashes 32-byte `bytes`, offsets and ids `int`.

use kimberlite::verify::Checkpoint as CoreCheckpoint;
use kimberlite::{ApiKeyCreated, ApiKeyInfo, ServerInfo, TenantInfo};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

/// Events read by `read`.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct ReadResult {
    /// The events, in offset order from the offset asked for.
    pub events: Py<PyList>,
    /// The offset after the last event, None when none was read.
    pub next_offset: Option<u64>,
}

/// One verified record.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct VerifiedEvent {
    /// The record's offset in its stream.
    pub offset: u64,
    /// The server's commit time, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// The record's kind byte (0 for events).
    pub kind: u8,
    /// The event bytes, proven to be in the stream.
    pub payload: Py<PyBytes>,
}

/// The result of `read_verified`.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct VerifiedRead {
    /// The records read, each verified.
    pub events: Py<PyList>,
    /// The offset after the last record, None when none was read.
    pub next_offset: Option<u64>,
    /// The signed checkpoint the records were verified against, now trusted.
    pub checkpoint: Py<Checkpoint>,
}

/// A signed tree head of one stream.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct Checkpoint {
    /// The log the checkpoint is for (`<server>/tenant/<t>/stream/<s>`).
    pub origin: String,
    /// Number of records in the tree.
    pub size: u64,
    /// The RFC 6962 root hash, 32 bytes.
    pub root: Py<PyBytes>,
    /// Extension lines of the checkpoint body.
    pub extensions: Vec<String>,
}

/// Rows of a query.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct QueryResult {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each a list of Python values.
    pub rows: Py<PyList>,
}

/// What a statement that changed state reports.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct ExecuteResult {
    /// Rows inserted, updated or deleted.
    pub rows_affected: u64,
    /// The statement's position in the tenant's SQL log (for `query_at`).
    pub log_offset: u64,
}

/// What the server says about itself.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct ServerInfoResult {
    /// The server's version.
    pub server_version: String,
    /// The wire protocol version.
    pub protocol_version: u16,
    /// The checkpoint-signing key, as a C2SP verifier key.
    pub signing_key: String,
    /// Capabilities the server offers.
    pub capabilities: Vec<String>,
}

/// A tenant.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct Tenant {
    /// The tenant's id.
    pub id: u64,
    /// The tenant's name.
    pub name: String,
}

/// An API key (without its secret).
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct ApiKey {
    /// The key's id.
    pub key_id: String,
    /// The label given at creation.
    pub label: String,
    /// Creation time, nanoseconds since the Unix epoch.
    pub created_ns: u64,
    /// Whether the key was revoked.
    pub revoked: bool,
}

/// A new API key: the secret is shown only once.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct CreatedApiKey {
    /// The key's id.
    pub key_id: String,
    /// The secret to pass as `api_key`.
    pub secret: String,
}

/// One event pushed to a subscription.
#[pyclass(frozen, get_all, module = "kimberlite")]
pub struct SubscriptionEvent {
    /// The event's offset in its stream.
    pub offset: u64,
    /// The event bytes.
    pub payload: Py<PyBytes>,
}

macro_rules! reprs {
    ($($class:ident => $format:literal, $($field:ident),*;)*) => {$(
        #[pymethods]
        impl $class {
            fn __repr__(&self) -> String {
                format!($format, $(self.$field),*)
            }
        }
    )*};
}

reprs! {
    ReadResult => "ReadResult(next_offset={:?})", next_offset;
    VerifiedEvent => "VerifiedEvent(offset={}, timestamp_ns={})", offset, timestamp_ns;
    VerifiedRead => "VerifiedRead(next_offset={:?})", next_offset;
    ExecuteResult => "ExecuteResult(rows_affected={}, log_offset={})", rows_affected, log_offset;
    Tenant => "Tenant(id={}, name={:?})", id, name;
    ApiKey => "ApiKey(key_id={:?}, label={:?}, revoked={})", key_id, label, revoked;
    SubscriptionEvent => "SubscriptionEvent(offset={})", offset;
}

#[pymethods]
impl Checkpoint {
    fn __repr__(&self) -> String {
        format!("Checkpoint(origin={:?}, size={})", self.origin, self.size)
    }
}

/// Converts core's results.
pub fn read_result(py: Python<'_>, result: kimberlite::ReadResult) -> PyResult<ReadResult> {
    let events = result.events.iter().map(|event| PyBytes::new(py, event));
    Ok(ReadResult {
        events: PyList::new(py, events)?.unbind(),
        next_offset: result.next_offset.map(|offset| offset.0),
    })
}

/// Converts a checkpoint.
pub fn checkpoint(py: Python<'_>, checkpoint: &CoreCheckpoint) -> Checkpoint {
    Checkpoint {
        origin: checkpoint.origin.clone(),
        size: checkpoint.size,
        root: PyBytes::new(py, checkpoint.root.as_bytes()).unbind(),
        extensions: checkpoint.extensions.clone(),
    }
}

/// Converts a verified read.
pub fn verified_read(py: Python<'_>, read: kimberlite::VerifiedRead) -> PyResult<VerifiedRead> {
    let events = read
        .events
        .iter()
        .map(|event| {
            Py::new(
                py,
                VerifiedEvent {
                    offset: event.offset.0,
                    timestamp_ns: event.timestamp_ns,
                    kind: event.kind.as_u8(),
                    payload: PyBytes::new(py, &event.payload).unbind(),
                },
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(VerifiedRead {
        events: PyList::new(py, events)?.unbind(),
        next_offset: read.next_offset.map(|offset| offset.0),
        checkpoint: Py::new(py, checkpoint(py, &read.checkpoint))?,
    })
}

/// Converts rows of a query.
pub fn query_result(py: Python<'_>, result: kimberlite::QueryResult) -> PyResult<QueryResult> {
    let rows = PyList::empty(py);
    for row in result.rows {
        let values = row
            .into_iter()
            .map(|value| crate::values::to_python(py, value))
            .collect::<PyResult<Vec<_>>>()?;
        rows.append(PyList::new(py, values)?)?;
    }
    Ok(QueryResult {
        columns: result.columns,
        rows: rows.unbind(),
    })
}

/// Converts an execute result.
pub const fn execute_result(result: kimberlite::ExecuteResult) -> ExecuteResult {
    ExecuteResult {
        rows_affected: result.rows_affected,
        log_offset: result.log_offset.0,
    }
}

/// Converts the server's self-description.
pub fn server_info(info: ServerInfo) -> ServerInfoResult {
    ServerInfoResult {
        server_version: info.server_version,
        protocol_version: info.protocol_version,
        signing_key: info.signing_key,
        capabilities: info.capabilities,
    }
}

/// Converts tenants.
pub fn tenants(list: Vec<TenantInfo>) -> Vec<Tenant> {
    list.into_iter()
        .map(|tenant| Tenant {
            id: tenant.id.0,
            name: tenant.name,
        })
        .collect()
}

/// Converts API keys.
pub fn api_keys(list: Vec<ApiKeyInfo>) -> Vec<ApiKey> {
    list.into_iter()
        .map(|key| ApiKey {
            key_id: key.key_id,
            label: key.label,
            created_ns: key.created_ns,
            revoked: key.revoked,
        })
        .collect()
}

/// Converts a created key.
pub fn created_api_key(key: ApiKeyCreated) -> CreatedApiKey {
    CreatedApiKey {
        key_id: key.key_id,
        secret: key.secret,
    }
}

/// Converts a pushed event.
pub fn subscription_event(
    py: Python<'_>,
    event: &kimberlite::SubscriptionEvent,
) -> SubscriptionEvent {
    SubscriptionEvent {
        offset: event.offset.0,
        payload: PyBytes::new(py, &event.payload).unbind(),
    }
}
