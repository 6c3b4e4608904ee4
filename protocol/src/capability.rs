//! Extension capabilities: the names a server advertises in
//! `HandshakeResponse.capabilities` and a client enables with `EnableExtensions`.
//!
//! A connection starts with nothing enabled, and until then the server sends
//! only what a plain protocol v5 client decodes. [`CapabilitySet`] records what
//! a connection enabled and tells whether a request may be served and a
//! response may be sent as it is.

#[cfg(test)]
mod tests;

use crate::message::{QueryResponse, RequestPayload, ResponsePayload};
use crate::value::Value;

/// The extension mechanism itself: `EnableExtensions` (#64) and `ServerInfo` (#65).
pub const EXT: &str = "kmb.ext/1";
/// Verified reads, checkpoints and consistency proofs (#66 to #68).
pub const VERIFY: &str = "kmb.verify/1";
/// Verified reads answered with one range proof for the run (#74); needs [`VERIFY`]
/// for checkpoints and consistency proofs.
pub const VERIFY_RANGE: &str = "kmb.verify/2";
/// Tenant and API key administration (#69 to #73).
pub const ADMIN: &str = "kmb.admin/1";
/// Value kinds from 64 up (`Real`, `Bytes`, `Decimal`, ...).
pub const VALUES: &str = "kmb.values/1";
/// Error codes from 64 up.
pub const ERRORS: &str = "kmb.errors/1";

/// Every capability this crate knows, in a fixed order.
pub const ALL: [&str; 6] = [EXT, VERIFY, ADMIN, VALUES, ERRORS, VERIFY_RANGE];

/// A set of known capabilities; unknown names are ignored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CapabilitySet(u8);

impl CapabilitySet {
    /// No capability: a plain v5 connection.
    pub const NONE: Self = Self(0);
    /// Every known capability.
    pub const ALL: Self = Self((1 << ALL.len()) - 1);

    fn bit(name: &str) -> Option<u8> {
        ALL.iter()
            .position(|known| *known == name)
            .map(|index| 1 << index)
    }

    /// The known names among `names`.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self(
            names
                .into_iter()
                .filter_map(Self::bit)
                .fold(0, |set, bit| set | bit),
        )
    }

    /// Whether `name` is in the set.
    #[must_use]
    pub fn contains(self, name: &str) -> bool {
        Self::bit(name).is_some_and(|bit| self.0 & bit != 0)
    }

    /// Adds `name`; false if it is not a known capability.
    pub fn insert(&mut self, name: &str) -> bool {
        Self::bit(name).inspect(|bit| self.0 |= bit).is_some()
    }

    /// The capabilities in both sets.
    #[must_use]
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The capabilities in either set.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names in the set, in the order of [`ALL`].
    #[must_use]
    pub fn names(self) -> Vec<String> {
        ALL.iter()
            .filter(|name| self.contains(name))
            .map(|name| (*name).to_owned())
            .collect()
    }

    /// Whether a connection with this set may make `request`.
    ///
    /// Plain v5 requests, `EnableExtensions` and `ServerInfo` are always
    /// allowed (they are how a client discovers and opts in); every other
    /// extension request needs its capability enabled.
    #[must_use]
    pub fn allows_request(self, request: &RequestPayload) -> bool {
        request_capability(request).is_none_or(|name| name == EXT || self.contains(name))
    }

    /// Whether `response` may be sent as it is to a connection with this set.
    ///
    /// An extension response only ever answers an extension request, so it is
    /// allowed; extension error codes need [`ERRORS`] and extension value
    /// kinds need [`VALUES`].
    #[must_use]
    pub fn allows_response(self, response: &ResponsePayload) -> bool {
        match response {
            ResponsePayload::Error(error) => !error.code.is_extension() || self.contains(ERRORS),
            ResponsePayload::Query(result) | ResponsePayload::QueryAt(result) => {
                self.contains(VALUES)
                    || result
                        .rows
                        .iter()
                        .flatten()
                        .all(|value| !value.is_extension())
            }
            _ => true,
        }
    }

    /// `response` made fit for a connection with this set: extension error
    /// codes become their v5 counterpart unless [`ERRORS`] is enabled, and
    /// extension values become v5 values unless [`VALUES`] is enabled.
    #[must_use]
    pub fn adapt_response(self, response: ResponsePayload) -> ResponsePayload {
        match response {
            ResponsePayload::Error(mut error) if !self.contains(ERRORS) => {
                error.code = error.code.for_plain_client();
                ResponsePayload::Error(error)
            }
            ResponsePayload::Query(result) if !self.contains(VALUES) => {
                ResponsePayload::Query(plain_rows(result))
            }
            ResponsePayload::QueryAt(result) if !self.contains(VALUES) => {
                ResponsePayload::QueryAt(plain_rows(result))
            }
            other => other,
        }
    }
}

fn plain_rows(mut result: QueryResponse) -> QueryResponse {
    for row in &mut result.rows {
        for value in row.iter_mut() {
            if value.is_extension() {
                *value = std::mem::replace(value, Value::Null).into_plain();
            }
        }
    }
    result
}

/// The capability an extension request belongs to; None for a v5 request.
#[must_use]
pub const fn request_capability(request: &RequestPayload) -> Option<&'static str> {
    match request.variant_index() {
        64 | 65 => Some(EXT),
        66..=68 => Some(VERIFY),
        69..=73 => Some(ADMIN),
        74 => Some(VERIFY_RANGE),
        _ => None,
    }
}
