//! Errors as JavaScript sees them: the reason starts with `[<ErrorCode name>]`, which
//! `index.js` turns into a `KimberliteError` whose `code` is that name.

use napi_derive::napi;

/// Converts a client error into a napi error carrying the code name, the message and
/// the chain of causes.
pub fn to_napi(error: &kimberlite::Error) -> napi::Error {
    let mut reason = format!("[{}] {}", error.code().name(), error.message());
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    napi::Error::from_reason(reason)
}

/// An argument refused before anything is sent (`InvalidArgument`).
pub fn invalid_argument(message: impl std::fmt::Display) -> napi::Error {
    let code = kimberlite::ErrorCode::InvalidArgument;
    napi::Error::from_reason(format!("[{}] {message}", code.name()))
}

/// Maps a client result to a napi result.
pub fn check<T>(result: kimberlite::Result<T>) -> napi::Result<T> {
    result.map_err(|error| to_napi(&error))
}

/// One error code of the client.
#[napi(object)]
pub struct ErrorCodeInfo {
    /// The code's name, the `code` of a `KimberliteError` (e.g. `OffsetMismatch`).
    pub name: String,
    /// The code's stable number (docs/client.md, section 3).
    pub number: u32,
    /// Whether the same call may succeed if simply made again.
    pub retryable: bool,
}

/// Every error code the client can report, with its number and retryability.
#[napi]
#[must_use]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    (0..2000)
        .filter_map(kimberlite::ErrorCode::from_number)
        .map(|code| ErrorCodeInfo {
            name: code.name().to_owned(),
            number: code.number(),
            retryable: code.is_retryable(),
        })
        .collect()
}
