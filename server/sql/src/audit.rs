//! Who asked for a statement, and why: the request's audit metadata, kept in
//! the SQL log record so the audit view can show it after any rebuild.

use serde::{Deserialize, Serialize};

/// The audit metadata of the request that ran a statement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInfo {
    /// The person or service acting.
    pub actor: Option<String>,
    /// Why they act.
    pub reason: Option<String>,
    /// An id tying the request to others.
    pub correlation_id: Option<String>,
}

impl AuditInfo {
    /// Metadata naming only an actor.
    #[must_use]
    pub fn actor(actor: &str) -> Self {
        Self {
            actor: Some(actor.to_owned()),
            ..Self::default()
        }
    }
}
