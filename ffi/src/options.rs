//! Connection options, built up by setters before `kmb_client_connect`.

use std::ffi::c_char;
use std::time::Duration;

use kimberlite::{ConnectOptions, TenantId};

use crate::error::kmb_error;
use crate::guard::{free_box, run, run_plain, text, Failure};
use crate::status::kmb_status;

/// Options of a connection; free with `kmb_options_free` (a connected client keeps a
/// copy, so the options may be freed right after connecting).
#[derive(Debug)]
pub struct kmb_options {
    pub(crate) inner: ConnectOptions,
}

fn with_options(
    options: *mut kmb_options,
    error: *mut *mut kmb_error,
    change: impl FnOnce(&mut ConnectOptions) -> Result<(), Failure>,
) -> kmb_status {
    run(error, || {
        // SAFETY: NULL or a live handle not used by another thread during the call.
        let options = unsafe { options.as_mut() }.ok_or(Failure::Null("options"))?;
        change(&mut options.inner)
    })
}

/// Defaults for `tenant_id`: no token, no TLS, 10 s to connect, 30 s per request,
/// trust on first use kept in memory, 3 reconnect attempts. NULL only on a panic.
#[no_mangle]
pub extern "C" fn kmb_options_new(tenant_id: u64) -> *mut kmb_options {
    run_plain(std::ptr::null_mut(), || {
        let inner = ConnectOptions::new(TenantId(tenant_id));
        Box::into_raw(Box::new(kmb_options { inner }))
    })
}

/// Sends this API key or admin token in the handshake.
#[no_mangle]
pub unsafe extern "C" fn kmb_options_set_auth_token(
    options: *mut kmb_options,
    token: *const c_char,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_options(options, error, |inner| {
        inner.auth_token = Some(text(token, "token")?.to_owned());
        Ok(())
    })
}

/// Keeps trusted keys and checkpoints in this directory (the format of core's
/// `TrustedStateDir`, shared with every SDK).
#[no_mangle]
pub unsafe extern "C" fn kmb_options_set_state_directory(
    options: *mut kmb_options,
    directory: *const c_char,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_options(options, error, |inner| {
        inner.state_directory = Some(text(directory, "directory")?.into());
        Ok(())
    })
}

/// Accepts only checkpoints signed by this verifier key (`name+keyid+base64`).
#[no_mangle]
pub unsafe extern "C" fn kmb_options_set_pinned_server_key(
    options: *mut kmb_options,
    verifier_key: *const c_char,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_options(options, error, |inner| {
        let key = text(verifier_key, "verifier_key")?.to_owned();
        inner.server_key = kimberlite::ServerKeyTrust::Pinned(key);
        Ok(())
    })
}

/// Sets the connect and per-request timeouts, in milliseconds (0 keeps the current).
#[no_mangle]
pub unsafe extern "C" fn kmb_options_set_timeouts(
    options: *mut kmb_options,
    connect_timeout_ms: u64,
    request_timeout_ms: u64,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_options(options, error, |inner| {
        if connect_timeout_ms > 0 {
            inner.connect_timeout = Duration::from_millis(connect_timeout_ms);
        }
        if request_timeout_ms > 0 {
            inner.request_timeout = Duration::from_millis(request_timeout_ms);
        }
        Ok(())
    })
}

/// Sets the connection attempts per call after a drop (at least 1) and the first
/// backoff in milliseconds.
#[no_mangle]
pub unsafe extern "C" fn kmb_options_set_reconnect(
    options: *mut kmb_options,
    attempts: u32,
    backoff_ms: u64,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_options(options, error, |inner| {
        inner.reconnect_attempts = attempts.max(1);
        inner.reconnect_backoff = Duration::from_millis(backoff_ms);
        Ok(())
    })
}

/// Releases options; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_options_free(options: *mut kmb_options) {
    free_box(options);
}
