//! Serving one admitted data or admin request through the backend.

use kimberlite_protocol::message::{
    ApiKeyCreatedResponse, ApiKeyRevokedResponse, ApiKeysResponse, AppendEventsRequest,
    AppendEventsResponse, Audit, CheckpointResponse, ConsistencyProofResponse,
    CreateStreamResponse, ServerInfoResponse, StreamInfoResponse, SyncResponse,
    TenantCreatedResponse, TenantsResponse,
};
use kimberlite_protocol::{ErrorCode, RequestPayload, ResponsePayload, TenantId, PROTOCOL_VERSION};

use crate::auth::{api_key_token, generate_api_key};
use crate::backend::{AppendBatch, Backend, BackendError, BackendResult, StreamSpec};
use crate::config::AuthMode;
use crate::server::Shared;

/// Whether `payload` reads or writes data of the request's tenant.
pub(super) const fn is_tenant_scoped(payload: &RequestPayload) -> bool {
    matches!(
        payload,
        RequestPayload::CreateStream(_)
            | RequestPayload::AppendEvents(_)
            | RequestPayload::Query(_)
            | RequestPayload::QueryAt(_)
            | RequestPayload::ReadEvents(_)
            | RequestPayload::StreamInfo(_)
            | RequestPayload::Subscribe(_)
            | RequestPayload::ReadVerified(_)
            | RequestPayload::ReadVerifiedRange(_)
            | RequestPayload::GetCheckpoint(_)
            | RequestPayload::ConsistencyProof(_)
    )
}

/// In development mode, creates the tenant of a tenant-scoped request.
pub(super) async fn prepare_tenant<B: Backend>(
    shared: &Shared<B>,
    tenant_id: TenantId,
    payload: &RequestPayload,
) -> BackendResult<()> {
    if matches!(shared.config.auth, AuthMode::Development) && is_tenant_scoped(payload) {
        shared.backend.ensure_tenant(tenant_id).await?;
    }
    Ok(())
}

/// Serves a request that the session has admitted; `audit` is the request's
/// audit metadata, recorded with SQL changes.
pub(super) async fn execute<B: Backend>(
    shared: &Shared<B>,
    tenant_id: TenantId,
    audit: Option<Audit>,
    payload: RequestPayload,
) -> BackendResult<ResponsePayload> {
    prepare_tenant(shared, tenant_id, &payload).await?;
    let backend = &shared.backend;
    let read_limit = shared.config.limits.max_read_bytes;
    Ok(match payload {
        RequestPayload::CreateStream(request) => {
            let spec = StreamSpec {
                name: request.name,
                data_class: request.data_class,
                placement: request.placement,
            };
            let stream_id = backend.create_stream(tenant_id, spec).await?;
            ResponsePayload::CreateStream(CreateStreamResponse { stream_id })
        }
        RequestPayload::AppendEvents(request) => append(shared, tenant_id, request).await?,
        RequestPayload::Query(request) => {
            let audit = audit.unwrap_or_default();
            ResponsePayload::Query(backend.query(tenant_id, request, audit).await?)
        }
        RequestPayload::QueryAt(request) => {
            let audit = audit.unwrap_or_default();
            ResponsePayload::QueryAt(backend.query_at(tenant_id, request, audit).await?)
        }
        RequestPayload::ReadEvents(request) => {
            let max_bytes = request.max_bytes.min(read_limit);
            let from = request.from_offset;
            let read = backend
                .read_events(tenant_id, request.stream_id, from, max_bytes)
                .await?;
            ResponsePayload::ReadEvents(read)
        }
        RequestPayload::StreamInfo(request) => {
            let length = backend.stream_length(tenant_id, request.stream_id).await?;
            ResponsePayload::StreamInfo(StreamInfoResponse { length })
        }
        RequestPayload::Sync => {
            backend.sync().await?;
            ResponsePayload::Sync(SyncResponse { success: true })
        }
        RequestPayload::ReadVerified(mut request) => {
            request.max_bytes = request.max_bytes.min(read_limit);
            ResponsePayload::ReadVerified(backend.read_verified(tenant_id, request).await?)
        }
        RequestPayload::ReadVerifiedRange(mut request) => {
            request.max_bytes = request.max_bytes.min(read_limit);
            let answer = backend.read_verified_range(tenant_id, request).await?;
            ResponsePayload::VerifiedRange(answer)
        }
        RequestPayload::GetCheckpoint(request) => {
            let checkpoint = backend.checkpoint(tenant_id, request.stream_id).await?;
            ResponsePayload::Checkpoint(CheckpointResponse { checkpoint })
        }
        RequestPayload::ConsistencyProof(request) => {
            let proof = backend
                .consistency_proof(
                    tenant_id,
                    request.stream_id,
                    request.from_size,
                    request.to_size,
                )
                .await?;
            ResponsePayload::ConsistencyProof(ConsistencyProofResponse { proof })
        }
        RequestPayload::ServerInfo => server_info(shared).await?,
        other => admin(shared, other).await?,
    })
}

