//! SQL calls: query, query at a log position, and statements that change state.

use kimberlite_protocol::message::{QueryAtRequest, QueryRequest, RequestPayload, ResponsePayload};
use kimberlite_protocol::{Offset, Value};

use super::{unexpected, Client};
use crate::error::{Error, Result};

pub use kimberlite_protocol::message::QueryResponse as QueryResult;

/// What a statement that changes state reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecuteResult {
    /// Rows inserted, updated or deleted.
    pub rows_affected: u64,
    /// The position of the statement's record in the tenant's SQL log, usable with
    /// [`Client::query_at`].
    pub log_offset: Offset,
}

impl Client {
    /// Runs a statement on the current state; `$1`, `$2`, ... are `params`.
    ///
    /// # Errors
    /// As any call; `QueryParseError`, `QueryExecutionError`, `TableNotFound`, ...
    pub async fn query(&self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        let request = RequestPayload::Query(QueryRequest {
            sql: sql.to_owned(),
            params: params.to_vec(),
            break_glass_reason: None,
        });
        match self.request(request).await? {
            // A query with `AS OF` may be answered in the QueryAt shape.
            ResponsePayload::Query(result) | ResponsePayload::QueryAt(result) => Ok(result),
            _ => Err(unexpected("Query")),
        }
    }

    /// Runs a query on the state that includes the SQL log record at `position`.
    ///
    /// # Errors
    /// As [`Client::query`]; `PositionAhead` beyond the end of the log.
    pub async fn query_at(
        &self,
        sql: &str,
        params: &[Value],
        position: Offset,
    ) -> Result<QueryResult> {
        let request = RequestPayload::QueryAt(QueryAtRequest {
            sql: sql.to_owned(),
            params: params.to_vec(),
            position,
            break_glass_reason: None,
        });
        match self.request(request).await? {
            ResponsePayload::Query(result) | ResponsePayload::QueryAt(result) => Ok(result),
            _ => Err(unexpected("QueryAt")),
        }
    }

    /// Runs a statement that changes state (DDL or DML) and returns its effect.
    ///
    /// # Errors
    /// As [`Client::query`]; `InvalidArgument` when the statement returned rows
    /// instead (use [`Client::query`] for those).
    pub async fn execute(&self, sql: &str, params: &[Value]) -> Result<ExecuteResult> {
        let result = self.query(sql, params).await?;
        execute_result(&result).ok_or_else(|| {
            Error::invalid_argument(
                "the statement returned rows, not rows_affected and log_offset; use query()",
            )
        })
    }
}

/// Reads the `rows_affected`, `log_offset` answer of a statement that changed state.
fn execute_result(result: &QueryResult) -> Option<ExecuteResult> {
    let [affected, offset] = result.columns.as_slice() else {
        return None;
    };
    if affected != "rows_affected" || offset != "log_offset" {
        return None;
    }
    match result.rows.as_slice() {
        [row] => match row.as_slice() {
            [Value::BigInt(rows_affected), Value::BigInt(log_offset)] => Some(ExecuteResult {
                rows_affected: u64::try_from(*rows_affected).ok()?,
                log_offset: Offset(u64::try_from(*log_offset).ok()?),
            }),
            _ => None,
        },
        _ => None,
    }
}
