//! `kimberlite.Audit`: the audit metadata a client sends with its requests (core's
//! [`kimberlite::Audit`]). The server records actor, reason and correlation id with
//! every SQL change, readable in the `kimberlite_audit` view.

use pyo3::prelude::*;

/// Who acts, why, and which operation; every field is optional.
#[pyclass(frozen, eq, get_all, module = "kimberlite")]
#[derive(Clone, PartialEq, Eq)]
pub struct Audit {
    /// The user or service on whose behalf requests are made.
    pub actor: Option<String>,
    /// Why (for example a purpose of use).
    pub reason: Option<String>,
    /// An id tying the requests of one operation together.
    pub correlation_id: Option<String>,
    /// A key the server may use to recognise a retried request.
    pub idempotency_key: Option<String>,
}

#[pymethods]
impl Audit {
    #[new]
    #[pyo3(signature = (*, actor = None, reason = None, correlation_id = None,
        idempotency_key = None))]
    fn new(
        actor: Option<String>,
        reason: Option<String>,
        correlation_id: Option<String>,
        idempotency_key: Option<String>,
    ) -> Self {
        Self {
            actor,
            reason,
            correlation_id,
            idempotency_key,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Audit(actor={:?}, reason={:?}, correlation_id={:?}, idempotency_key={:?})",
            self.actor, self.reason, self.correlation_id, self.idempotency_key
        )
    }
}

impl From<Audit> for kimberlite::Audit {
    fn from(audit: Audit) -> Self {
        Self {
            actor: audit.actor,
            reason: audit.reason,
            correlation_id: audit.correlation_id,
            idempotency_key: audit.idempotency_key,
        }
    }
}

impl From<&kimberlite::Audit> for Audit {
    fn from(audit: &kimberlite::Audit) -> Self {
        Self {
            actor: audit.actor.clone(),
            reason: audit.reason.clone(),
            correlation_id: audit.correlation_id.clone(),
            idempotency_key: audit.idempotency_key.clone(),
        }
    }
}
