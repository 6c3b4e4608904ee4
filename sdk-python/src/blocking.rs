//! `kimberlite.Client`: the blocking client, with the GIL released around every
//! call so other Python threads run while one waits on the server.
//!
//! One `Client` may be shared by many threads: core's client is `Send + Sync` and
//! pipelines the requests of all threads on one connection. A call runs the future
//! of [`crate::calls`] that `AsyncClient` awaits, on the same runtime, until it ends.

use kimberlite::SubscribeOptions;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::audit::Audit;
use crate::bridge::runtime;
use crate::calls::{self, Call, Nothing, SharedSubscription};
use crate::error::to_py;
use crate::handle::Handle;
use crate::options::Settings;
use crate::types;

/// A blocking Kimberlite client. Safe to share between threads.
#[pyclass(frozen, module = "kimberlite")]
pub struct Client {
    handle: Handle<kimberlite::Client>,
    address: String,
    tenant: u64,
}

/// Events of a stream as the server pushes them; iterate to take them.
#[pyclass(frozen, module = "kimberlite")]
pub struct Subscription {
    handle: Handle<SharedSubscription>,
}

/// Waits for a call's work with the GIL released, then converts its output.
fn wait<T: Send, R>(py: Python<'_>, call: PyResult<Call<T, R>>) -> PyResult<R> {
    let call = call?;
    let (work, runtime) = (call.work, runtime()?);
    let output = py
        .detach(|| runtime.block_on(work))
        .map_err(|error| to_py(&error))?;
    (call.convert)(py, output)
}

