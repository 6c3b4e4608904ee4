//! The one error type of the client: a numbered [`ErrorCode`], a message and a source.
//!
//! Server failures keep the server's code (`ErrorCode::Server`), numbered as on the
//! wire (0 to 31, 64 and up). Failures found by the client have their own codes from
//! 1000 (connection, timeout, protocol, ...) and from 1100 (verification), so every
//! SDK can map one number to one exception class or sentinel.

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use kimberlite_protocol::ErrorCode as ServerErrorCode;

/// Why a verified read or checkpoint was refused. Each failure has its own number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerificationFailure {
    /// A checkpoint signature by the trusted key does not verify.
    BadSignature,
    /// The checkpoint is not signed by the pinned (or first trusted) server key.
    UnknownKey,
    /// The new checkpoint is not an extension of the trusted one: history was rewritten.
    Fork,
    /// The new checkpoint is smaller than the trusted one.
    Rollback,
    /// A record is not in the tree the checkpoint commits to.
    NotIncluded,
    /// A proof, checkpoint or response does not have the expected shape.
    MalformedProof,
    /// The proof format or key type is newer or older than this client understands.
    UnsupportedVersion,
    /// The checkpoint names another log (server, tenant or stream) than the one read.
    WrongOrigin,
    /// A record does not link to the hash of the record before it.
    BrokenChain,
    /// The trusted state on disk does not parse or does not verify.
    CorruptTrustedState,
}

impl VerificationFailure {
    /// Every failure, in number order.
    pub const ALL: [Self; 10] = [
        Self::BadSignature,
        Self::UnknownKey,
        Self::Fork,
        Self::Rollback,
        Self::NotIncluded,
        Self::MalformedProof,
        Self::UnsupportedVersion,
        Self::WrongOrigin,
        Self::BrokenChain,
        Self::CorruptTrustedState,
    ];

    /// The failure's name, e.g. `"Fork"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadSignature => "BadSignature",
            Self::UnknownKey => "UnknownKey",
            Self::Fork => "Fork",
            Self::Rollback => "Rollback",
            Self::NotIncluded => "NotIncluded",
            Self::MalformedProof => "MalformedProof",
            Self::UnsupportedVersion => "UnsupportedVersion",
            Self::WrongOrigin => "WrongOrigin",
            Self::BrokenChain => "BrokenChain",
            Self::CorruptTrustedState => "CorruptTrustedState",
        }
    }
}

/// The first number of the client-side codes.
pub const FIRST_CLIENT_CODE: u32 = 1000;
/// The first number of the verification codes.
pub const FIRST_VERIFICATION_CODE: u32 = 1100;

/// What went wrong, as a stable number ([`ErrorCode::number`]) and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The server answered with this error code (number = wire index).
    Server(ServerErrorCode),
    /// 1000: the connection could not be made or was lost.
    Connection,
    /// 1001: the server did not answer in time.
    Timeout,
    /// 1002: the server sent bytes that break the protocol.
    Protocol,
    /// 1003: the server does not support the operation (an extension is missing).
    Unsupported,
    /// 1004: an argument was refused before anything was sent.
    InvalidArgument,
    /// 1005: the trusted-state directory could not be read or written.
    TrustedState,
    /// 1100 and up: a verification failure.
    Verification(VerificationFailure),
}

impl ErrorCode {
    /// The stable number of the code.
    #[must_use]
    pub const fn number(self) -> u32 {
        match self {
            Self::Server(code) => code.index(),
            Self::Connection => FIRST_CLIENT_CODE,
            Self::Timeout => FIRST_CLIENT_CODE + 1,
            Self::Protocol => FIRST_CLIENT_CODE + 2,
            Self::Unsupported => FIRST_CLIENT_CODE + 3,
            Self::InvalidArgument => FIRST_CLIENT_CODE + 4,
            Self::TrustedState => FIRST_CLIENT_CODE + 5,
            Self::Verification(failure) => FIRST_VERIFICATION_CODE + failure as u32,
        }
    }

    /// The code with this number, if there is one.
    #[must_use]
    pub fn from_number(number: u32) -> Option<Self> {
        if let Some(code) = ServerErrorCode::from_index(number) {
            return Some(Self::Server(code));
        }
        let client = [
            Self::Connection,
            Self::Timeout,
            Self::Protocol,
            Self::Unsupported,
            Self::InvalidArgument,
            Self::TrustedState,
        ];
        let verification = VerificationFailure::ALL.map(Self::Verification);
        client
            .into_iter()
            .chain(verification)
            .find(|code| code.number() == number)
    }

    /// The code's name, e.g. `"OffsetMismatch"`, `"Timeout"` or `"Fork"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Server(code) => code.as_str(),
            Self::Connection => "Connection",
            Self::Timeout => "Timeout",
            Self::Protocol => "Protocol",
            Self::Unsupported => "Unsupported",
            Self::InvalidArgument => "InvalidArgument",
            Self::TrustedState => "TrustedState",
            Self::Verification(failure) => failure.as_str(),
        }
    }

    /// Whether the same call may succeed if simply made again: retryable server
    /// codes, a lost connection and a timeout (appends stay safe to retry because
    /// their expected offset makes a duplicate fail with `OffsetMismatch`).
    #[must_use]
    pub const fn is_retryable(self) -> bool {
        match self {
            Self::Server(code) => code.is_retryable(),
            Self::Connection | Self::Timeout => true,
            _ => false,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// A failed client call. Cheap to clone (one failure may end several calls).
#[derive(Clone)]
#[non_exhaustive]
pub struct Error {
    code: ErrorCode,
    message: String,
    source: Option<Source>,
}

/// The result of a client call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with `code` and `message`.
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            source: None,
        }
    }

    /// The same error, caused by `source`.
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// An error the server answered.
    #[must_use]
    pub fn server(code: ServerErrorCode, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Server(code), message)
    }

    /// A verification failure.
    #[must_use]
    pub fn verification(failure: VerificationFailure, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Verification(failure), message)
    }

    pub(crate) fn connection(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Connection, message)
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Protocol, message)
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// The numbered code.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable explanation (without the code name).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The server's code, when the server answered with an error.
    #[must_use]
    pub const fn server_code(&self) -> Option<ServerErrorCode> {
        match self.code {
            ErrorCode::Server(code) => Some(code),
            _ => None,
        }
    }

    /// The verification failure, when verification refused an answer.
    #[must_use]
    pub const fn verification_failure(&self) -> Option<VerificationFailure> {
        match self.code {
            ErrorCode::Verification(failure) => Some(failure),
            _ => None,
        }
    }

    /// Whether the same call may succeed if simply made again
    /// (see [`ErrorCode::is_retryable`]).
    #[must_use]
    pub const fn is_retryable(&self) -> bool {
        self.code.is_retryable()
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code)
            .field("number", &self.code.number())
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}
