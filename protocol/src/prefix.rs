//! Hand decoding of a message's prefix, for payloads whose full decode fails.
//!
//! A server must answer a request variant it does not implement (for example
//! one of the indices 11 to 42 other implementations use) with an
//! `InvalidRequest` error carrying the request's id. postcard cannot decode such
//! a payload, so this module reads, without serde, the fields that precede the
//! variant body: the Message tag, then for a request the id, tenant id, audit
//! and variant index. It is total: any input gives a value or an error, never a
//! panic.

#[cfg(test)]
mod tests;

use crate::ids::{RequestId, TenantId};
use crate::message::Audit;

/// Why a prefix could not be read. Each failure has its own variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrefixError {
    /// The payload ends inside the prefix.
    #[error("payload ends inside the message prefix")]
    Truncated,
    /// A varint is longer than its type allows or overflows it.
    #[error("malformed varint in the message prefix")]
    BadVarint,
    /// An Option tag other than 0 or 1.
    #[error("option tag {tag} is neither 0 nor 1")]
    BadOption {
        /// The tag byte read.
        tag: u8,
    },
    /// An audit string that is not UTF-8.
    #[error("audit string is not valid UTF-8")]
    BadUtf8,
    /// The Message tag is not Request 0, Response 1 or Push 2.
    #[error("unknown message tag {tag}")]
    UnknownMessageTag {
        /// The tag read.
        tag: u32,
    },
    /// A request was expected but the message is something else.
    #[error("message tag {tag} is not a request")]
    NotARequest {
        /// The tag read.
        tag: u32,
    },
}

impl PrefixError {
    /// A stable name for the failure, as used in the test vectors.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Truncated => "Truncated",
            Self::BadVarint => "BadVarint",
            Self::BadOption { .. } => "BadOption",
            Self::BadUtf8 => "BadUtf8",
            Self::UnknownMessageTag { .. } => "UnknownMessageTag",
            Self::NotARequest { .. } => "NotARequest",
        }
    }
}

/// The fields of a request that precede its payload body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPrefix {
    /// The request id, to answer with.
    pub id: RequestId,
    /// The tenant the request acts for.
    pub tenant_id: TenantId,
    /// The audit data.
    pub audit: Option<Audit>,
    /// The `RequestPayload` variant index.
    pub payload_index: u32,
    /// Where the variant body starts in the payload.
    pub body_offset: usize,
}

/// The fields of a response that precede its payload body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponsePrefix {
    /// The id of the request answered.
    pub request_id: RequestId,
    /// The `ResponsePayload` variant index.
    pub payload_index: u32,
    /// Where the variant body starts in the payload.
    pub body_offset: usize,
}

/// The fields of a push message that precede its payload body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushPrefix {
    /// The `PushPayload` variant index.
    pub payload_index: u32,
    /// Where the variant body starts in the payload.
    pub body_offset: usize,
}

/// The prefix of any message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessagePrefix {
    /// Message tag 0.
    Request(RequestPrefix),
    /// Message tag 1.
    Response(ResponsePrefix),
    /// Message tag 2.
    Push(PushPrefix),
}

/// Reads the prefix of any message.
///
/// # Errors
/// [`PrefixError`] when the prefix itself is malformed or cut short.
pub fn decode_prefix(payload: &[u8]) -> Result<MessagePrefix, PrefixError> {
    let mut cursor = Cursor {
        bytes: payload,
        position: 0,
    };
    match cursor.varint_u32()? {
        0 => {
            let id = RequestId(cursor.varint_u64()?);
            let tenant_id = TenantId(cursor.varint_u64()?);
            let audit = cursor.audit()?;
            let payload_index = cursor.varint_u32()?;
            Ok(MessagePrefix::Request(RequestPrefix {
                id,
                tenant_id,
                audit,
                payload_index,
                body_offset: cursor.position,
            }))
        }
        1 => {
            let request_id = RequestId(cursor.varint_u64()?);
            let payload_index = cursor.varint_u32()?;
            Ok(MessagePrefix::Response(ResponsePrefix {
                request_id,
                payload_index,
                body_offset: cursor.position,
            }))
        }
        2 => {
            let payload_index = cursor.varint_u32()?;
            Ok(MessagePrefix::Push(PushPrefix {
                payload_index,
                body_offset: cursor.position,
            }))
        }
        tag => Err(PrefixError::UnknownMessageTag { tag }),
    }
}

/// Reads the prefix of a request.
///
/// # Errors
/// [`PrefixError::NotARequest`] for a response or push, else as
/// [`decode_prefix`].
pub fn decode_request_prefix(payload: &[u8]) -> Result<RequestPrefix, PrefixError> {
    match decode_prefix(payload)? {
        MessagePrefix::Request(prefix) => Ok(prefix),
        MessagePrefix::Response(_) => Err(PrefixError::NotARequest { tag: 1 }),
        MessagePrefix::Push(_) => Err(PrefixError::NotARequest { tag: 2 }),
    }
}

/// Reads postcard primitives the way postcard does, without serde.
struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn byte(&mut self) -> Result<u8, PrefixError> {
        let byte = *self
            .bytes
            .get(self.position)
            .ok_or(PrefixError::Truncated)?;
        self.position += 1;
        Ok(byte)
    }

    /// A LEB128 varint of at most `max_len` bytes whose last byte is at most
    /// `max_last`, as postcard accepts it.
    fn varint(&mut self, max_len: u32, max_last: u8) -> Result<u64, PrefixError> {
        let mut value = 0u64;
        for index in 0..max_len {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                if index == max_len - 1 && byte > max_last {
                    return Err(PrefixError::BadVarint);
                }
                return Ok(value);
            }
        }
        Err(PrefixError::BadVarint)
    }

    fn varint_u64(&mut self) -> Result<u64, PrefixError> {
        self.varint(10, 0x01)
    }

    fn varint_u32(&mut self) -> Result<u32, PrefixError> {
        let value = self.varint(5, 0x0f)?;
        u32::try_from(value).map_err(|_| PrefixError::BadVarint)
    }

    fn option_tag(&mut self) -> Result<bool, PrefixError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(PrefixError::BadOption { tag }),
        }
    }

    fn string(&mut self) -> Result<&'a str, PrefixError> {
        let length = usize::try_from(self.varint_u64()?).map_err(|_| PrefixError::Truncated)?;
        let end = self
            .position
            .checked_add(length)
            .ok_or(PrefixError::Truncated)?;
        let bytes = self
            .bytes
            .get(self.position..end)
            .ok_or(PrefixError::Truncated)?;
        self.position = end;
        std::str::from_utf8(bytes).map_err(|_| PrefixError::BadUtf8)
    }

    fn optional_string(&mut self) -> Result<Option<String>, PrefixError> {
        if self.option_tag()? {
            Ok(Some(self.string()?.to_owned()))
        } else {
            Ok(None)
        }
    }

    fn audit(&mut self) -> Result<Option<Audit>, PrefixError> {
        if !self.option_tag()? {
            return Ok(None);
        }
        Ok(Some(Audit {
            actor: self.optional_string()?,
            reason: self.optional_string()?,
            correlation_id: self.optional_string()?,
            idempotency_key: self.optional_string()?,
        }))
    }
}