fn subscription(_: Python<'_>, inner: kimberlite::Subscription) -> PyResult<Subscription> {
    Ok(Subscription {
        handle: Handle::new(std::sync::Arc::new(tokio::sync::Mutex::new(Some(inner)))),
    })
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (address, *, tenant = 1, api_key = None, state_directory = None,
        server_key = None, connect_timeout = 10.0, request_timeout = 30.0,
        reconnect_attempts = 3, reconnect_backoff = 0.1, tls_root_certificates = None,
        tls_server_name = None, audit = None))]
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
        audit: Option<Audit>,
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
            audit,
        }
        .into_options()?;
        let (work, runtime) = (calls::connect(address.clone(), options), runtime()?);
        let client = py
            .detach(|| runtime.block_on(work))
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

    /// The audit metadata this client's requests carry, if any.
    #[getter]
    fn audit(&self) -> PyResult<Option<Audit>> {
        Ok(self.handle.get()?.audit().map(Audit::from))
    }

    /// A client on the same connection whose requests carry `audit` instead of this
    /// client's metadata; closing either leaves the other open.
    fn with_audit(&self, audit: Audit) -> PyResult<Self> {
        Ok(Self {
            handle: Handle::new(self.handle.get()?.with_audit(audit.into())),
            address: self.address.clone(),
            tenant: self.tenant,
        })
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
    fn create_stream<'py>(
        &self,
        py: Python<'py>,
        name: String,
        data_class: &str,
        placement: &str,
    ) -> PyResult<u64> {
        wait(
            py,
            calls::create_stream(self.handle.get()?, name, data_class, placement),
        )
    }

    /// Appends events if the stream's length is `expected_offset`; returns the
    /// offset of the first one.
    fn append<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        events: &Bound<'py, PyAny>,
        expected_offset: u64,
    ) -> PyResult<u64> {
        wait(
            py,
            calls::append(self.handle.get()?, stream, events, expected_offset),
        )
    }

    /// Reads events from `from_offset`, at most `max_bytes` of them.
    #[pyo3(signature = (stream, from_offset = 0, max_bytes = 1 << 20))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_offset: u64,
        max_bytes: u64,
    ) -> PyResult<types::ReadResult> {
        wait(
            py,
            calls::read(self.handle.get()?, stream, from_offset, max_bytes),
        )
    }

    /// Reads and verifies every record against a signed checkpoint.
    #[pyo3(signature = (stream, from_offset = 0, max_bytes = 1 << 20))]
    fn read_verified<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_offset: u64,
        max_bytes: u64,
    ) -> PyResult<types::VerifiedRead> {
        wait(
            py,
            calls::read_verified(self.handle.get()?, stream, from_offset, max_bytes),
        )
    }

    /// The number of events in the stream.
    fn stream_length<'py>(&self, py: Python<'py>, stream: u64) -> PyResult<u64> {
        wait(py, calls::stream_length(self.handle.get()?, stream))
    }

    /// Follows a stream from `from_offset`.
    #[pyo3(signature = (stream, from_offset = 0, *, credits = 64, consumer_group = None))]
    fn subscribe<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_offset: u64,
        credits: u32,
        consumer_group: Option<String>,
    ) -> PyResult<Subscription> {
        wait(
            py,
            calls::subscribe(
                self.handle.get()?,
                stream,
                from_offset,
                SubscribeOptions {
                    credits,
                    consumer_group,
                },
                subscription,
            ),
        )
    }

    /// Runs a SQL statement; `$1`, `$2`, ... are `params`.
    #[pyo3(signature = (sql, params = None))]
    fn query<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<types::QueryResult> {
        wait(py, calls::query(self.handle.get()?, sql, params, None))
    }

    /// Runs a query on the state at SQL log position `position`.
    #[pyo3(signature = (sql, params, position))]
    fn query_at<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        params: Option<&Bound<'py, PyAny>>,
        position: u64,
    ) -> PyResult<types::QueryResult> {
        wait(
            py,
            calls::query(self.handle.get()?, sql, params, Some(position)),
        )
    }

    /// Runs a statement that changes state.
    #[pyo3(signature = (sql, params = None))]
    fn execute<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<types::ExecuteResult> {
        wait(py, calls::execute(self.handle.get()?, sql, params))
    }

    /// Fetches, verifies and trusts the stream's latest checkpoint.
    fn checkpoint<'py>(&self, py: Python<'py>, stream: u64) -> PyResult<types::Checkpoint> {
        wait(py, calls::checkpoint(self.handle.get()?, stream))
    }

    /// The consistency proof between two tree sizes (not verified by itself).
    fn consistency_proof<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_size: u64,
        to_size: u64,
    ) -> PyResult<Vec<Py<PyBytes>>> {
        wait(
            py,
            calls::consistency_proof(self.handle.get()?, stream, from_size, to_size),
        )
    }

    /// Creates a tenant (admin).
    fn create_tenant<'py>(&self, py: Python<'py>, tenant_id: u64, name: String) -> PyResult<u64> {
        wait(
            py,
            calls::create_tenant(self.handle.get()?, tenant_id, name),
        )
    }

    /// Lists tenants (admin).
    fn list_tenants<'py>(&self, py: Python<'py>) -> PyResult<Vec<types::Tenant>> {
        wait(py, calls::list_tenants(self.handle.get()?))
    }

    /// Creates an API key for a tenant (admin); the secret is shown once.
    fn create_api_key<'py>(
        &self,
        py: Python<'py>,
        tenant_id: u64,
        label: String,
    ) -> PyResult<types::CreatedApiKey> {
        wait(
            py,
            calls::create_api_key(self.handle.get()?, tenant_id, label),
        )
    }

    /// Revokes an API key (admin); False when it was unknown or already revoked.
    fn revoke_api_key<'py>(&self, py: Python<'py>, key_id: String) -> PyResult<bool> {
        wait(py, calls::revoke_api_key(self.handle.get()?, key_id))
    }

    /// Lists a tenant's API keys (admin).
    fn list_api_keys<'py>(&self, py: Python<'py>, tenant_id: u64) -> PyResult<Vec<types::ApiKey>> {
        wait(py, calls::list_api_keys(self.handle.get()?, tenant_id))
    }

    /// What the server says about itself.
    fn server_info<'py>(&self, py: Python<'py>) -> PyResult<types::ServerInfoResult> {
        wait(py, calls::server_info(self.handle.get()?))
    }

    /// Waits until everything acknowledged is durable on the server.
    fn sync<'py>(&self, py: Python<'py>) -> PyResult<Nothing> {
        wait(py, calls::sync(self.handle.get()?))
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
        wait(py, calls::next_event(self.handle.get()?))
    }

    /// Ends the subscription and waits for the server's acknowledgement.
    fn cancel(&self, py: Python<'_>) -> PyResult<Nothing> {
        wait(py, calls::cancel(self.handle.get()?))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<()> {
        self.cancel(py).map(drop)
    }
}
