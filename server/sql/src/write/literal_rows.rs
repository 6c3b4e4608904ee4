//! The rows of `INSERT .. VALUES` whose values are all literals or `$n`
//! parameters, read straight from the syntax tree: the common bulk insert
//! then skips building, preparing and running a SQLite query of its rows.
//! Anything else (expressions, functions, subqueries) goes through SQLite.

use kimberlite_protocol::Value as WireValue;
use sqlparser::ast::{Expr, Query, SetExpr, UnaryOperator, Value};

use crate::cell::Cell;
use crate::values::param_cell;

/// The cells of each row, or `None` when SQLite must evaluate the source.
pub fn literal_rows(source: &Query, params: &[WireValue]) -> Option<Vec<Vec<Cell>>> {
    let plain = source.with.is_none()
        && source.order_by.is_none()
        && source.limit_clause.is_none()
        && source.fetch.is_none();
    let SetExpr::Values(values) = source.body.as_ref() else {
        return None;
    };
    if !plain {
        return None;
    }
    values
        .rows
        .iter()
        .map(|row| row.content.iter().map(|expr| cell(expr, params)).collect())
        .collect()
}

fn cell(expr: &Expr, params: &[WireValue]) -> Option<Cell> {
    match expr {
        Expr::Value(value) => match &value.value {
            Value::Number(text, false) => number(text, false),
            Value::SingleQuotedString(text) => Some(Cell::Text(text.clone())),
            Value::Boolean(flag) => Some(Cell::Integer(i64::from(*flag))),
            Value::Null => Some(Cell::Null),
            Value::Placeholder(name) => {
                let index: usize = name.strip_prefix('$')?.parse().ok()?;
                params.get(index.checked_sub(1)?).map(param_cell)
            }
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(value) => match &value.value {
                Value::Number(text, false) => number(text, true),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// A decimal literal as SQLite reads it: an integer when it is all digits
/// and fits, else a real; anything unusual (hex, exponent forms SQLite might
/// read differently) is left to SQLite.
fn number(text: &str, negative: bool) -> Option<Cell> {
    if text.is_empty()
        || !text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
    {
        return None;
    }
    if text.bytes().all(|byte| byte.is_ascii_digit()) {
        let signed = if negative {
            format!("-{text}")
        } else {
            text.to_owned()
        };
        if let Ok(integer) = signed.parse::<i64>() {
            return Some(Cell::Integer(integer));
        }
        return None;
    }
    let real: f64 = text.parse().ok()?;
    Some(Cell::Real(if negative { -real } else { real }))
}
