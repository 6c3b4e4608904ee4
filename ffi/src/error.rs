//! The error object handed out through `kmb_error **`: a code, its name, a message
//! (with the cause chain) and whether a retry may succeed.

use std::ffi::{c_char, CStr, CString};

use crate::guard::Failure;
use crate::status::{kmb_status, KMB_CODE_CANCELLED, KMB_CODE_INVALID_ARGUMENT, KMB_CODE_PANIC};

/// A failure, owned by the caller and released with `kmb_error_free`.
#[derive(Debug)]
pub struct kmb_error {
    code: u32,
    name: CString,
    message: CString,
    retryable: bool,
}

/// Text with any NUL byte replaced, so it always fits a C string.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

impl kmb_error {
    /// The error object and status of a failure.
    pub(crate) fn from_failure(failure: &Failure) -> (kmb_status, Self) {
        let (status, code, name, message, retryable) = match failure {
            Failure::Client(error) => {
                let message = full_message(error);
                let code = error.code();
                (
                    kmb_status::KMB_ERROR,
                    code.number(),
                    code.name(),
                    message,
                    error.is_retryable(),
                )
            }
            Failure::Null(what) => (
                kmb_status::KMB_NULL_ARGUMENT,
                KMB_CODE_INVALID_ARGUMENT,
                "InvalidArgument",
                format!("{what} must not be NULL"),
                false,
            ),
            Failure::Utf8(what) => (
                kmb_status::KMB_INVALID_UTF8,
                KMB_CODE_INVALID_ARGUMENT,
                "InvalidArgument",
                format!("{what} is not valid UTF-8"),
                false,
            ),
            Failure::Cancelled => (
                kmb_status::KMB_CANCELLED,
                KMB_CODE_CANCELLED,
                "Cancelled",
                "the call was cancelled".to_owned(),
                false,
            ),
            Failure::Panic(message) => (
                kmb_status::KMB_PANIC,
                KMB_CODE_PANIC,
                "Panic",
                format!("a bug in the Kimberlite library: {message}"),
                false,
            ),
        };
        let error = Self {
            code,
            name: c_string(name),
            message: c_string(&message),
            retryable,
        };
        (status, error)
    }
}

/// The message followed by each source's, joined with ": ".
fn full_message(error: &kimberlite::Error) -> String {
    let mut message = error.message().to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

static EMPTY: &CStr = c"";

/// The error's number: the client's `ErrorCode` number (server codes 0-127, client
/// codes from 1000, verification codes from 1100) or a `KMB_CODE_*`. 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn kmb_error_code(error: *const kmb_error) -> u32 {
    // SAFETY: the caller passes NULL or a live error from this library.
    unsafe { error.as_ref() }.map_or(0, |error| error.code)
}

/// The code's name, e.g. `"OffsetMismatch"`; borrowed until `kmb_error_free`.
#[no_mangle]
pub unsafe extern "C" fn kmb_error_name(error: *const kmb_error) -> *const c_char {
    // SAFETY: the caller passes NULL or a live error from this library.
    unsafe { error.as_ref() }.map_or(EMPTY.as_ptr(), |error| error.name.as_ptr())
}

/// The message with its causes; borrowed until `kmb_error_free`.
#[no_mangle]
pub unsafe extern "C" fn kmb_error_message(error: *const kmb_error) -> *const c_char {
    // SAFETY: the caller passes NULL or a live error from this library.
    unsafe { error.as_ref() }.map_or(EMPTY.as_ptr(), |error| error.message.as_ptr())
}

/// Whether the same call may succeed if made again.
#[no_mangle]
pub unsafe extern "C" fn kmb_error_is_retryable(error: *const kmb_error) -> bool {
    // SAFETY: the caller passes NULL or a live error from this library.
    unsafe { error.as_ref() }.is_some_and(|error| error.retryable)
}

/// Releases an error; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_error_free(error: *mut kmb_error) {
    if !error.is_null() {
        // SAFETY: a non-NULL error came from Box::into_raw in this library and is
        // freed once, as the header requires.
        drop(unsafe { Box::from_raw(error) });
    }
}

/// Releases a string this library returned through a `char **`; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_string_free(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: a non-NULL string came from CString::into_raw in this library.
        drop(unsafe { CString::from_raw(text) });
    }
}
