//! The frame of every exported call: `catch_unwind`, the out-pointer error, and the
//! checked reading of C arguments (NULL and UTF-8 rules).

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::kmb_error;
use crate::status::kmb_status;

/// Why a call failed, before it becomes a `kmb_error`.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The client's error.
    Client(kimberlite::Error),
    /// This argument was NULL.
    Null(&'static str),
    /// This argument was not UTF-8.
    Utf8(&'static str),
    /// The call's cancel handle fired.
    Cancelled,
    /// A panic, with its message.
    Panic(String),
}

impl From<kimberlite::Error> for Failure {
    fn from(error: kimberlite::Error) -> Self {
        Self::Client(error)
    }
}

/// The result of a call body.
pub(crate) type Outcome = Result<(), Failure>;

/// Runs `body` behind `catch_unwind` and reports its failure through `error`.
pub(crate) fn run(error: *mut *mut kmb_error, body: impl FnOnce() -> Outcome) -> kmb_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return kmb_status::KMB_OK,
        Ok(Err(failure)) => failure,
        Err(panic) => Failure::Panic(panic_message(panic.as_ref())),
    };
    let (status, object) = kmb_error::from_failure(&failure);
    if !error.is_null() {
        // SAFETY: a non-NULL `error` points to writable storage for one pointer, as
        // the header requires of every `kmb_error **`.
        unsafe { error.write(Box::into_raw(Box::new(object))) };
    }
    status
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

/// Runs `body` (which cannot fail) behind `catch_unwind`, with `fallback` on panic.
pub(crate) fn run_plain<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// A required handle.
pub(crate) fn handle<'a, T>(pointer: *const T, what: &'static str) -> Result<&'a T, Failure> {
    // SAFETY: a non-NULL handle is a live object of this library (header rule); it
    // outlives the call because the caller may not free it during the call.
    unsafe { pointer.as_ref() }.ok_or(Failure::Null(what))
}

/// A required NUL-terminated UTF-8 string.
pub(crate) fn text<'a>(pointer: *const c_char, what: &'static str) -> Result<&'a str, Failure> {
    optional_text(pointer, what)?.ok_or(Failure::Null(what))
}

/// An optional NUL-terminated UTF-8 string (NULL gives None).
pub(crate) fn optional_text<'a>(
    pointer: *const c_char,
    what: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if pointer.is_null() {
        return Ok(None);
    }
    // SAFETY: a non-NULL string is NUL-terminated and live for the call (header rule).
    let bytes = unsafe { CStr::from_ptr(pointer) };
    bytes.to_str().map(Some).map_err(|_| Failure::Utf8(what))
}

/// `len` bytes at `data` (NULL is allowed when `len` is 0).
pub(crate) fn bytes<'a>(
    data: *const u8,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8], Failure> {
    slice(data, len, what)
}

/// `len` items at `data` (NULL is allowed when `len` is 0).
pub(crate) fn slice<'a, T>(
    data: *const T,
    len: usize,
    what: &'static str,
) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(Failure::Null(what));
    }
    // SAFETY: `data` points to `len` initialised items the caller keeps alive and
    // unchanged for the call (header rule).
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// Writes `value` through a required out-pointer.
pub(crate) fn put<T>(out: *mut T, value: T, what: &'static str) -> Outcome {
    if out.is_null() {
        return Err(Failure::Null(what));
    }
    // SAFETY: a non-NULL out-pointer points to writable storage for one T.
    unsafe { out.write(value) };
    Ok(())
}

/// Hands an owned object to the caller through a required `T **`.
pub(crate) fn put_box<T>(out: *mut *mut T, value: T, what: &'static str) -> Outcome {
    put(out, Box::into_raw(Box::new(value)), what)
}

/// Checks an out-pointer before a call with effects is made.
pub(crate) fn require_out<T>(out: *mut T, what: &'static str) -> Outcome {
    if out.is_null() {
        Err(Failure::Null(what))
    } else {
        Ok(())
    }
}

/// Frees a handle made by `put_box`; NULL is ignored.
pub(crate) fn free_box<T>(pointer: *mut T) {
    if !pointer.is_null() {
        // SAFETY: a non-NULL handle came from Box::into_raw here and is freed once.
        drop(unsafe { Box::from_raw(pointer) });
    }
}

/// A 32-byte hash from a caller's pointer.
pub(crate) fn hash(pointer: *const u8, what: &'static str) -> Result<kimberlite::Hash, Failure> {
    let bytes = slice(pointer, 32, what)?;
    let mut hash = [0_u8; 32];
    hash.copy_from_slice(bytes);
    Ok(kimberlite::Hash(hash))
}

/// Copies a hash into 32 bytes the caller owns.
pub(crate) fn put_hash(out: *mut u8, hash: &kimberlite::Hash, what: &'static str) -> Outcome {
    if out.is_null() {
        return Err(Failure::Null(what));
    }
    // SAFETY: a non-NULL hash out-pointer points to 32 writable bytes (header rule).
    unsafe { std::ptr::copy_nonoverlapping(hash.0.as_ptr(), out, 32) };
    Ok(())
}

/// An argument refused by this library, with the client's `InvalidArgument` code.
pub(crate) fn invalid(message: impl Into<String>) -> Failure {
    Failure::Client(kimberlite::Error::new(
        kimberlite::ErrorCode::InvalidArgument,
        message,
    ))
}
