//! A blocking facade: the same calls as [`crate::Client`], each run to completion on a
//! runtime the client owns (one worker thread drives the connection between calls).
//!
//! Do not use it from inside an async runtime; use [`crate::Client`] there.

use std::sync::Arc;

use kimberlite_protocol::message::{ApiKeyInfo, ServerInfoResponse, TenantInfo};
use kimberlite_protocol::{DataClass, Hash, Offset, Placement, StreamId, TenantId, Value};
use tokio::runtime::Runtime;

use crate::client::{ExecuteResult, QueryResult, ReadResult, SubscribeOptions, VerifiedRead};
use crate::error::{Error, ErrorCode, Result};
use crate::options::ConnectOptions;
use crate::subscription::SubscriptionEvent;
use crate::verify::Checkpoint;
use crate::ApiKeyCreated;

/// A blocking Kimberlite client. Clones share the connection and the runtime.
#[derive(Clone, Debug)]
pub struct Client {
    runtime: Arc<Runtime>,
    inner: crate::Client,
}

/// A blocking plain scan ([`crate::Scan`]); also an iterator of parts.
#[derive(Debug)]
pub struct Scan {
    runtime: Arc<Runtime>,
    inner: crate::Scan,
}

/// A blocking verified scan ([`crate::VerifiedScan`]); also an iterator of parts.
#[derive(Debug)]
pub struct VerifiedScan {
    runtime: Arc<Runtime>,
    inner: crate::VerifiedScan,
}

/// A blocking subscription; also an iterator of events.
#[derive(Debug)]
pub struct Subscription {
    runtime: Arc<Runtime>,
    inner: crate::Subscription,
}

