//! Every client method once: its Python arguments turned into core's call, and
//! core's answer turned back into Python objects.
//!
//! `Client` ([`crate::blocking`]) waits for a [`Call`] with the GIL released;
//! `AsyncClient` ([`crate::client`]) hands it to asyncio ([`crate::bridge`]). Both
//! run the same future of core's asynchronous client on the same runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use kimberlite::{Client, Offset, StreamId, SubscribeOptions, TenantId};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::options::{data_class, placement};
use crate::types;
use crate::values::{parameters, payloads};

/// A subscription shared by the handles of a Python subscription object.
pub type SharedSubscription = Arc<tokio::sync::Mutex<Option<kimberlite::Subscription>>>;

/// Core's future of one call.
pub type Work<T> = Pin<Box<dyn Future<Output = kimberlite::Result<T>> + Send>>;

/// What a call with no result gives Python: `None`.
pub type Nothing = Option<bool>;

/// One call: the work, and how its output becomes the Python result.
pub struct Call<T, R> {
    /// Core's future.
    pub work: Work<T>,
    /// Converts the output, with the GIL held.
    pub convert: fn(Python<'_>, T) -> PyResult<R>,
}

fn call<T, R>(
    work: impl Future<Output = kimberlite::Result<T>> + Send + 'static,
    convert: fn(Python<'_>, T) -> PyResult<R>,
) -> PyResult<Call<T, R>> {
    Ok(Call {
        work: Box::pin(work),
        convert,
    })
}

fn same<T>(_: Python<'_>, value: T) -> PyResult<T> {
    Ok(value)
}

fn nothing<T>(_: Python<'_>, _: T) -> PyResult<Nothing> {
    Ok(None)
}

/// Connects and handshakes.
pub fn connect(address: String, options: kimberlite::ConnectOptions) -> Work<Client> {
    Box::pin(Client::connect(address, options))
}

/// `create_stream(name, data_class, placement)`.
pub fn create_stream(
    client: Client,
    name: String,
    data_class: &str,
    placement: &str,
) -> PyResult<Call<StreamId, u64>> {
    let (class, place) = (self::data_class(data_class)?, self::placement(placement)?);
    let work = async move { client.create_stream(&name, class, place).await };
    call(work, |_, stream| Ok(stream.0))
}

/// `append(stream, events, expected_offset)`.
pub fn append(
    client: Client,
    stream: u64,
    events: &Bound<'_, PyAny>,
    expected_offset: u64,
) -> PyResult<Call<Offset, u64>> {
    let events = payloads(events)?;
    let work = async move {
        let appended = client.append(StreamId(stream), events, Offset(expected_offset));
        appended.await
    };
    call(work, |_, offset| Ok(offset.0))
}

/// `read(stream, from_offset, max_bytes)`.
pub fn read(
    client: Client,
    stream: u64,
    from_offset: u64,
    max_bytes: u64,
) -> PyResult<Call<kimberlite::ReadResult, types::ReadResult>> {
    let work = async move {
        let read = client.read(StreamId(stream), Offset(from_offset), max_bytes);
        read.await
    };
    call(work, types::read_result)
}

/// `read_verified(stream, from_offset, max_bytes)`.
pub fn read_verified(
    client: Client,
    stream: u64,
    from_offset: u64,
    max_bytes: u64,
) -> PyResult<Call<kimberlite::VerifiedRead, types::VerifiedRead>> {
    let work = async move {
        let read = client.read_verified(StreamId(stream), Offset(from_offset), max_bytes);
        read.await
    };
    call(work, types::verified_read)
}

/// `stream_length(stream)`.
pub fn stream_length(client: Client, stream: u64) -> PyResult<Call<u64, u64>> {
    call(
        async move { client.stream_length(StreamId(stream)).await },
        same,
    )
}

/// `subscribe(stream, from_offset, credits=, consumer_group=)`; `wrap` makes the
/// Python subscription object.
pub fn subscribe<R>(
    client: Client,
    stream: u64,
    from_offset: u64,
    options: SubscribeOptions,
    wrap: fn(Python<'_>, kimberlite::Subscription) -> PyResult<R>,
) -> PyResult<Call<kimberlite::Subscription, R>> {
    let work = async move {
        let opened = client.subscribe_with(StreamId(stream), Offset(from_offset), options);
        opened.await
    };
    call(work, wrap)
}

/// The next event of a subscription; `None` once it ended.
pub fn next_event(
    shared: SharedSubscription,
) -> PyResult<Call<Option<kimberlite::SubscriptionEvent>, Option<types::SubscriptionEvent>>> {
    let work = async move {
        let mut guard = shared.lock().await;
        match guard.as_mut() {
            Some(subscription) => subscription.next().await,
            None => Ok(None),
        }
    };
    call(work, |py, event| {
        Ok(event.map(|event| types::subscription_event(py, &event)))
    })
}

/// Ends a subscription and waits for the server's acknowledgement.
pub fn cancel(shared: SharedSubscription) -> PyResult<Call<(), Nothing>> {
    let work = async move {
        let taken = shared.lock().await.take();
        match taken {
            Some(subscription) => subscription.cancel().await,
            None => Ok(()),
        }
    };
    call(work, nothing)
}

/// `query(sql, params)`, or `query_at(sql, params, position)` with `at`.
pub fn query(
    client: Client,
    sql: String,
    params: Option<&Bound<'_, PyAny>>,
    at: Option<u64>,
) -> PyResult<Call<kimberlite::QueryResult, types::QueryResult>> {
    let params = parameters(params)?;
    let work = async move {
        match at {
            Some(position) => client.query_at(&sql, &params, Offset(position)).await,
            None => client.query(&sql, &params).await,
        }
    };
    call(work, types::query_result)
}

/// `execute(sql, params)`.
pub fn execute(
    client: Client,
    sql: String,
    params: Option<&Bound<'_, PyAny>>,
) -> PyResult<Call<kimberlite::ExecuteResult, types::ExecuteResult>> {
    let params = parameters(params)?;
    let work = async move { client.execute(&sql, &params).await };
    call(work, |_, result| Ok(types::execute_result(result)))
}

/// `checkpoint(stream)`.
pub fn checkpoint(
    client: Client,
    stream: u64,
) -> PyResult<Call<kimberlite::verify::Checkpoint, types::Checkpoint>> {
    call(
        async move { client.checkpoint(StreamId(stream)).await },
        |py, checkpoint| Ok(types::checkpoint(py, &checkpoint)),
    )
}

/// `consistency_proof(stream, from_size, to_size)`.
pub fn consistency_proof(
    client: Client,
    stream: u64,
    from_size: u64,
    to_size: u64,
) -> PyResult<Call<Vec<kimberlite_protocol::Hash>, Vec<Py<PyBytes>>>> {
    let work = async move {
        let proof = client.consistency_proof(StreamId(stream), from_size, to_size);
        proof.await
    };
    call(work, |py, proof| {
        Ok(proof
            .iter()
            .map(|hash| PyBytes::new(py, hash.as_bytes()).unbind())
            .collect())
    })
}

/// `create_tenant(tenant_id, name)`.
pub fn create_tenant(
    client: Client,
    tenant_id: u64,
    name: String,
) -> PyResult<Call<TenantId, u64>> {
    let work = async move { client.create_tenant(TenantId(tenant_id), &name).await };
    call(work, |_, tenant| Ok(tenant.0))
}

/// `list_tenants()`.
pub fn list_tenants(
    client: Client,
) -> PyResult<Call<Vec<kimberlite::TenantInfo>, Vec<types::Tenant>>> {
    call(async move { client.list_tenants().await }, |_, list| {
        Ok(types::tenants(list))
    })
}

/// `create_api_key(tenant_id, label)`.
pub fn create_api_key(
    client: Client,
    tenant_id: u64,
    label: String,
) -> PyResult<Call<kimberlite::ApiKeyCreated, types::CreatedApiKey>> {
    let work = async move { client.create_api_key(TenantId(tenant_id), &label).await };
    call(work, |_, key| Ok(types::created_api_key(key)))
}

/// `revoke_api_key(key_id)`.
pub fn revoke_api_key(client: Client, key_id: String) -> PyResult<Call<bool, bool>> {
    call(async move { client.revoke_api_key(&key_id).await }, same)
}

/// `list_api_keys(tenant_id)`.
pub fn list_api_keys(
    client: Client,
    tenant_id: u64,
) -> PyResult<Call<Vec<kimberlite::ApiKeyInfo>, Vec<types::ApiKey>>> {
    let work = async move { client.list_api_keys(TenantId(tenant_id)).await };
    call(work, |_, list| Ok(types::api_keys(list)))
}

/// `server_info()`.
pub fn server_info(
    client: Client,
) -> PyResult<Call<kimberlite::ServerInfo, types::ServerInfoResult>> {
    call(async move { client.server_info().await }, |_, info| {
        Ok(types::server_info(info))
    })
}

/// `sync()`.
pub fn sync(client: Client) -> PyResult<Call<(), Nothing>> {
    call(async move { client.sync().await }, nothing)
}

/// Drops the client on the runtime (its last handle ends the connection there).
pub fn close(client: Option<Client>) -> PyResult<Call<(), Nothing>> {
    call(
        async move {
            drop(client);
            Ok(())
        },
        nothing,
    )
}

/// `noop()`: nothing to do, so the cost of the crossing alone is measured.
pub fn noop() -> PyResult<Call<(), Nothing>> {
    call(async { Ok(()) }, nothing)
}
