//! Query and QueryAt through the SQL engine, on tokio's blocking pool (a
//! statement reads SQLite and may wait for its SQL log record to be durable).
//! Statements that only read run one after another per tenant (`serial.rs`):
//! they would take the tenant's view store lock in turn anyway.
//!
//! The request's audit metadata (actor, reason, correlation id) is recorded
//! with every change; a break-glass reason is recorded as the reason (ahead of
//! the audit reason when both are given). The idempotency key is not recorded.

use std::sync::Arc;

use kimberlite_protocol::message::{Audit, QueryAtRequest, QueryRequest, QueryResponse};
use kimberlite_protocol::{ErrorCode, TenantId};
use kimberlite_sql::{AuditInfo, QueryOutput, SqlContext, SqlEngine, SqlError};

use super::serial::SerialRunners;
use crate::backend::{BackendError, BackendResult};

fn context(audit: Audit, break_glass_reason: Option<String>) -> SqlContext {
    let reason = match (break_glass_reason, audit.reason) {
        (Some(break_glass), Some(reason)) if break_glass != reason => {
            Some(format!("break-glass: {break_glass}; {reason}"))
        }
        (Some(break_glass), _) => Some(format!("break-glass: {break_glass}")),
        (None, reason) => reason,
    };
    SqlContext {
        audit: AuditInfo {
            actor: audit.actor,
            reason,
            correlation_id: audit.correlation_id,
        },
        // Always the richest kinds: the connection turns them into their v5 text forms
        // (`CapabilitySet::adapt_response`) for a client that did not opt in to
        // `kmb.values/1`, so each client gets what it can decode.
        extended_values: true,
    }
}

fn answer(output: Result<QueryOutput, SqlError>) -> BackendResult<QueryResponse> {
    match output {
        Ok(output) => {
            let (columns, rows) = output.into_columns_and_rows();
            Ok(QueryResponse { columns, rows })
        }
        Err(error) => Err(BackendError::new(error.code(), error.to_string())),
    }
}

fn call_failed(error: impl std::fmt::Display) -> BackendError {
    BackendError::new(
        ErrorCode::InternalError,
        format!("SQL call failed: {error}"),
    )
}

/// Runs a call on a blocking-pool thread of its own.
async fn run(
    call: impl FnOnce() -> Result<QueryOutput, SqlError> + Send + 'static,
) -> BackendResult<QueryResponse> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(call_failed)
        .and_then(answer)
}

/// Runs a read-only call after the tenant's reads queued before it.
async fn run_read(
    reads: &SerialRunners<TenantId>,
    tenant_id: TenantId,
    call: impl FnOnce() -> Result<QueryOutput, SqlError> + Send + 'static,
) -> BackendResult<QueryResponse> {
    reads
        .run(&tenant_id, call)
        .await
        .map_err(call_failed)
        .and_then(answer)
}

/// Runs a statement on the current state.
pub(super) async fn query(
    sql: Arc<SqlEngine>,
    reads: &SerialRunners<TenantId>,
    tenant_id: TenantId,
    request: QueryRequest,
    audit: Audit,
) -> BackendResult<QueryResponse> {
    let context = context(audit, request.break_glass_reason);
    let only_reads = sql.only_reads(&request.sql);
    let call = move || sql.execute(tenant_id, &request.sql, &request.params, &context);
    if only_reads {
        run_read(reads, tenant_id, call).await
    } else {
        run(call).await
    }
}

/// Runs a query on the state at a SQL log position.
pub(super) async fn query_at(
    sql: Arc<SqlEngine>,
    reads: &SerialRunners<TenantId>,
    tenant_id: TenantId,
    request: QueryAtRequest,
    audit: Audit,
) -> BackendResult<QueryResponse> {
    let context = context(audit, request.break_glass_reason);
    let position = request.position.get();
    let call = move || sql.query_at(tenant_id, &request.sql, &request.params, position, &context);
    run_read(reads, tenant_id, call).await
}
