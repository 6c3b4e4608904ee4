//! `kimberlite.AsyncClient`: core's async client, each call an asyncio awaitable.
//!
//! Calls run as tokio tasks on the runtime of `pyo3-async-runtimes` and resolve an
//! asyncio future on the caller's event loop: no Python thread is held while a call
//! waits, and concurrent calls are pipelined on the one connection (an executor
//! over the blocking client would hold one thread per call in flight instead).

use std::sync::Arc;

use kimberlite::{Offset, StreamId, SubscribeOptions, TenantId};
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3_async_runtimes::tokio::future_into_py;

use crate::error::to_py;
use crate::handle::Handle;
use crate::options::{data_class, placement, Settings};
use crate::types;
use crate::values::{parameters, payloads};

/// What a coroutine with no result resolves to: Python's `None` (`()` would
/// become an empty tuple).
const NOTHING: Option<bool> = None;

type Shared = Arc<tokio::sync::Mutex<Option<kimberlite::Subscription>>>;

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
    handle: Handle<Shared>,
}

fn core<T>(result: kimberlite::Result<T>) -> PyResult<T> {
    result.map_err(|error| to_py(&error))
}

#[pymethods]
impl AsyncClient {
    /// Connects and handshakes; resolves to the client.
    #[staticmethod]
    #[pyo3(signature = (address, *, tenant = 1, api_key = None, state_directory = None,
        server_key = None, connect_timeout = 10.0, request_timeout = 30.0,
        reconnect_attempts = 3, reconnect_backoff = 0.1, tls_root_certificates = None,
        tls_server_name = None))]
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
        }
        .into_options()?;
        future_into_py(py, async move {
            let client = core(kimberlite::Client::connect(address.clone(), options).await)?;
            Ok(Self {
                handle: Handle::new(client),
                address,
                tenant,
            })
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
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.take()?;
        future_into_py(py, async move {
            drop(client);
            Ok(NOTHING)
        })
    }

    fn __aenter__(slf: Py<Self>, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        future_into_py(py, async move { Ok(slf) })
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
        let (class, place) = (self::data_class(data_class)?, self::placement(placement)?);
        let client = self.handle.get()?;
        future_into_py(py, async move {
            core(client.create_stream(&name, class, place).await).map(|stream| stream.0)
        })
    }

    /// Appends events if the stream's length is `expected_offset`.
    fn append<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        events: &Bound<'py, PyAny>,
        expected_offset: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let events = payloads(events)?;
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let appended = client.append(StreamId(stream), events, Offset(expected_offset));
            core(appended.await).map(|offset| offset.0)
        })
    }

    /// Reads events from `from_offset`.
    #[pyo3(signature = (stream, from_offset = 0, max_bytes = 1 << 20))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_offset: u64,
        max_bytes: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let read = core(
                client
                    .read(StreamId(stream), Offset(from_offset), max_bytes)
                    .await,
            )?;
            Python::attach(|py| types::read_result(py, read))
        })
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
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let read = client.read_verified(StreamId(stream), Offset(from_offset), max_bytes);
            let read = core(read.await)?;
            Python::attach(|py| types::verified_read(py, read))
        })
    }

    /// The number of events in the stream.
    fn stream_length<'py>(&self, py: Python<'py>, stream: u64) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            core(client.stream_length(StreamId(stream)).await)
        })
    }

    /// Follows a stream from `from_offset`; resolves to an `AsyncSubscription`.
    #[pyo3(signature = (stream, from_offset = 0, *, credits = 64, consumer_group = None))]
    fn subscribe<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_offset: u64,
        credits: u32,
        consumer_group: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        let options = SubscribeOptions {
            credits,
            consumer_group,
        };
        future_into_py(py, async move {
            let opened = client.subscribe_with(StreamId(stream), Offset(from_offset), options);
            let subscription = core(opened.await)?;
            Ok(AsyncSubscription {
                handle: Handle::new(Arc::new(tokio::sync::Mutex::new(Some(subscription)))),
            })
        })
    }

    /// Runs a SQL statement; `$1`, `$2`, ... are `params`.
    #[pyo3(signature = (sql, params = None))]
    fn query<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params = parameters(params)?;
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let result = core(client.query(&sql, &params).await)?;
            Python::attach(|py| types::query_result(py, result))
        })
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
        let params = parameters(params)?;
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let result = core(client.query_at(&sql, &params, Offset(position)).await)?;
            Python::attach(|py| types::query_result(py, result))
        })
    }

    /// Runs a statement that changes state.
    #[pyo3(signature = (sql, params = None))]
    fn execute<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params = parameters(params)?;
        let client = self.handle.get()?;
        future_into_py(py, async move {
            core(client.execute(&sql, &params).await).map(types::execute_result)
        })
    }

    /// Fetches, verifies and trusts the stream's latest checkpoint.
    fn checkpoint<'py>(&self, py: Python<'py>, stream: u64) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let checkpoint = core(client.checkpoint(StreamId(stream)).await)?;
            Ok(Python::attach(|py| types::checkpoint(py, &checkpoint)))
        })
    }

    /// The consistency proof between two tree sizes (not verified by itself).
    fn consistency_proof<'py>(
        &self,
        py: Python<'py>,
        stream: u64,
        from_size: u64,
        to_size: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let proof = client.consistency_proof(StreamId(stream), from_size, to_size);
            let proof = core(proof.await)?;
            Ok(Python::attach(|py| {
                proof
                    .iter()
                    .map(|hash| PyBytes::new(py, hash.as_bytes()).unbind())
                    .collect::<Vec<_>>()
            }))
        })
    }

    /// Creates a tenant (admin).
    fn create_tenant<'py>(
        &self,
        py: Python<'py>,
        tenant_id: u64,
        name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            core(client.create_tenant(TenantId(tenant_id), &name).await).map(|tenant| tenant.0)
        })
    }

    /// Lists tenants (admin).
    fn list_tenants<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            core(client.list_tenants().await).map(types::tenants)
        })
    }

    /// Creates an API key for a tenant (admin); the secret is shown once.
    fn create_api_key<'py>(
        &self,
        py: Python<'py>,
        tenant_id: u64,
        label: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            let created = client.create_api_key(TenantId(tenant_id), &label);
            core(created.await).map(types::created_api_key)
        })
    }

    /// Revokes an API key (admin).
    fn revoke_api_key<'py>(&self, py: Python<'py>, key_id: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(
            py,
            async move { core(client.revoke_api_key(&key_id).await) },
        )
    }

    /// Lists a tenant's API keys (admin).
    fn list_api_keys<'py>(&self, py: Python<'py>, tenant_id: u64) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            core(client.list_api_keys(TenantId(tenant_id)).await).map(types::api_keys)
        })
    }

    /// What the server says about itself.
    fn server_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(py, async move {
            core(client.server_info().await).map(types::server_info)
        })
    }

    /// Waits until everything acknowledged is durable on the server.
    fn sync<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.handle.get()?;
        future_into_py(
            py,
            async move { core(client.sync().await).map(|()| NOTHING) },
        )
    }

    /// Resolves at once: measures the cost of one awaited call across the boundary.
    fn noop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, async move { Ok(NOTHING) })
    }
}

#[pymethods]
impl AsyncSubscription {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = self.handle.get()?;
        future_into_py(py, async move {
            let mut guard = shared.lock().await;
            let next = match guard.as_mut() {
                Some(subscription) => core(subscription.next().await)?,
                None => None,
            };
            match next {
                Some(event) => Ok(Python::attach(|py| types::subscription_event(py, &event))),
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }

    /// Ends the subscription and waits for the server's acknowledgement.
    fn cancel<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = self.handle.get()?;
        future_into_py(py, async move {
            let taken = shared.lock().await.take();
            match taken {
                Some(subscription) => core(subscription.cancel().await).map(|()| NOTHING),
                None => Ok(NOTHING),
            }
        })
    }

    fn __aenter__(slf: Py<Self>, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        future_into_py(py, async move { Ok(slf) })
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
