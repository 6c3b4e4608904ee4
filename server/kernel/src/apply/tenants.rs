//! `CreateTenant` and `EraseTenantKey`.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use kimberlite_protocol::{Placement, TenantId};

use super::retention::check_history_removable;
use crate::effect::Effect;
use crate::error::{HistoryRemoval, KernelError};
use crate::names::{check_name, NameKind};
use crate::state::State;
use crate::stream::{
    Stream, StreamKind, FIRST_USER_STREAM_ID, SQL_LOG_DATA_CLASS, SQL_LOG_STREAM_ID,
    SQL_LOG_STREAM_NAME,
};
use crate::tenant::Tenant;

/// Creates a tenant and its empty SQL log.
pub(super) fn create_tenant(
    state: &mut State,
    tenant_id: TenantId,
    name: &str,
    timestamp_ns: u64,
) -> Result<Vec<Effect>, KernelError> {
    if tenant_id == TenantId(0) {
        return Err(KernelError::ReservedTenantId);
    }
    if state.tenant(tenant_id).is_some() {
        return Err(KernelError::TenantAlreadyExists { tenant_id });
    }
    check_name(NameKind::Tenant, name)?;

    let sql_log = Stream {
        id: SQL_LOG_STREAM_ID,
        name: SQL_LOG_STREAM_NAME.to_owned(),
        kind: StreamKind::SqlLog,
        data_class: SQL_LOG_DATA_CLASS,
        placement: Placement::Global,
        created_ns: timestamp_ns,
        length: 0,
        last_commit_ns: 0,
    };
    state.insert_tenant(Tenant {
        id: tenant_id,
        name: name.to_owned(),
        created_ns: timestamp_ns,
        key_erased_ns: None,
        streams: BTreeMap::from([(SQL_LOG_STREAM_ID, sql_log)]),
        stream_ids_by_name: BTreeMap::from([(SQL_LOG_STREAM_NAME.to_owned(), SQL_LOG_STREAM_ID)]),
        next_stream_id: FIRST_USER_STREAM_ID,
        tables: BTreeMap::new(),
    });
    Ok(vec![Effect::TenantCreated { tenant_id }])
}

/// Marks the tenant's key erased and forgets its tables, unless a retention
/// policy still protects one of them.
///
/// The tables go because their contents are unreadable from now on, and
/// because recovery, replaying the tenant's SQL log after the key is gone,
/// cannot read their definitions either: forgetting them here keeps the state
/// the same whether or not it was rebuilt from the log.
pub(super) fn erase_tenant_key(
    state: &mut State,
    tenant_id: TenantId,
    timestamp_ns: u64,
) -> Result<Vec<Effect>, KernelError> {
    let tenant = state.existing_tenant(tenant_id)?;
    if let Some(erased_ns) = tenant.key_erased_ns {
        return Err(KernelError::TenantKeyAlreadyErased {
            tenant_id,
            erased_ns,
        });
    }
    for table in tenant.tables.values() {
        check_history_removable(
            tenant_id,
            table,
            HistoryRemoval::EraseTenantKey,
            timestamp_ns,
        )?;
    }

    let tenant = state.tenant_mut(tenant_id)?;
    tenant.key_erased_ns = Some(timestamp_ns);
    tenant.tables.clear();
    Ok(vec![Effect::DestroyTenantKey { tenant_id }])
}
