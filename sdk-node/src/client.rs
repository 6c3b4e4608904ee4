//! The `Client` class: every call of `kimberlite::Client`, each returning a Promise
//! settled from napi's tokio runtime.

use kimberlite::{DataClass as CoreClass, Offset, Placement, Region, StreamId, TenantId};
use napi::bindgen_prelude::{BigInt, Buffer, Uint8Array};
use napi_derive::napi;

use crate::error::check;
use crate::options::{to_core, Audit, ConnectOptions};
use crate::subscription::{SubscribeOptions, Subscription};
use crate::types::{
    ApiKeyCreated, ApiKeyInfo, Checkpoint, ExecuteResult, PackedRead, PackedVerifiedRead,
    QueryResult, ServerInfo, TenantInfo,
};
use crate::values::{big, from_value, to_u64, to_value, SqlValue};

/// What kind of data a stream holds; compliance features key off it.
// The protocol's names of the classes, as JavaScript passes them.
#[allow(clippy::upper_case_acronyms)]
#[napi(string_enum)]
pub enum DataClass {
    /// Protected health information (HIPAA).
    PHI,
    /// Health data with identifiers removed.
    Deidentified,
    /// Personally identifiable information.
    PII,
    /// Sensitive data not covered by another class.
    Sensitive,
    /// Payment card data (PCI DSS).
    PCI,
    /// Financial records.
    Financial,
    /// Business-confidential data.
    Confidential,
    /// Data that may be published.
    Public,
}

impl From<DataClass> for CoreClass {
    fn from(class: DataClass) -> Self {
        match class {
            DataClass::PHI => Self::PHI,
            DataClass::Deidentified => Self::Deidentified,
            DataClass::PII => Self::PII,
            DataClass::Sensitive => Self::Sensitive,
            DataClass::PCI => Self::PCI,
            DataClass::Financial => Self::Financial,
            DataClass::Confidential => Self::Confidential,
            DataClass::Public => Self::Public,
        }
    }
}

/// `Global` (or nothing) for anywhere, `USEast1`, `APSoutheast2`, or any region name.
fn to_placement(name: Option<String>) -> Placement {
    match name.as_deref() {
        None | Some("Global") => Placement::Global,
        Some("USEast1") => Placement::Region(Region::USEast1),
        Some("APSoutheast2") => Placement::Region(Region::APSoutheast2),
        Some(other) => Placement::Region(Region::Custom(other.to_owned())),
    }
}

fn bind(values: Option<Vec<SqlValue>>) -> napi::Result<Vec<kimberlite::Value>> {
    values.unwrap_or_default().iter().map(to_value).collect()
}

fn query_result(result: kimberlite::QueryResult) -> QueryResult {
    QueryResult {
        columns: result.columns,
        rows: result
            .rows
            .into_iter()
            .map(|row| row.into_iter().map(from_value).collect())
            .collect(),
    }
}

/// A connection to a Kimberlite server. Calls from any number of Promises are
/// pipelined on one connection; after it is lost the next call reconnects.
#[napi]
pub struct Client {
    inner: kimberlite::Client,
}

#[napi]
impl Client {
    /// Connects: `Client.connect({ address, tenant, apiKey, ... })`.
    #[napi]
    pub async fn connect(options: ConnectOptions) -> napi::Result<Client> {
        let (address, options) = to_core(options)?;
        let inner = check(kimberlite::Client::connect(address, options).await)?;
        Ok(Self { inner })
    }

    /// A client on the same connection whose calls carry `audit` instead of this
    /// client's metadata (the `audit` connect option).
    #[napi]
    pub fn with_audit(&self, audit: Audit) -> Client {
        Self {
            inner: self.inner.with_audit(audit.into()),
        }
    }

    /// The tenant every call acts for.
    #[napi(getter)]
    pub fn tenant(&self) -> BigInt {
        big(self.inner.tenant_id().0)
    }

    /// The address connected to.
    #[napi(getter)]
    pub fn address(&self) -> String {
        self.inner.address().to_owned()
    }

