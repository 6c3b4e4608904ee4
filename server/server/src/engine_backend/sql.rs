//! Query and QueryAt through the SQL engine, on tokio's blocking pool (a
//! statement reads SQLite and may wait for its SQL log record to be durable).
//!
//! The request's audit metadata (actor, reason, correlation id) is recorded
//! with every change; a break-glass reason is recorded as the reason (ahead of
//! the audit reason when both are given). The idempotency key is not recorded.

use std::sync::Arc;

use kimberlite_protocol::message::{Audit, QueryAtRequest, QueryRequest, QueryResponse};
use kimberlite_protocol::{ErrorCode, TenantId};
use kimberlite_sql::{AuditInfo, QueryOutput, SqlContext, SqlEngine, SqlError};

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

async fn run(
    call: impl FnOnce() -> Result<QueryOutput, SqlError> + Send + 'static,
) -> BackendResult<QueryResponse> {
    match tokio::task::spawn_blocking(call).await {
        Ok(Ok(output)) => {
            let (columns, rows) = output.into_columns_and_rows();
            Ok(QueryResponse { columns, rows })
        }
        Ok(Err(error)) => Err(BackendError::new(error.code(), error.to_string())),
        Err(error) => Err(BackendError::new(
            ErrorCode::InternalError,
            format!("SQL call failed: {error}"),
        )),
    }
}

/// Runs a statement on the current state.
pub(super) async fn query(
    sql: Arc<SqlEngine>,
    tenant_id: TenantId,
    request: QueryRequest,
    audit: Audit,
) -> BackendResult<QueryResponse> {
    let context = context(audit, request.break_glass_reason);
    run(move || sql.execute(tenant_id, &request.sql, &request.params, &context)).await
}

/// Runs a query on the state at a SQL log position.
pub(super) async fn query_at(
    sql: Arc<SqlEngine>,
    tenant_id: TenantId,
    request: QueryAtRequest,
    audit: Audit,
) -> BackendResult<QueryResponse> {
    let context = context(audit, request.break_glass_reason);
    let position = request.position.get();
    run(move || sql.query_at(tenant_id, &request.sql, &request.params, position, &context)).await
}
