//! The kernel state: the catalog of tenants, streams, tables and API keys.
//!
//! Everything is in `BTreeMap`s, so two states built from the same commands are
//! equal field by field and encode to the same bytes. Fields are private: the
//! state changes only through [`apply`](crate::apply) and
//! [`apply_in_place`](crate::apply_in_place), which keep its invariants (the
//! name index matches the streams, stream ids are never reused, lengths and
//! commit times never go backwards).

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use kimberlite_protocol::{StreamId, TenantId};
use serde::{Deserialize, Serialize};

use crate::api_key::{ApiKey, ApiKeyId};
use crate::error::KernelError;
use crate::stream::Stream;
use crate::table::{RetentionPolicy, Table};
use crate::tenant::Tenant;

/// The whole kernel state. `State::default()` is the empty catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    api_keys: BTreeMap<ApiKeyId, ApiKey>,
}

impl State {
    /// The tenant with this id.
    #[must_use]
    pub fn tenant(&self, tenant_id: TenantId) -> Option<&Tenant> {
        self.tenants.get(&tenant_id)
    }

    /// Every tenant, by id.
    pub fn tenants(&self) -> impl Iterator<Item = &Tenant> {
        self.tenants.values()
    }

    /// A stream of a tenant (stream 0 is the tenant's SQL log).
    #[must_use]
    pub fn stream(&self, tenant_id: TenantId, stream_id: StreamId) -> Option<&Stream> {
        self.tenant(tenant_id)
            .and_then(|tenant| tenant.stream(stream_id))
    }

    /// A tenant's stream by name.
    #[must_use]
    pub fn stream_by_name(&self, tenant_id: TenantId, name: &str) -> Option<&Stream> {
        self.tenant(tenant_id)
            .and_then(|tenant| tenant.stream_by_name(name))
    }

    /// A tenant's streams by id; empty for an unknown tenant.
    pub fn streams(&self, tenant_id: TenantId) -> impl Iterator<Item = &Stream> {
        self.tenant(tenant_id).into_iter().flat_map(Tenant::streams)
    }

    /// A tenant's table by name.
    #[must_use]
    pub fn table(&self, tenant_id: TenantId, name: &str) -> Option<&Table> {
        self.tenant(tenant_id).and_then(|tenant| tenant.table(name))
    }

    /// A tenant's tables by name; empty for an unknown tenant.
    pub fn tables(&self, tenant_id: TenantId) -> impl Iterator<Item = &Table> {
        self.tenant(tenant_id).into_iter().flat_map(Tenant::tables)
    }

    /// A table's retention policy, if the table exists and has one.
    #[must_use]
    pub fn retention(&self, tenant_id: TenantId, table: &str) -> Option<&RetentionPolicy> {
        self.table(tenant_id, table).and_then(Table::retention)
    }

    /// The API key with this id, revoked or not.
    #[must_use]
    pub fn api_key(&self, key_id: ApiKeyId) -> Option<&ApiKey> {
        self.api_keys.get(&key_id)
    }

    /// A tenant's API keys by id, revoked ones included.
    pub fn api_keys(&self, tenant_id: TenantId) -> impl Iterator<Item = &ApiKey> {
        self.api_keys
            .values()
            .filter(move |key| key.tenant_id == tenant_id)
    }

    /// The tenant, or `TenantNotFound`.
    pub(crate) fn existing_tenant(&self, tenant_id: TenantId) -> Result<&Tenant, KernelError> {
        self.tenants
            .get(&tenant_id)
            .ok_or(KernelError::TenantNotFound { tenant_id })
    }

    /// The tenant if it exists and may still be written to.
    pub(crate) fn writable_tenant(&self, tenant_id: TenantId) -> Result<&Tenant, KernelError> {
        let tenant = self.existing_tenant(tenant_id)?;
        if tenant.is_key_erased() {
            return Err(KernelError::TenantKeyErased { tenant_id });
        }
        Ok(tenant)
    }

    /// Mutable access for the apply functions, after they validated.
    pub(crate) fn tenant_mut(&mut self, tenant_id: TenantId) -> Result<&mut Tenant, KernelError> {
        self.tenants
            .get_mut(&tenant_id)
            .ok_or(KernelError::TenantNotFound { tenant_id })
    }

    /// Adds a new tenant; the caller checked the id is free.
    pub(crate) fn insert_tenant(&mut self, tenant: Tenant) {
        self.tenants.insert(tenant.id, tenant);
    }

    /// The API keys map, for the apply functions.
    pub(crate) fn api_keys_mut(&mut self) -> &mut BTreeMap<ApiKeyId, ApiKey> {
        &mut self.api_keys
    }
}
