//! `CreateApiKey` and `RevokeApiKey`.

#[cfg(test)]
mod tests;

use kimberlite_protocol::TenantId;

use crate::api_key::{ApiKey, ApiKeyId};
use crate::effect::Effect;
use crate::error::KernelError;
use crate::names::{check_name, NameKind};
use crate::state::State;

/// What the shell computed for a new key.
pub(super) struct KeyMaterial<'a> {
    pub(super) label: &'a str,
    pub(super) salt: &'a [u8],
    pub(super) secret_hash: &'a [u8],
}

/// Registers a key for an existing tenant. A tenant whose data key was erased
/// may still get keys: they grant reads of metadata and proofs, which survive
/// erasure.
pub(super) fn create_api_key(
    state: &mut State,
    key_id: ApiKeyId,
    tenant_id: TenantId,
    material: KeyMaterial<'_>,
    timestamp_ns: u64,
) -> Result<Vec<Effect>, KernelError> {
    if state.api_key(key_id).is_some() {
        return Err(KernelError::ApiKeyAlreadyExists { key_id });
    }
    state.existing_tenant(tenant_id)?;
    check_name(NameKind::ApiKeyLabel, material.label)?;
    if material.salt.is_empty() || material.secret_hash.is_empty() {
        return Err(KernelError::ApiKeySecretMissing { key_id });
    }

    state.api_keys_mut().insert(
        key_id,
        ApiKey {
            id: key_id,
            tenant_id,
            label: material.label.to_owned(),
            salt: material.salt.to_vec(),
            secret_hash: material.secret_hash.to_vec(),
            created_ns: timestamp_ns,
            revoked_ns: None,
        },
    );
    Ok(vec![Effect::ApiKeyCreated { key_id, tenant_id }])
}

/// Revokes a key; revocation is final.
pub(super) fn revoke_api_key(
    state: &mut State,
    key_id: ApiKeyId,
    timestamp_ns: u64,
) -> Result<Vec<Effect>, KernelError> {
    let key = state
        .api_key(key_id)
        .ok_or(KernelError::ApiKeyNotFound { key_id })?;
    if let Some(revoked_ns) = key.revoked_ns {
        return Err(KernelError::ApiKeyAlreadyRevoked { key_id, revoked_ns });
    }
    let tenant_id = key.tenant_id;

    if let Some(key) = state.api_keys_mut().get_mut(&key_id) {
        key.revoked_ns = Some(timestamp_ns);
    }
    Ok(vec![Effect::ApiKeyRevoked { key_id, tenant_id }])
}