    /// Creates a stream (default class `Public`, placement `Global`), or returns the
    /// tenant's existing stream of that name.
    #[napi]
    pub async fn create_stream(
        &self,
        name: String,
        data_class: Option<DataClass>,
        placement: Option<String>,
    ) -> napi::Result<BigInt> {
        let class = data_class.map_or(CoreClass::Public, CoreClass::from);
        let place = to_placement(placement);
        let stream = check(self.inner.create_stream(&name, class, place).await)?;
        Ok(big(stream.0))
    }

    /// Appends `events` if the stream's length is `expectedOffset`; resolves to the
    /// offset of the first event, durable by then.
    #[napi]
    pub async fn append(
        &self,
        stream_id: BigInt,
        events: Vec<Uint8Array>,
        expected_offset: BigInt,
    ) -> napi::Result<BigInt> {
        let stream = StreamId(to_u64(&stream_id, "streamId")?);
        let expected = Offset(to_u64(&expected_offset, "expectedOffset")?);
        let events = events.iter().map(|event| event.to_vec()).collect();
        let first = check(self.inner.append(stream, events, expected).await)?;
        Ok(big(first.0))
    }

    /// Reads events from `fromOffset` up to about `maxBytes` (default 1 MiB); not
    /// verified (see `readVerified`).
    // Resolves to a `PackedRead`, which index.js unpacks into a `ReadResult`.
    #[napi(ts_return_type = "Promise<ReadResult>")]
    pub async fn read(
        &self,
        stream_id: BigInt,
        from_offset: BigInt,
        max_bytes: Option<u32>,
    ) -> napi::Result<PackedRead> {
        let stream = StreamId(to_u64(&stream_id, "streamId")?);
        let from = Offset(to_u64(&from_offset, "fromOffset")?);
        let max = u64::from(max_bytes.unwrap_or(1 << 20));
        PackedRead::new(check(self.inner.read(stream, from, max).await)?)
    }

    /// Reads like `read`, verifying every record against a signed checkpoint that
    /// extends the trusted one; rejects with a verification code otherwise.
    // Resolves to a `PackedVerifiedRead`, which index.js unpacks into a `VerifiedRead`.
    #[napi(ts_return_type = "Promise<VerifiedRead>")]
    pub async fn read_verified(
        &self,
        stream_id: BigInt,
        from_offset: BigInt,
        max_bytes: Option<u32>,
    ) -> napi::Result<PackedVerifiedRead> {
        let stream = StreamId(to_u64(&stream_id, "streamId")?);
        let from = Offset(to_u64(&from_offset, "fromOffset")?);
        let max = u64::from(max_bytes.unwrap_or(1 << 20));
        PackedVerifiedRead::new(check(self.inner.read_verified(stream, from, max).await)?)
    }

    /// The number of events in the stream.
    #[napi]
    pub async fn stream_length(&self, stream_id: BigInt) -> napi::Result<BigInt> {
        let stream = StreamId(to_u64(&stream_id, "streamId")?);
        Ok(big(check(self.inner.stream_length(stream).await)?))
    }

    /// Waits until everything acknowledged is durable on the server.
    #[napi]
    pub async fn sync(&self) -> napi::Result<()> {
        check(self.inner.sync().await)
    }

    /// Follows a stream from `fromOffset`; the subscription is an async iterator.
    #[napi]
    pub async fn subscribe(
        &self,
        stream_id: BigInt,
        from_offset: BigInt,
        options: Option<SubscribeOptions>,
    ) -> napi::Result<Subscription> {
        let stream = StreamId(to_u64(&stream_id, "streamId")?);
        let from = Offset(to_u64(&from_offset, "fromOffset")?);
        let options = options.map(SubscribeOptions::into_core).unwrap_or_default();
        let subscription = check(self.inner.subscribe_with(stream, from, options).await)?;
        Ok(Subscription::new(subscription))
    }

    /// Runs a SQL query with `params` bound to `$1`, `$2`, ...
    #[napi]
    pub async fn query(
        &self,
        sql: String,
        params: Option<Vec<SqlValue>>,
    ) -> napi::Result<QueryResult> {
        let values = bind(params)?;
        Ok(query_result(check(self.inner.query(&sql, &values).await)?))
    }

