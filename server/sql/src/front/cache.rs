//! Parsed statements by their text, so that a statement sent again and again
//! with other parameters (the usual way to write) is tokenized and parsed
//! once. Parsing depends on the text alone, never on the tenant or its
//! catalog, so one cache serves every tenant.

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{parse, Parsed};
use crate::bounded::BoundedMap;
use crate::error::SqlError;

/// Statements kept (see [`BoundedMap`] for what happens when full).
const CAPACITY: usize = 512;

/// Texts longer than this are parsed every time: large statements (bulk
/// INSERTs) are rarely sent twice, and would hold memory.
pub(crate) const MAX_TEXT_BYTES: usize = 2048;

/// A bounded map from statement text to its parse.
#[derive(Debug)]
pub struct ParseCache {
    entries: Mutex<BoundedMap<String, Arc<Parsed>>>,
}

impl Default for ParseCache {
    fn default() -> Self {
        Self {
            entries: Mutex::new(BoundedMap::new(CAPACITY)),
        }
    }
}

impl ParseCache {
    /// The parse of `sql`, from the cache when it was parsed before. Errors
    /// are not kept.
    pub fn parse(&self, sql: &str) -> Result<Arc<Parsed>, SqlError> {
        if sql.len() > MAX_TEXT_BYTES {
            return parse(sql).map(Arc::new);
        }
        if let Some(found) = self.lock().get(sql) {
            return Ok(Arc::clone(found));
        }
        let parsed = Arc::new(parse(sql)?);
        self.lock().insert(sql.to_owned(), Arc::clone(&parsed));
        Ok(parsed)
    }

    fn lock(&self) -> MutexGuard<'_, BoundedMap<String, Arc<Parsed>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
