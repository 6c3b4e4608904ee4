//! Message encoding and decoding: postcard payloads, optionally framed.
//!
//! Decoding is strict where postcard is lenient: bytes left over after a
//! complete message are an error ([`DecodeError::TrailingBytes`]), so two
//! implementations can never disagree about where a message ends.

#[cfg(test)]
mod tests;

use crate::frame::{frame_header, FrameError, FRAME_HEADER_LEN};
use crate::message::Message;

/// Why a payload is not a message. Each failure has its own variant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The payload ends inside the message.
    #[error("message truncated")]
    Truncated,
    /// A varint is longer than its type allows or overflows it.
    #[error("malformed varint")]
    BadVarint,
    /// A bool byte other than 0 or 1.
    #[error("malformed bool")]
    BadBool,
    /// An Option tag other than 0 or 1.
    #[error("malformed option tag")]
    BadOption,
    /// A string that is not UTF-8.
    #[error("string is not valid UTF-8")]
    BadUtf8,
    /// A variant or code index this implementation does not know.
    #[error("unknown enum variant or code")]
    UnknownVariant,
    /// A complete message followed by more bytes.
    #[error("{count} trailing bytes after the message")]
    TrailingBytes {
        /// How many bytes were left.
        count: usize,
    },
    /// Any other postcard failure.
    #[error("malformed message: {0}")]
    Malformed(postcard::Error),
}

impl DecodeError {
    /// A stable name for the failure, as used in the test vectors.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Truncated => "Truncated",
            Self::BadVarint => "BadVarint",
            Self::BadBool => "BadBool",
            Self::BadOption => "BadOption",
            Self::BadUtf8 => "BadUtf8",
            Self::UnknownVariant => "UnknownVariant",
            Self::TrailingBytes { .. } => "TrailingBytes",
            Self::Malformed(_) => "Malformed",
        }
    }
}

impl From<postcard::Error> for DecodeError {
    fn from(error: postcard::Error) -> Self {
        use postcard::Error as E;
        match error {
            E::DeserializeUnexpectedEnd => Self::Truncated,
            E::DeserializeBadVarint => Self::BadVarint,
            E::DeserializeBadBool => Self::BadBool,
            E::DeserializeBadOption => Self::BadOption,
            E::DeserializeBadUtf8 => Self::BadUtf8,
            // Our enums reject unknown indices with a serde custom error, and
            // postcard reports an index above u32::MAX as a bad enum.
            E::SerdeDeCustom | E::DeserializeBadEnum => Self::UnknownVariant,
            other => Self::Malformed(other),
        }
    }
}

/// A postcard flavour appending to a borrowed `Vec`.
struct AppendFlavor<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for AppendFlavor<'_> {
    type Output = ();

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// The postcard payload of `message`.
#[must_use]
pub fn encode_message(message: &Message) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    encode_message_into(message, &mut out);
    out
}

/// Appends the postcard payload of `message` to `out`.
pub fn encode_message_into(message: &Message, out: &mut Vec<u8>) {
    // Cannot fail: the flavour never refuses bytes, every sequence in these
    // types has a known length, and no hand-written Serialize returns an error.
    let result = postcard::serialize_with_flavor(message, AppendFlavor(out));
    debug_assert!(result.is_ok(), "message serialisation failed: {result:?}");
}

/// Appends a whole frame (header and payload) holding `message` to `out`.
///
/// # Errors
/// [`FrameError::FrameTooLarge`] if the payload exceeds 16 MiB; `out` is then
/// left as it was.
pub fn encode_message_frame(message: &Message, out: &mut Vec<u8>) -> Result<(), FrameError> {
    // The payload is written after a placeholder header, then the header is
    // filled in, so the payload is never copied.
    let start = out.len();
    let payload_start = start + FRAME_HEADER_LEN;
    out.resize(payload_start, 0);
    encode_message_into(message, out);
    match frame_header(&out[payload_start..]) {
        Ok(header) => {
            out[start..payload_start].copy_from_slice(&header);
            Ok(())
        }
        Err(error) => {
            out.truncate(start);
            Err(error)
        }
    }
}

/// A whole frame holding `message`.
///
/// # Errors
/// [`FrameError::FrameTooLarge`] if the payload exceeds 16 MiB.
pub fn frame_message(message: &Message) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::with_capacity(FRAME_HEADER_LEN + 64);
    encode_message_frame(message, &mut out)?;
    Ok(out)
}

/// Decodes one message that must fill `payload` exactly.
///
/// # Errors
/// [`DecodeError`] for a malformed message or trailing bytes.
pub fn decode_message(payload: &[u8]) -> Result<Message, DecodeError> {
    let (message, rest) = postcard::take_from_bytes::<Message>(payload)?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes { count: rest.len() });
    }
    Ok(message)
}
