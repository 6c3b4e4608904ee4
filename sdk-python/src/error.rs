//! Turns core's [`kimberlite::Error`] into the Python exception of its code.
//!
//! The classes live in `kimberlite/errors.py` (one per `ErrorCode`, under
//! `KimberliteError`); this module only hands over the number, name, message and
//! retryability, so the mapping from a number to a class is written once.

use kimberlite::{Error, ErrorCode, ServerErrorCode, VerificationFailure};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The exception for a core error.
pub fn to_py(error: &Error) -> PyErr {
    Python::attach(|py| {
        let code = error.code();
        let mut message = error.message().to_owned();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        build(
            py,
            code.number(),
            code.name(),
            &message,
            error.is_retryable(),
        )
    })
}

/// An `InvalidArgumentError` (a `ValueError`) found by the binding itself.
pub fn invalid_argument(message: impl Into<String>) -> PyErr {
    to_py(&Error::new(ErrorCode::InvalidArgument, message))
}

/// A `TypeError` that is also an `InvalidArgumentError`.
pub fn argument_type(message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::attach(|py| raise(py, "ArgumentTypeError", message))
}

/// A client used in a process other than the one that created it (after `fork`).
pub fn forked(created_in: u32) -> PyErr {
    let message = format!(
        "this client was created in process {created_in}; after fork() the child process \
         must create its own client"
    );
    Python::attach(|py| raise(py, "ForkedProcessError", message))
}

fn raise(py: Python<'_>, class: &str, message: String) -> PyErr {
    match lookup(py, class).and_then(|class| class.call1((message,))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(error) => error,
    }
}

/// A call on a client after `close()`.
pub fn closed() -> PyErr {
    to_py(&Error::new(ErrorCode::Connection, "the client is closed"))
}

fn lookup<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("kimberlite.errors")?.getattr(name)
}

fn build(py: Python<'_>, number: u32, name: &str, message: &str, retryable: bool) -> PyErr {
    let made = lookup(py, "_from_native")
        .and_then(|factory| factory.call1((number, name, message, retryable)));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(error) => error,
    }
}

/// Every code as `(number, name, kind)`, kind being `server`, `client` or
/// `verification`; the Python tests check that each has its own class.
#[pyfunction]
pub fn error_codes(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyTuple>>> {
    let server = ServerErrorCode::ALL
        .iter()
        .map(|code| (ErrorCode::Server(*code), "server"));
    let client = [
        ErrorCode::Connection,
        ErrorCode::Timeout,
        ErrorCode::Protocol,
        ErrorCode::Unsupported,
        ErrorCode::InvalidArgument,
        ErrorCode::TrustedState,
    ]
    .into_iter()
    .map(|code| (code, "client"));
    let verification = VerificationFailure::ALL
        .into_iter()
        .map(|failure| (ErrorCode::Verification(failure), "verification"));
    server
        .chain(client)
        .chain(verification)
        .map(|(code, kind)| (code.number(), code.name(), kind).into_pyobject(py))
        .collect()
}
