//! `kimberlite.AsyncClient`: core's async client, each call an asyncio awaitable.
//!
//! Calls run as tasks of one tokio runtime and resolve asyncio futures through
//! [`crate::bridge`]: no Python thread is held while a call waits, no tokio thread
//! waits for the GIL, and concurrent calls are pipelined on the one connection. The
//! arguments and results are converted in [`crate::calls`], as for `Client`.

use kimberlite::SubscribeOptions;
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;

use crate::audit::Audit;
use crate::bridge;
use crate::calls::{self, Call, SharedSubscription};
use crate::handle::Handle;
use crate::options::Settings;

/// An asyncio Kimberlite client: `client = await AsyncClient.connect(address)`.
#[pyclass(frozen, module = "kimberlite")]
pub struct AsyncClient {
    handle: Handle<kimberlite::Client>,
    address: String,
    tenant: u64,
}

/// Events of a stream as the server pushes them; `async for` takes them.
#[pyclass(frozen, module = "kimberlite")]
pub struct AsyncSubscription {
    handle: Handle<SharedSubscription>,
}

/// Hands a call to asyncio.
fn spawn<'py, T, R>(py: Python<'py>, call: PyResult<Call<T, R>>) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    R: for<'a> IntoPyObject<'a> + 'static,
{
    let call = call?;
    bridge::spawn(py, call.work, call.convert)
}

fn subscription(_: Python<'_>, inner: kimberlite::Subscription) -> PyResult<AsyncSubscription> {
    Ok(AsyncSubscription {
        handle: Handle::new(std::sync::Arc::new(tokio::sync::Mutex::new(Some(inner)))),
    })
}

#[pymethods]
impl AsyncClient {
    /// Connects and handshakes; resolves to the client.
    #[staticmethod]
    #[pyo3(signature = (address, *, tenant = 1, api_key = None, state_directory = None,
        server_key = None, connect_timeout = 10.0, request_timeout = 30.0,
        reconnect_attempts = 3, reconnect_backoff = 0.1, tls_root_certificates = None,
        tls_server_name = None, audit = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn connect(
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
    ) -> PyResult<Bound<'_, PyAny>> {
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
        let work = calls::connect(address.clone(), options);
        bridge::spawn(
            py,
            async move { Ok((work.await?, address, tenant)) },
            |_, made| {
                let (client, address, tenant) = made;
                Ok(Self {
                    handle: Handle::new(client),
                    address,
                    tenant,
                })
            },
        )
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
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.take()?;
        spawn(py, calls::close(client))
    }

    fn __aenter__(slf: Py<Self>, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let future = bridge::ready(py)?;
        future.call_method1("set_result", (slf,))?;
        Ok(future)
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _args: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.close(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "AsyncClient(address={:?}, tenant={})",
            self.address, self.tenant
        )
    }

    /// Creates a stream, or returns the tenant's stream of that name.
    #[pyo3(signature = (name, data_class = "Public", placement = "Global"))]
    fn create_stream<'py>(
        &self,
        py: Python<'py>,
        name: String,
        data_class: &str,
        placement: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
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
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
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
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
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
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            calls::read_verified(self.handle.get()?, stream, from_offset, max_bytes),
        )
    }

    /// The number of events in the stream.
    fn stream_length<'py>(&self, py: Python<'py>, stream: u64) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::stream_length(self.handle.get()?, stream))
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
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
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
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::query(self.handle.get()?, sql, params, None))
    }

    /// Runs a query on the state at SQL log position `position`.
    #[pyo3(signature = (sql, params, position))]
    fn query_at<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        params: Option<&Bound<'py, PyAny>>,
        position: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
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
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::execute(self.handle.get()?, sql, params))
    }

    /// Fetches, verifies and trusts the stream's latest checkpoint.
    fn checkpoint<'py>(&self, py: Python<'py>, stream: u64) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::checkpoint(self.handle.get()?, stream))
    }

    /// The consistency proof between two tree sizes (not verified by itself).
    fn consistency_proof<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_size: u64,
        to_size: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            calls::consistency_proof(self.handle.get()?, stream, from_size, to_size),
        )
    }

    /// Creates a tenant (admin).
    fn create_tenant<'py>(
        &self,
        py: Python<'py>,
        tenant_id: u64,
        name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            calls::create_tenant(self.handle.get()?, tenant_id, name),
        )
    }

    /// Lists tenants (admin).
    fn list_tenants<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::list_tenants(self.handle.get()?))
    }

    /// Creates an API key for a tenant (admin); the secret is shown once.
    fn create_api_key<'py>(
        &self,
        py: Python<'py>,
        tenant_id: u64,
        label: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            calls::create_api_key(self.handle.get()?, tenant_id, label),
        )
    }

    /// Revokes an API key (admin); False when it was unknown or already revoked.
    fn revoke_api_key<'py>(&self, py: Python<'py>, key_id: String) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::revoke_api_key(self.handle.get()?, key_id))
    }

    /// Lists a tenant's API keys (admin).
    fn list_api_keys<'py>(&self, py: Python<'py>, tenant_id: u64) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::list_api_keys(self.handle.get()?, tenant_id))
    }

    /// What the server says about itself.
    fn server_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::server_info(self.handle.get()?))
    }

    /// Waits until everything acknowledged is durable on the server.
    fn sync<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::sync(self.handle.get()?))
    }

    /// Resolves once the runtime ran an empty task: the cost of one awaited call
    /// across the boundary, without the server.
    fn noop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::noop())
    }
}

#[pymethods]
impl AsyncSubscription {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let call = calls::next_event(self.handle.get()?)?;
        bridge::spawn(py, call.work, |py, event| match event {
            Some(event) => Ok(crate::types::subscription_event(py, &event)),
            None => Err(PyStopAsyncIteration::new_err(())),
        })
    }

    /// Ends the subscription and waits for the server's acknowledgement.
    fn cancel<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, calls::cancel(self.handle.get()?))
    }

    fn __aenter__(slf: Py<Self>, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let future = bridge::ready(py)?;
        future.call_method1("set_result", (slf,))?;
        Ok(future)
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _args: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.cancel(py)
    }
}
