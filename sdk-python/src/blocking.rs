//! `kimberlite.Client`: core's blocking client, with the GIL released around every
//! call so other Python threads run while one waits on the server.
//!
//! One `Client` may be shared by many threads: core's client is `Send + Sync` and
//! pipelines the requests of all threads on one connection.

use std::sync::Mutex;

use kimberlite::blocking;
use kimberlite::{Offset, StreamId, SubscribeOptions, TenantId};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::error::to_py;
use crate::handle::Handle;
use crate::options::{data_class, placement, Settings};
use crate::types;
use crate::values::{parameters, payloads};

/// A blocking Kimberlite client. Safe to share between threads.
#[pyclass(frozen, module = "kimberlite")]
pub struct Client {
    handle: Handle<blocking::Client>,
    address: String,
    tenant: u64,
}

/// Events of a stream as the server pushes them; iterate to take them.
#[pyclass(frozen, module = "kimberlite")]
pub struct Subscription {
    handle: Handle<std::sync::Arc<Mutex<Option<blocking::Subscription>>>>,
}

impl Client {
    /// Runs `call` on a clone of the client with the GIL released.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&blocking::Client) -> kimberlite::Result<T> + Send,
    ) -> PyResult<T> {
        let client = self.handle.get()?;
        py.detach(|| call(&client)).map_err(|error| to_py(&error))
    }
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (address, *, tenant = 1, api_key = None, state_directory = None,
        server_key = None, connect_timeout = 10.0, request_timeout = 30.0,
        reconnect_attempts = 3, reconnect_backoff = 0.1, tls_root_certificates = None,
        tls_server_name = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn new(
        py: Python<'_>,
        address: String,
        tenant: u64,
        api_key: Option<String>,
        state_directory: Option<std::path::PathBuf>,
        server_key: Option<String>,
        connect_timeout: f64,
        request_timeout: f64,
        reconnect_attempts: u32,
        reconnect_backoff: f64,
        tls_root_certificates: Option<Vec<Vec<u8>>>,
        tls_server_name: Option<String>,
    ) -> PyResult<Self> {
        let options = Settings {
            tenant,
            api_key,
            state_directory,
            server_key,
            connect_timeout,
            request_timeout,
            reconnect_attempts,
            reconnect_backoff,
            tls_root_certificates,
            tls_server_name,
        }
        .into_options()?;
        let target = address.clone();
        let client = py
            .detach(|| blocking::Client::connect(target, options))
            .map_err(|error| to_py(&error))?;
        Ok(Self {
            handle: Handle::new(client),
            address,
            tenant,
        })
    }

    /// The address connected to.
    #[getter]
    fn address(&self) -> &str {
        &self.address
    }

    /// The tenant every request acts for.
    #[getter]
    fn tenant(&self) -> u64 {
        self.tenant
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// Closes this handle's use of the connection; later calls fail.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let client = self.handle.take()?;
        py.detach(move || drop(client));
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<()> {
        self.close(py)
    }

    fn __repr__(&self) -> String {
        format!("Client(address={:?}, tenant={})", self.address, self.tenant)
    }

    /// Creates a stream, or returns the tenant's stream of that name.
    #[pyo3(signature = (name, data_class = "Public", placement = "Global"))]
    fn create_stream(
        &self,
        py: Python<'_>,
        name: &str,
        data_class: &str,
        placement: &str,
    ) -> PyResult<u64> {
        let (class, place) = (self::data_class(data_class)?, self::placement(placement)?);
        self.run(py, |client| client.create_stream(name, class, place))
            .map(|stream| stream.0)
    }

    /// Appends events if the stream's length is `expected_offset`; returns the
    /// offset of the first one.
    fn append(
        &self,
        py: Python<'_>,
        stream: u64,
        events: &Bound<'_, PyAny>,
        expected_offset: u64,
    ) -> PyResult<u64> {
        let events = payloads(events)?;
        let (stream, expected) = (StreamId(stream), Offset(expected_offset));
        self.run(py, |client| client.append(stream, events, expected))
            .map(|offset| offset.0)
    }

    /// Reads events from `from_offset`, at most `max_bytes` of them.
    #[pyo3(signature = (stream, from_offset = 0, max_bytes = 1 << 20))]
    fn read(
        &self,
        py: Python<'_>,
        stream: u64,
        from_offset: u64,
        max_bytes: u64,
    ) -> PyResult<types::ReadResult> {
        let (stream, from) = (StreamId(stream), Offset(from_offset));
        let result = self.run(py, |client| client.read(stream, from, max_bytes))?;
        types::read_result(py, result)
    }

    /// Reads and verifies every record against a signed checkpoint.
    #[pyo3(signature = (stream, from_offset = 0, max_bytes = 1 << 20))]
    fn read_verified(
        &self,
        py: Python<'_>,
        stream: u64,
        from_offset: u64,
        max_bytes: u64,
    ) -> PyResult<types::VerifiedRead> {
        let (stream, from) = (StreamId(stream), Offset(from_offset));
        let read = self.run(py, |client| client.read_verified(stream, from, max_bytes))?;
        types::verified_read(py, read)
    }

    /// The number of events in the stream.
    fn stream_length(&self, py: Python<'_>, stream: u64) -> PyResult<u64> {
        self.run(py, |client| client.stream_length(StreamId(stream)))
    }

    /// Follows a stream from `from_offset`.
    #[pyo3(signature = (stream, from_offset = 0, *, credits = 64, consumer_group = None))]
    fn subscribe(
        &self,
        py: Python<'_>,
        stream: u64,
        from_offset: u64,
        credits: u32,
        consumer_group: Option<String>,
    ) -> PyResult<Subscription> {
        let options = SubscribeOptions {
            credits,
            consumer_group,
        };
        let from = Offset(from_offset);
        let inner = self.run(py, |client| {
            client.subscribe(StreamId(stream), from, options)
        })?;
        Ok(Subscription {
            handle: Handle::new(std::sync::Arc::new(Mutex::new(Some(inner)))),
        })
    }

    /// Runs a SQL statement; `$1`, `$2`, ... are `params`.
    #[pyo3(signature = (sql, params = None))]
    fn query(
        &self,
        py: Python<'_>,
        sql: &str,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<types::QueryResult> {
        let params = parameters(params)?;
        let result = self.run(py, |client| client.query(sql, &params))?;
        types::query_result(py, result)
    }

    /// Runs a query on the state at SQL log position `position`.
    #[pyo3(signature = (sql, params, position))]
    fn query_at(
        &self,
        py: Python<'_>,
        sql: &str,
        params: Option<&Bound<'_, PyAny>>,
        position: u64,
    ) -> PyResult<types::QueryResult> {
        let params = parameters(params)?;
        let at = Offset(position);
        let result = self.run(py, |client| client.query_at(sql, &params, at))?;
        types::query_result(py, result)
    }

    /// Runs a statement that changes state.
    #[pyo3(signature = (sql, params = None))]
    fn execute(
        &self,
        py: Python<'_>,
        sql: &str,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<types::ExecuteResult> {
        let params = parameters(params)?;
        let result = self.run(py, |client| client.execute(sql, &params))?;
        Ok(types::execute_result(result))
    }

    /// Fetches, verifies and trusts the stream's latest checkpoint.
    fn checkpoint(&self, py: Python<'_>, stream: u64) -> PyResult<types::Checkpoint> {
        let checkpoint = self.run(py, |client| client.checkpoint(StreamId(stream)))?;
        Ok(types::checkpoint(py, &checkpoint))
    }

    /// The consistency proof between two tree sizes (not verified by itself).
    fn consistency_proof<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_size: u64,
        to_size: u64,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let proof = self.run(py, |client| {
            client.consistency_proof(StreamId(stream), from_size, to_size)
        })?;
        Ok(proof
            .iter()
            .map(|hash| PyBytes::new(py, hash.as_bytes()))
            .collect())
    }

    /// Creates a tenant (admin).
    fn create_tenant(&self, py: Python<'_>, tenant_id: u64, name: &str) -> PyResult<u64> {
        self.run(py, |client| client.create_tenant(TenantId(tenant_id), name))
            .map(|tenant| tenant.0)
    }

    /// Lists tenants (admin).
    fn list_tenants(&self, py: Python<'_>) -> PyResult<Vec<types::Tenant>> {
        self.run(py, blocking::Client::list_tenants)
            .map(types::tenants)
    }

    /// Creates an API key for a tenant (admin); the secret is shown once.
    fn create_api_key(
        &self,
        py: Python<'_>,
        tenant_id: u64,
        label: &str,
    ) -> PyResult<types::CreatedApiKey> {
        self.run(py, |client| {
            client.create_api_key(TenantId(tenant_id), label)
        })
        .map(types::created_api_key)
    }

    /// Revokes an API key (admin); False when it was unknown or already revoked.
    fn revoke_api_key(&self, py: Python<'_>, key_id: &str) -> PyResult<bool> {
        self.run(py, |client| client.revoke_api_key(key_id))
    }

    /// Lists a tenant's API keys (admin).
    fn list_api_keys(&self, py: Python<'_>, tenant_id: u64) -> PyResult<Vec<types::ApiKey>> {
        self.run(py, |client| client.list_api_keys(TenantId(tenant_id)))
            .map(types::api_keys)
    }

    /// What the server says about itself.
    fn server_info(&self, py: Python<'_>) -> PyResult<types::ServerInfoResult> {
        self.run(py, blocking::Client::server_info)
            .map(types::server_info)
    }

    /// Waits until everything acknowledged is durable on the server.
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        self.run(py, blocking::Client::sync)
    }

    /// Does nothing on the Rust side: measures the cost of crossing the boundary.
    fn noop(&self) {}
}

#[pymethods]
impl Subscription {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<types::SubscriptionEvent>> {
        let shared = self.handle.get()?;
        let next = py.detach(|| {
            let mut guard = shared.lock().map_err(|_| {
                kimberlite::Error::new(kimberlite::ErrorCode::Connection, "poisoned")
            })?;
            match guard.as_mut() {
                Some(subscription) => subscription.next_event(),
                None => Ok(None),
            }
        });
        let event = next.map_err(|error| to_py(&error))?;
        Ok(event.map(|event| types::subscription_event(py, &event)))
    }

    /// Ends the subscription and waits for the server's acknowledgement.
    fn cancel(&self, py: Python<'_>) -> PyResult<()> {
        let shared = self.handle.get()?;
        let result = py.detach(|| {
            let taken = shared.lock().ok().and_then(|mut guard| guard.take());
            taken.map_or(Ok(()), blocking::Subscription::cancel)
        });
        result.map_err(|error| to_py(&error))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<()> {
        self.cancel(py)
    }
}
