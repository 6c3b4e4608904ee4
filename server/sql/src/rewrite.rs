//! Rewrites a query's table names into subqueries over the history tables
//! that select the rows visible at one position, and `$n` parameters into
//! SQLite's `?n`. Anything else a name could reach (SQLite internals, other
//! schemas, table functions) is refused here, before SQLite sees the query.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Query, TableAlias, TableFactor, Value, VisitMut, VisitorMut};
use sqlparser::parser::Parser;

use crate::error::SqlError;
use crate::front::{ident_name, object_name, DIALECT};
use crate::store::TenantStore;

/// The audit view's name.
pub const AUDIT_VIEW: &str = "kimberlite_audit";

/// Which rows a rewritten query sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// The current rows.
    Current,
    /// The rows at this SQL log position (-1: before the first record).
    At(i64),
}

impl Visibility {
    /// The condition on a history table's rows.
    #[must_use]
    pub fn filter(self) -> String {
        match self {
            Self::Current => "kmb_to IS NULL".to_owned(),
            Self::At(position) => {
                format!("kmb_from <= {position} AND (kmb_to IS NULL OR kmb_to > {position})")
            }
        }
    }
}

struct Rewriter<'a> {
    store: &'a TenantStore,
    visibility: Visibility,
    with_row_ids: bool,
    cte_names: BTreeSet<String>,
    error: Option<SqlError>,
}

/// Rewrites `query` in place to read the tenant's rows as `visibility` says;
/// with `with_row_ids` each table also yields its hidden `kmb_row`.
pub fn rewrite_query(
    store: &TenantStore,
    query: &mut Query,
    visibility: Visibility,
    with_row_ids: bool,
) -> Result<(), SqlError> {
    let mut rewriter = Rewriter {
        store,
        visibility,
        with_row_ids,
        cte_names: BTreeSet::new(),
        error: None,
    };
    let _flow = query.visit(&mut rewriter);
    match rewriter.error {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

fn placeholder(value: &mut Value) {
    if let Value::Placeholder(text) = value {
        if let Some(number) = text.strip_prefix('$') {
            if number.bytes().all(|byte| byte.is_ascii_digit()) {
                *text = format!("?{number}");
            }
        }
    }
}

impl Rewriter<'_> {
    fn subquery(&self, name: &str) -> Result<Query, SqlError> {
        let sql = if name == AUDIT_VIEW {
            let filter = match self.visibility {
                Visibility::Current => "1 = 1".to_owned(),
                Visibility::At(position) => format!("position <= {position}"),
            };
            format!(
                "SELECT position, timestamp, actor, reason, correlation_id, statement, \
                 table_name, rows_affected FROM kmb_audit WHERE {filter}"
            )
        } else {
            let entry = match self.visibility {
                Visibility::Current => self.store.table(name).cloned(),
                Visibility::At(position) => self.store.table_at(name, position)?,
            };
            let entry = entry.ok_or_else(|| SqlError::TableNotFound(name.to_owned()))?;
            entry.select_sql(&self.visibility.filter(), self.with_row_ids)
        };
        let mut parser = Parser::new(&DIALECT)
            .try_with_sql(&sql)
            .map_err(|error| SqlError::from_parser(&error))?;
        parser
            .parse_query()
            .map(|query| *query)
            .map_err(|error| SqlError::from_parser(&error))
    }

    fn replace(&self, factor: &mut TableFactor) -> Result<(), SqlError> {
        let TableFactor::Table {
            name, alias, args, ..
        } = factor
        else {
            return Ok(());
        };
        if args.is_some() {
            return Err(SqlError::Forbidden(format!("table function {name}")));
        }
        let table = object_name(name)?;
        if self.cte_names.contains(&table) {
            return Ok(());
        }
        let subquery = self.subquery(&table)?;
        let alias = alias.clone().unwrap_or(TableAlias {
            explicit: true,
            name: Ident::with_quote('"', table),
            columns: Vec::new(),
            at: None,
        });
        *factor = TableFactor::Derived {
            lateral: false,
            subquery: Box::new(subquery),
            alias: Some(alias),
            sample: None,
        };
        Ok(())
    }
}

impl VisitorMut for Rewriter<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.cte_names.insert(ident_name(&cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        match self.replace(factor) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                self.error = Some(error);
                ControlFlow::Break(())
            }
        }
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Value(value) = expr {
            placeholder(&mut value.value);
        }
        ControlFlow::Continue(())
    }
}