    /// Runs a SQL query as of the log position `position` (time travel).
    #[napi]
    pub async fn query_at(
        &self,
        sql: String,
        params: Option<Vec<SqlValue>>,
        position: BigInt,
    ) -> napi::Result<QueryResult> {
        let values = bind(params)?;
        let at = Offset(to_u64(&position, "position")?);
        Ok(query_result(check(
            self.inner.query_at(&sql, &values, at).await,
        )?))
    }

    /// Runs a SQL statement that changes state.
    #[napi]
    pub async fn execute(
        &self,
        sql: String,
        params: Option<Vec<SqlValue>>,
    ) -> napi::Result<ExecuteResult> {
        let values = bind(params)?;
        let result = check(self.inner.execute(&sql, &values).await)?;
        Ok(ExecuteResult {
            rows_affected: big(result.rows_affected),
            log_offset: big(result.log_offset.0),
        })
    }

    /// The stream's current signed checkpoint, checked to extend the trusted one,
    /// which it then becomes.
    #[napi]
    pub async fn checkpoint(&self, stream_id: BigInt) -> napi::Result<Checkpoint> {
        let stream = StreamId(to_u64(&stream_id, "streamId")?);
        Ok(check(self.inner.checkpoint(stream).await)?.into())
    }

    /// An RFC 6962 consistency proof between two sizes of the stream's tree, as sent
    /// (check it with `verify.checkConsistency`).
    #[napi]
    pub async fn consistency_proof(
        &self,
        stream_id: BigInt,
        from_size: BigInt,
        to_size: BigInt,
    ) -> napi::Result<Vec<Buffer>> {
        let stream = StreamId(to_u64(&stream_id, "streamId")?);
        let from = to_u64(&from_size, "fromSize")?;
        let to = to_u64(&to_size, "toSize")?;
        let proof = check(self.inner.consistency_proof(stream, from, to).await)?;
        Ok(proof
            .iter()
            .map(|hash| hash.as_bytes().to_vec().into())
            .collect())
    }

    /// The server's version, signing key and extensions.
    #[napi]
    pub async fn server_info(&self) -> napi::Result<ServerInfo> {
        Ok(check(self.inner.server_info().await)?.into())
    }

    /// The capabilities the server announced and confirmed.
    #[napi]
    pub async fn server_capabilities(&self) -> napi::Result<Vec<String>> {
        check(self.inner.server_capabilities().await)
    }

    /// Creates a tenant (admin token needed).
    #[napi]
    pub async fn create_tenant(&self, tenant_id: BigInt, name: String) -> napi::Result<BigInt> {
        let tenant = TenantId(to_u64(&tenant_id, "tenantId")?);
        Ok(big(check(self.inner.create_tenant(tenant, &name).await)?.0))
    }

    /// Lists the tenants (admin token needed).
    #[napi]
    pub async fn list_tenants(&self) -> napi::Result<Vec<TenantInfo>> {
        let tenants = check(self.inner.list_tenants().await)?;
        Ok(tenants.into_iter().map(TenantInfo::from).collect())
    }

    /// Creates an API key for a tenant (admin token needed).
    #[napi]
    pub async fn create_api_key(
        &self,
        tenant_id: BigInt,
        label: String,
    ) -> napi::Result<ApiKeyCreated> {
        let tenant = TenantId(to_u64(&tenant_id, "tenantId")?);
        Ok(check(self.inner.create_api_key(tenant, &label).await)?.into())
    }

    /// Revokes an API key; resolves to whether it was active.
    #[napi]
    pub async fn revoke_api_key(&self, key_id: String) -> napi::Result<bool> {
        check(self.inner.revoke_api_key(&key_id).await)
    }

    /// Lists a tenant's API keys (admin token needed).
    #[napi]
    pub async fn list_api_keys(&self, tenant_id: BigInt) -> napi::Result<Vec<ApiKeyInfo>> {
        let tenant = TenantId(to_u64(&tenant_id, "tenantId")?);
        let keys = check(self.inner.list_api_keys(tenant).await)?;
        Ok(keys.into_iter().map(ApiKeyInfo::from).collect())
    }
}
