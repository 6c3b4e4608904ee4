//! The numbered error codes of `Response::Error`, encoded as their index.
//!
//! Codes 0 to 31 are protocol version 5 (30 and 31 only since the 0.9.1 clients).
//! Codes from 64 up are Kimberlite extensions, sent only to a client that enabled
//! [`crate::capability::ERRORS`]; [`ErrorCode::for_plain_client`] maps them back.
//! The serde impls are written by hand because the indices are not contiguous.

#[cfg(test)]
mod tests;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident = $index:literal,)*) => {
        /// Why a request failed; stable numbers shared by every client.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u32)]
        pub enum ErrorCode {
            $($(#[$doc])* $name = $index,)*
        }

        impl ErrorCode {
            /// Every code, in index order.
            pub const ALL: &'static [Self] = &[$(Self::$name,)*];

            /// The code with wire index `index`, if there is one.
            #[must_use]
            pub const fn from_index(index: u32) -> Option<Self> {
                match index {
                    $($index => Some(Self::$name),)*
                    _ => None,
                }
            }

            /// The code's name, e.g. `"OffsetMismatch"`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$name => stringify!($name),)*
                }
            }

            /// The code with this name, if there is one.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some(Self::$name),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    /// A failure without a better code.
    Unknown = 0,
    /// A bug or unexpected state in the server.
    InternalError = 1,
    /// The request is malformed or not allowed in this state.
    InvalidRequest = 2,
    /// The token is invalid, missing, or may not use the tenant.
    AuthenticationFailed = 3,
    /// The tenant does not exist.
    TenantNotFound = 4,
    /// The stream does not exist.
    StreamNotFound = 5,
    /// The SQL table does not exist.
    TableNotFound = 6,
    /// The SQL text does not parse.
    QueryParseError = 7,
    /// The SQL statement failed while running.
    QueryExecutionError = 8,
    /// A QueryAt position beyond the end of the log.
    PositionAhead = 9,
    /// A stream of that name already exists.
    StreamAlreadyExists = 10,
    /// An offset outside the stream.
    InvalidOffset = 11,
    /// The storage layer failed.
    StorageError = 12,
    /// A projection has not caught up yet; retry.
    ProjectionLag = 13,
    /// Too many requests; retry later.
    RateLimited = 14,
    /// This node is not the leader; retry (elsewhere).
    NotLeader = 15,
    /// AppendEvents' expected offset is not the stream's length.
    OffsetMismatch = 16,
    /// The subscription does not exist.
    SubscriptionNotFound = 17,
    /// The subscription was closed.
    SubscriptionClosed = 18,
    /// The subscriber fell too far behind.
    SubscriptionBackpressure = 19,
    /// The API key does not exist.
    ApiKeyNotFound = 20,
    /// A tenant with that id already exists.
    TenantAlreadyExists = 21,
    /// Compliance: consent record not found.
    ConsentNotFound = 22,
    /// Compliance: consent has expired.
    ConsentExpired = 23,
    /// Compliance: erasure request not found.
    ErasureNotFound = 24,
    /// Compliance: erasure already complete.
    ErasureAlreadyComplete = 25,
    /// Compliance: data exempt from erasure.
    ErasureExempt = 26,
    /// Compliance: breach record not found.
    BreachNotFound = 27,
    /// Compliance: export not found.
    ExportNotFound = 28,
    /// A SQL unique constraint would be violated.
    UniqueConstraintViolation = 29,
    /// The tenant id is too large (0.9.1 clients and later only).
    TenantIdTooLarge = 30,
    /// A row's version chain is too long (0.9.1 clients and later only).
    RowVersionChainTooLarge = 31,
    /// Extension: the request needs an extension this connection has not enabled.
    ExtensionNotEnabled = 64,
    /// Extension: the key is valid but may not perform this operation.
    PermissionDenied = 65,
    /// Extension: the sizes of a requested proof are out of range.
    InvalidProofRange = 66,
    /// Extension: the server cannot produce a verifiable answer (no signing key).
    VerificationUnavailable = 67,
}

/// The first index of Kimberlite's own codes.
pub const FIRST_EXTENSION_CODE: u32 = 64;

impl ErrorCode {
    /// The wire index of the code.
    #[must_use]
    pub const fn index(self) -> u32 {
        self as u32
    }

    /// Whether the same request may succeed if simply retried later.
    #[must_use]
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::NotLeader | Self::ProjectionLag
        )
    }

    /// Whether this is a Kimberlite extension code (index 64 or more).
    #[must_use]
    pub const fn is_extension(self) -> bool {
        self.index() >= FIRST_EXTENSION_CODE
    }

    /// The code to send to a client that has not enabled extension codes: the
    /// code itself for a version 5 code, else the closest version 5 code.
    #[must_use]
    pub const fn for_plain_client(self) -> Self {
        match self {
            Self::ExtensionNotEnabled | Self::InvalidProofRange => Self::InvalidRequest,
            Self::PermissionDenied => Self::AuthenticationFailed,
            Self::VerificationUnavailable => Self::InternalError,
            other => other,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit_variant("ErrorCode", self.index(), self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_enum("ErrorCode", &[], ErrorCodeVisitor)
    }
}

struct ErrorCodeVisitor;

impl<'de> Visitor<'de> for ErrorCodeVisitor {
    type Value = ErrorCode;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an error code index")
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        use de::VariantAccess;
        let (index, variant) = data.variant::<u32>()?;
        let code = ErrorCode::from_index(index).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Unsigned(index.into()), &self)
        })?;
        variant.unit_variant()?;
        Ok(code)
    }
}
