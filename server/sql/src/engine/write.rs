//! Writes: planned and staged under the tenant's lock, the views'
//! transaction settled, and the answer given once the record is durable
//! (see `commit.rs` for how pipelined records share group commits).

use std::sync::MutexGuard;

use kimberlite_protocol::{TenantId, Value};
use sqlparser::ast::Statement;

use super::slot::{Seen, TenantSlot};
use super::{SqlContext, SqlEngine};
use crate::commit::{append_now, pipeline, Durable, Pending};
use crate::error::SqlError;
use crate::front::LiteralRows;
use crate::output::QueryOutput;
use crate::store::TenantStore;
use crate::write::plan;

/// A write statement and what it runs with.
#[derive(Clone, Copy)]
pub(super) struct WriteRequest<'a> {
    pub(super) statement: &'a Statement,
    /// The literal rows of an INSERT, read by the front end.
    pub(super) rows: Option<&'a LiteralRows>,
    pub(super) params: &'a [Value],
    pub(super) context: &'a SqlContext,
}

/// A write staged under the lock.
enum Staged {
    /// Nothing left to wait for.
    Answered(Result<QueryOutput, SqlError>),
    /// The answer, to give once the record is durable.
    Pipelined(Result<QueryOutput, SqlError>, Durable),
}

/// The answer to a write: its `RETURNING` rows, or its count and position.
fn answer(
    store: &TenantStore,
    returning: Option<crate::write::Returning>,
    params: &[Value],
    context: &SqlContext,
    rows_affected: u64,
    position: u64,
) -> Result<QueryOutput, SqlError> {
    match returning {
        Some(returning) => Ok(returning
            .evaluate(store, params)?
            .into_output(context.extended_values)),
        None => Ok(QueryOutput::Written {
            rows_affected,
            log_offset: position,
        }),
    }
}

impl SqlEngine {
    /// Plans and stages a write under the tenant's lock, settles the views'
    /// transaction, and answers once the record is durable.
    pub(super) fn write(
        &self,
        tenant: TenantId,
        slot: &TenantSlot,
        mut store: MutexGuard<'_, TenantStore>,
        seen: Seen,
        request: &WriteRequest<'_>,
    ) -> Result<QueryOutput, SqlError> {
        // Planning reads the views inside the transaction the record joins.
        let staged = store
            .begin()
            .and_then(|()| self.stage_write(tenant, slot, &mut store, seen, request));
        slot.settle(&mut store);
        drop(store);
        match staged? {
            Staged::Answered(output) => output,
            Staged::Pipelined(output, durable) => {
                let durable = durable.wait();
                slot.settle_after_durable();
                durable?;
                output
            }
        }
    }

    fn stage_write(
        &self,
        tenant: TenantId,
        slot: &TenantSlot,
        store: &mut TenantStore,
        seen: Seen,
        request: &WriteRequest<'_>,
    ) -> Result<Staged, SqlError> {
        let WriteRequest {
            statement,
            rows,
            params,
            context,
        } = *request;
        let Some(mut plan) = plan(store, statement, rows, params)? else {
            return Ok(Staged::Answered(Ok(QueryOutput::Written {
                rows_affected: 0,
                log_offset: seen.length(store).saturating_sub(1),
            })));
        };
        plan.record.audit = context.audit.clone();
        let rows_affected = plan.record.rows_affected;
        let pending = Pending {
            table_changes: plan.table_changes,
            record: plan.record,
        };
        let returning = plan.returning;
        if !pending.only_rows() {
            let position = append_now(&self.engine, tenant, slot, store, pending)?;
            let output = answer(store, returning, params, context, rows_affected, position);
            return Ok(Staged::Answered(output));
        }
        let (position, durable) = pipeline(&self.engine, tenant, slot, store, pending)?;
        let output = answer(store, returning, params, context, rows_affected, position);
        Ok(Staged::Pipelined(output, durable))
    }
}