async fn append<B: Backend>(
    shared: &Shared<B>,
    tenant_id: TenantId,
    request: AppendEventsRequest,
) -> BackendResult<ResponsePayload> {
    let limits = &shared.config.limits;
    let count = request.events.len();
    if count == 0 {
        return Err(invalid("AppendEvents needs at least one event"));
    }
    if count > limits.max_append_events {
        return Err(invalid(format!(
            "{count} events in one append exceed the limit of {}",
            limits.max_append_events
        )));
    }
    let bytes: usize = request.events.iter().map(Vec::len).sum();
    if bytes > limits.max_append_bytes {
        return Err(invalid(format!(
            "{bytes} event bytes in one append exceed the limit of {}",
            limits.max_append_bytes
        )));
    }
    let count = u32::try_from(count).map_err(|_| invalid("too many events"))?;
    let batch = AppendBatch {
        stream_id: request.stream_id,
        expected_offset: request.expected_offset,
        events: request.events,
    };
    let first_offset = shared.backend.append(tenant_id, batch).await?;
    shared.metrics.appended(u64::from(count), bytes as u64);
    Ok(ResponsePayload::AppendEvents(AppendEventsResponse {
        first_offset,
        count,
    }))
}

async fn server_info<B: Backend>(shared: &Shared<B>) -> BackendResult<ResponsePayload> {
    let info = shared.backend.info().await?;
    Ok(ResponsePayload::ServerInfo(ServerInfoResponse {
        server_version: env!("CARGO_PKG_VERSION").to_owned(),
        protocol_version: PROTOCOL_VERSION,
        signing_key: info.signing_key,
        capabilities: shared.config.capabilities.names(),
    }))
}

async fn admin<B: Backend>(
    shared: &Shared<B>,
    payload: RequestPayload,
) -> BackendResult<ResponsePayload> {
    let backend = &shared.backend;
    Ok(match payload {
        RequestPayload::CreateTenant(request) => {
            backend
                .create_tenant(request.tenant_id, request.name)
                .await?;
            ResponsePayload::TenantCreated(TenantCreatedResponse {
                tenant_id: request.tenant_id,
            })
        }
        RequestPayload::ListTenants => ResponsePayload::Tenants(TenantsResponse {
            tenants: backend.list_tenants().await?,
        }),
        RequestPayload::CreateApiKey(request) => {
            let generated = generate_api_key(request.tenant_id, request.label);
            let key_id = backend.create_api_key(generated.stored).await?;
            ResponsePayload::ApiKeyCreated(ApiKeyCreatedResponse {
                key_id: key_id.to_string(),
                secret: api_key_token(key_id, &generated.secret),
            })
        }
        RequestPayload::RevokeApiKey(request) => {
            let key_id = request.key_id.parse().map_err(|_| {
                BackendError::new(
                    ErrorCode::ApiKeyNotFound,
                    format!("no key {}", request.key_id),
                )
            })?;
            let revoked = backend.revoke_api_key(key_id).await?;
            // Record it even if it was already revoked: sessions opened with it
            // before must stop at their next request either way.
            shared.revoked_keys.insert(key_id);
            ResponsePayload::ApiKeyRevoked(ApiKeyRevokedResponse { revoked })
        }
        RequestPayload::ListApiKeys(request) => ResponsePayload::ApiKeys(ApiKeysResponse {
            keys: backend.list_api_keys(request.tenant_id).await?,
        }),
        other => {
            return Err(BackendError::new(
                ErrorCode::InternalError,
                format!("{} reached the request dispatcher", other.variant_name()),
            ))
        }
    })
}

fn invalid(message: impl Into<String>) -> BackendError {
    BackendError::new(ErrorCode::InvalidRequest, message)
}
