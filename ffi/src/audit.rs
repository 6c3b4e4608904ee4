//! Audit metadata (who acts, why, which operation) sent with requests; the server
//! records actor, reason and correlation id with every SQL change, in the
//! `kimberlite_audit` view.

use std::ffi::c_char;
use std::sync::Arc;

use kimberlite::Audit;

use crate::client::kmb_client;
use crate::error::kmb_error;
use crate::guard::{handle, optional_text, put_box, run, Failure};
use crate::options::kmb_options;
use crate::status::kmb_status;

/// The audit metadata of four optional strings (NULL: absent).
fn audit(
    actor: *const c_char,
    reason: *const c_char,
    correlation_id: *const c_char,
    idempotency_key: *const c_char,
) -> Result<Audit, Failure> {
    let owned = |pointer, what| Ok::<_, Failure>(optional_text(pointer, what)?.map(str::to_owned));
    Ok(Audit {
        actor: owned(actor, "actor")?,
        reason: owned(reason, "reason")?,
        correlation_id: owned(correlation_id, "correlation_id")?,
        idempotency_key: owned(idempotency_key, "idempotency_key")?,
    })
}

/// Sends this audit metadata with every request of the client; each string may be
/// NULL (absent).
#[no_mangle]
pub unsafe extern "C" fn kmb_options_set_audit(
    options: *mut kmb_options,
    actor: *const c_char,
    reason: *const c_char,
    correlation_id: *const c_char,
    idempotency_key: *const c_char,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let metadata = audit(actor, reason, correlation_id, idempotency_key)?;
        // SAFETY: NULL or a live handle not used by another thread during the call.
        let options = unsafe { options.as_mut() }.ok_or(Failure::Null("options"))?;
        options.inner.audit = Some(metadata);
        Ok(())
    })
}

/// `*out` is a new client handle on the same connection whose requests carry this
/// audit metadata instead of `client`'s (each string may be NULL: absent). Free it
/// with `kmb_client_free`; the connection closes when its last handle is freed.
#[no_mangle]
pub unsafe extern "C" fn kmb_client_with_audit(
    client: *const kmb_client,
    actor: *const c_char,
    reason: *const c_char,
    correlation_id: *const c_char,
    idempotency_key: *const c_char,
    out: *mut *mut kmb_client,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let client = handle(client, "client")?;
        let metadata = audit(actor, reason, correlation_id, idempotency_key)?;
        let derived = kmb_client {
            runtime: Arc::clone(&client.runtime),
            inner: client.inner.with_audit(metadata),
        };
        put_box(out, derived, "out")
    })
}
