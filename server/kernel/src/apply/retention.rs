//! `SetRetention`, and the check every history-removing change goes through.

#[cfg(test)]
mod tests;

use kimberlite_protocol::TenantId;

use crate::effect::Effect;
use crate::error::{HistoryRemoval, KernelError};
use crate::state::State;
use crate::table::{RetentionPolicy, Table};

/// Sets or lengthens a table's retention policy.
pub(super) fn set_retention(
    state: &mut State,
    tenant_id: TenantId,
    table_name: &str,
    min_history_ns: u64,
    timestamp_ns: u64,
) -> Result<Vec<Effect>, KernelError> {
    let table = state
        .writable_tenant(tenant_id)?
        .table(table_name)
        .ok_or_else(|| KernelError::TableNotFound {
            tenant_id,
            table: table_name.to_owned(),
        })?;
    if let Some(current) = table.retention {
        if min_history_ns < current.min_history_ns {
            return Err(KernelError::RetentionShortened {
                tenant_id,
                table: table_name.to_owned(),
                current_ns: current.min_history_ns,
                requested_ns: min_history_ns,
            });
        }
    }

    let tenant = state.tenant_mut(tenant_id)?;
    if let Some(table) = tenant.tables.get_mut(table_name) {
        table.retention = Some(RetentionPolicy {
            min_history_ns,
            set_ns: timestamp_ns,
        });
    }
    Ok(vec![Effect::RetentionSet {
        tenant_id,
        table: table_name.to_owned(),
        min_history_ns,
    }])
}

/// Fails unless `table`'s history may be removed at `timestamp_ns`.
pub(super) fn check_history_removable(
    tenant_id: TenantId,
    table: &Table,
    action: HistoryRemoval,
    timestamp_ns: u64,
) -> Result<(), KernelError> {
    match table.history_removable_from_ns() {
        Some(removable_from_ns) if timestamp_ns < removable_from_ns => {
            Err(KernelError::RetentionNotReached {
                tenant_id,
                table: table.name().to_owned(),
                action,
                removable_from_ns,
                timestamp_ns,
            })
        }
        _ => Ok(()),
    }
}