impl Client {
    /// Connects to `address` (`host:port`) and handshakes.
    ///
    /// # Errors
    /// As [`crate::Client::connect`]; `Connection` when no runtime can be started.
    pub fn connect(address: impl Into<String>, options: ConnectOptions) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kimberlite-client")
            .enable_all()
            .build()
            .map_err(|error| {
                Error::new(ErrorCode::Connection, "cannot start a runtime").with_source(error)
            })?;
        let inner = runtime.block_on(crate::Client::connect(address, options))?;
        Ok(Self {
            runtime: Arc::new(runtime),
            inner,
        })
    }

    /// See [`crate::Client::with_audit`]: a handle on the same connection and runtime
    /// whose requests carry `audit`.
    #[must_use]
    pub fn with_audit(&self, audit: crate::Audit) -> Self {
        Self {
            runtime: Arc::clone(&self.runtime),
            inner: self.inner.with_audit(audit),
        }
    }

    /// The asynchronous client underneath.
    #[must_use]
    pub const fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// See [`crate::Client::create_stream`].
    ///
    /// # Errors
    /// As the async call.
    pub fn create_stream(
        &self,
        name: &str,
        class: DataClass,
        place: Placement,
    ) -> Result<StreamId> {
        self.runtime
            .block_on(self.inner.create_stream(name, class, place))
    }

    /// See [`crate::Client::append`].
    ///
    /// # Errors
    /// As the async call.
    pub fn append(
        &self,
        stream: StreamId,
        events: Vec<Vec<u8>>,
        expected: Offset,
    ) -> Result<Offset> {
        self.runtime
            .block_on(self.inner.append(stream, events, expected))
    }

    /// See [`crate::Client::read`].
    ///
    /// # Errors
    /// As the async call.
    pub fn read(&self, stream: StreamId, from: Offset, max_bytes: u64) -> Result<ReadResult> {
        self.runtime
            .block_on(self.inner.read(stream, from, max_bytes))
    }

    /// See [`crate::Client::read_verified`].
    ///
    /// # Errors
    /// As the async call.
    pub fn read_verified(
        &self,
        stream: StreamId,
        from: Offset,
        max_bytes: u64,
    ) -> Result<VerifiedRead> {
        self.runtime
            .block_on(self.inner.read_verified(stream, from, max_bytes))
    }

    /// See [`crate::Client::scan`]; the scan is also an iterator of parts.
    ///
    /// # Errors
    /// As the async call.
    pub fn scan(&self, stream: StreamId, from: Offset, max_bytes: u64) -> Result<Scan> {
        let inner = self
            .runtime
            .block_on(self.inner.scan(stream, from, max_bytes))?;
        Ok(Scan {
            runtime: Arc::clone(&self.runtime),
            inner,
        })
    }

    /// See [`crate::Client::scan_verified`]; the scan is also an iterator of parts.
    ///
    /// # Errors
    /// As the async call.
    pub fn scan_verified(
        &self,
        stream: StreamId,
        from: Offset,
        max_bytes: u64,
    ) -> Result<VerifiedScan> {
        let inner = self
            .runtime
            .block_on(self.inner.scan_verified(stream, from, max_bytes))?;
        Ok(VerifiedScan {
            runtime: Arc::clone(&self.runtime),
            inner,
        })
    }

    /// See [`crate::Client::stream_length`].
    ///
    /// # Errors
    /// As the async call.
    pub fn stream_length(&self, stream: StreamId) -> Result<u64> {
        self.runtime.block_on(self.inner.stream_length(stream))
    }

    /// See [`crate::Client::subscribe_with`].
    ///
    /// # Errors
    /// As the async call.
    pub fn subscribe(
        &self,
        stream: StreamId,
        from: Offset,
        options: SubscribeOptions,
    ) -> Result<Subscription> {
        let inner = self
            .runtime
            .block_on(self.inner.subscribe_with(stream, from, options))?;
        Ok(Subscription {
            runtime: Arc::clone(&self.runtime),
            inner,
        })
    }

    /// See [`crate::Client::query`].
    ///
    /// # Errors
    /// As the async call.
    pub fn query(&self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        self.runtime.block_on(self.inner.query(sql, params))
    }

    /// See [`crate::Client::query_at`].
    ///
    /// # Errors
    /// As the async call.
    pub fn query_at(&self, sql: &str, params: &[Value], position: Offset) -> Result<QueryResult> {
        self.runtime
            .block_on(self.inner.query_at(sql, params, position))
    }

    /// See [`crate::Client::execute`].
    ///
    /// # Errors
    /// As the async call.
    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<ExecuteResult> {
        self.runtime.block_on(self.inner.execute(sql, params))
    }

    /// See [`crate::Client::checkpoint`].
    ///
    /// # Errors
    /// As the async call.
    pub fn checkpoint(&self, stream: StreamId) -> Result<Checkpoint> {
        self.runtime.block_on(self.inner.checkpoint(stream))
    }

    /// See [`crate::Client::consistency_proof`].
    ///
    /// # Errors
    /// As the async call.
    pub fn consistency_proof(
        &self,
        stream: StreamId,
        from_size: u64,
        to_size: u64,
    ) -> Result<Vec<Hash>> {
        self.runtime
            .block_on(self.inner.consistency_proof(stream, from_size, to_size))
    }

    /// See [`crate::Client::create_tenant`].
    ///
    /// # Errors
    /// As the async call.
    pub fn create_tenant(&self, tenant_id: TenantId, name: &str) -> Result<TenantId> {
        self.runtime
            .block_on(self.inner.create_tenant(tenant_id, name))
    }

    /// See [`crate::Client::list_tenants`].
    ///
    /// # Errors
    /// As the async call.
    pub fn list_tenants(&self) -> Result<Vec<TenantInfo>> {
        self.runtime.block_on(self.inner.list_tenants())
    }

    /// See [`crate::Client::create_api_key`].
    ///
    /// # Errors
    /// As the async call.
    pub fn create_api_key(&self, tenant_id: TenantId, label: &str) -> Result<ApiKeyCreated> {
        self.runtime
            .block_on(self.inner.create_api_key(tenant_id, label))
    }

    /// See [`crate::Client::revoke_api_key`].
    ///
    /// # Errors
    /// As the async call.
    pub fn revoke_api_key(&self, key_id: &str) -> Result<bool> {
        self.runtime.block_on(self.inner.revoke_api_key(key_id))
    }

    /// See [`crate::Client::list_api_keys`].
    ///
    /// # Errors
    /// As the async call.
    pub fn list_api_keys(&self, tenant_id: TenantId) -> Result<Vec<ApiKeyInfo>> {
        self.runtime.block_on(self.inner.list_api_keys(tenant_id))
    }

    /// See [`crate::Client::server_info`].
    ///
    /// # Errors
    /// As the async call.
    pub fn server_info(&self) -> Result<ServerInfoResponse> {
        self.runtime.block_on(self.inner.server_info())
    }

    /// See [`crate::Client::sync`].
    ///
    /// # Errors
    /// As the async call.
    pub fn sync(&self) -> Result<()> {
        self.runtime.block_on(self.inner.sync())
    }
}

impl Subscription {
    /// See [`crate::Subscription::next`].
    ///
    /// # Errors
    /// As the async call.
    pub fn next_event(&mut self) -> Result<Option<SubscriptionEvent>> {
        self.runtime.block_on(self.inner.next())
    }

    /// See [`crate::Subscription::cancel`].
    ///
    /// # Errors
    /// As the async call.
    pub fn cancel(self) -> Result<()> {
        self.runtime.block_on(self.inner.cancel())
    }
}

impl Iterator for Subscription {
    type Item = Result<SubscriptionEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}

impl Scan {
    /// See [`crate::Scan::next`].
    ///
    /// # Errors
    /// As the async call.
    pub fn next_part(&mut self) -> Result<Option<ReadResult>> {
        self.runtime.block_on(self.inner.next())
    }
}

impl Iterator for Scan {
    type Item = Result<ReadResult>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_part().transpose()
    }
}

impl VerifiedScan {
    /// See [`crate::VerifiedScan::next`].
    ///
    /// # Errors
    /// As the async call.
    pub fn next_part(&mut self) -> Result<Option<VerifiedRead>> {
        self.runtime.block_on(self.inner.next())
    }
}

impl Iterator for VerifiedScan {
    type Item = Result<VerifiedRead>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_part().transpose()
    }
}
