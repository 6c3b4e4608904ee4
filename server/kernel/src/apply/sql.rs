//! `RecordSqlEffect`: one statement's record in the tenant's SQL log, with its
//! catalog changes applied all or nothing.

#[cfg(test)]
mod tests;

use kimberlite_protocol::TenantId;

use super::streams::{append_effect, commit_append, plan_append, stream_mut};
use super::table_changes::{apply_change, mark_changed, ChangeStamp};
use crate::command::TableChange;
use crate::effect::Effect;
use crate::error::KernelError;
use crate::state::State;
use crate::stream::SQL_LOG_STREAM_ID;

/// Appends one record to the SQL log and applies `changes` in order.
///
/// The changes are checked against a working copy of the tenant's tables, so a
/// statement whose third change fails leaves no trace of the first two. A
/// statement that only changes rows (the common case) skips the copy: its
/// checks do not depend on each other.
pub(super) fn record_sql_effect(
    state: &mut State,
    tenant_id: TenantId,
    timestamp_ns: u64,
    changes: &[TableChange],
) -> Result<Vec<Effect>, KernelError> {
    let tenant = state.writable_tenant(tenant_id)?;
    let sql_log = tenant.sql_log().ok_or(KernelError::StreamNotFound {
        tenant_id,
        stream_id: SQL_LOG_STREAM_ID,
    })?;
    let plan = plan_append(tenant_id, sql_log, 1, timestamp_ns)?;
    let stamp = ChangeStamp {
        tenant_id,
        position: plan.first_offset,
        commit_ns: plan.commit_ns,
    };
    let mut effects = vec![append_effect((tenant_id, SQL_LOG_STREAM_ID), plan, 1)];

    let only_rows = changes
        .iter()
        .all(|change| matches!(change, TableChange::RowChanges { .. }));
    let new_tables = if only_rows {
        for change in changes {
            if let Some(table) = change.table() {
                if tenant.table(table).is_none() {
                    return Err(KernelError::TableNotFound {
                        tenant_id,
                        table: table.to_owned(),
                    });
                }
            }
        }
        None
    } else {
        let mut tables = tenant.tables.clone();
        for change in changes {
            apply_change(&mut tables, stamp, change, &mut effects)?;
        }
        Some(tables)
    };

    let tenant = state.tenant_mut(tenant_id)?;
    match new_tables {
        Some(tables) => tenant.tables = tables,
        None => {
            for table in changes.iter().filter_map(TableChange::table) {
                if let Some(table) = tenant.tables.get_mut(table) {
                    mark_changed(table, stamp);
                }
            }
        }
    }
    commit_append(stream_mut(state, tenant_id, SQL_LOG_STREAM_ID)?, plan);
    Ok(effects)
}
