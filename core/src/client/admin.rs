//! Administration (extension `kmb.admin/1`) and server information (`kmb.ext/1`).

use kimberlite_protocol::capability::{ADMIN, EXT};
use kimberlite_protocol::message::{
    ApiKeyInfo, CreateApiKeyRequest, CreateTenantRequest, ListApiKeysRequest, RequestPayload,
    ResponsePayload, RevokeApiKeyRequest, ServerInfoResponse, TenantInfo,
};
use kimberlite_protocol::TenantId;

use super::{unexpected, Client};
use crate::error::Result;
use crate::ApiKeyCreated;

impl Client {
    /// The server's software version, protocol version, signing key and capabilities.
    ///
    /// # Errors
    /// `Unsupported` against a plain v5 server; as any call otherwise.
    pub async fn server_info(&self) -> Result<ServerInfoResponse> {
        match self
            .request_extension(EXT, RequestPayload::ServerInfo)
            .await?
        {
            ResponsePayload::ServerInfo(info) => Ok(info),
            _ => Err(unexpected("ServerInfo")),
        }
    }

    /// Creates a tenant (needs an administrator token).
    ///
    /// # Errors
    /// `Unsupported` without `kmb.admin/1`; `TenantAlreadyExists`; `PermissionDenied`.
    pub async fn create_tenant(&self, tenant_id: TenantId, name: &str) -> Result<TenantId> {
        let request = RequestPayload::CreateTenant(CreateTenantRequest {
            tenant_id,
            name: name.to_owned(),
        });
        match self.request_extension(ADMIN, request).await? {
            ResponsePayload::TenantCreated(answer) => Ok(answer.tenant_id),
            _ => Err(unexpected("CreateTenant")),
        }
    }

    /// Every tenant (needs an administrator token).
    ///
    /// # Errors
    /// `Unsupported` without `kmb.admin/1`; `PermissionDenied`.
    pub async fn list_tenants(&self) -> Result<Vec<TenantInfo>> {
        match self
            .request_extension(ADMIN, RequestPayload::ListTenants)
            .await?
        {
            ResponsePayload::Tenants(answer) => Ok(answer.tenants),
            _ => Err(unexpected("ListTenants")),
        }
    }

    /// Creates an API key for `tenant_id`; the secret is returned only this once.
    ///
    /// # Errors
    /// `Unsupported` without `kmb.admin/1`; `TenantNotFound`; `PermissionDenied`.
    pub async fn create_api_key(&self, tenant_id: TenantId, label: &str) -> Result<ApiKeyCreated> {
        let request = RequestPayload::CreateApiKey(CreateApiKeyRequest {
            tenant_id,
            label: label.to_owned(),
        });
        match self.request_extension(ADMIN, request).await? {
            ResponsePayload::ApiKeyCreated(answer) => Ok(answer),
            _ => Err(unexpected("CreateApiKey")),
        }
    }

    /// Revokes a key; false if it already was.
    ///
    /// # Errors
    /// `Unsupported` without `kmb.admin/1`; `ApiKeyNotFound`; `PermissionDenied`.
    pub async fn revoke_api_key(&self, key_id: &str) -> Result<bool> {
        let request = RequestPayload::RevokeApiKey(RevokeApiKeyRequest {
            key_id: key_id.to_owned(),
        });
        match self.request_extension(ADMIN, request).await? {
            ResponsePayload::ApiKeyRevoked(answer) => Ok(answer.revoked),
            _ => Err(unexpected("RevokeApiKey")),
        }
    }

    /// A tenant's keys, without secrets.
    ///
    /// # Errors
    /// `Unsupported` without `kmb.admin/1`; `PermissionDenied`.
    pub async fn list_api_keys(&self, tenant_id: TenantId) -> Result<Vec<ApiKeyInfo>> {
        let request = RequestPayload::ListApiKeys(ListApiKeysRequest { tenant_id });
        match self.request_extension(ADMIN, request).await? {
            ResponsePayload::ApiKeys(answer) => Ok(answer.keys),
            _ => Err(unexpected("ListApiKeys")),
        }
    }
}
