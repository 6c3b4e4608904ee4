//! The 14-byte frame around every message: magic, version, length, CRC-32.
//!
//! ```text
//! 0      4        6          10         14
//! +------+--------+----------+----------+----------------+
//! | VDB  | 0x0005 |  length  |  crc32   | payload ...    |
//! +------+--------+----------+----------+----------------+
//! ```
//!
//! All header integers are big-endian. The CRC (IEEE, as zlib computes it) covers
//! the payload only; it guards against corruption, not against an attacker.
//! Decoding checks magic, version and length as soon as the 14 header bytes are
//! present, so an oversized frame is refused before any of its payload is
//! buffered, and checks the CRC once the payload is complete.

mod decoder;
#[cfg(test)]
mod tests;

use std::ops::Range;

pub use decoder::FrameDecoder;

/// The frame magic, ASCII `"VDB "`.
pub const FRAME_MAGIC: u32 = 0x5644_4220;
/// The only protocol version spoken (no negotiation).
pub const PROTOCOL_VERSION: u16 = 5;
/// Length of the frame header in bytes.
pub const FRAME_HEADER_LEN: usize = 14;
/// The largest payload the protocol allows: 16 MiB.
pub const MAX_PAYLOAD_LEN: usize = 16 * 1024 * 1024;

const _: () = assert!(FRAME_HEADER_LEN == 4 + 2 + 4 + 4);
const _: () = assert!(MAX_PAYLOAD_LEN <= u32::MAX as usize);

/// Why a frame was refused. Each check has its own variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The first four bytes are not `"VDB "`.
    #[error("bad frame magic 0x{found:08x} (expected 0x56444220)")]
    BadMagic {
        /// The magic that was read.
        found: u32,
    },
    /// The header names a protocol version other than 5.
    #[error("unsupported protocol version {found} (expected 5)")]
    UnsupportedVersion {
        /// The version that was read.
        found: u16,
    },
    /// The announced payload length is above the receiver's limit.
    #[error("frame payload of {length} bytes exceeds the limit of {max} bytes")]
    FrameTooLarge {
        /// The announced length.
        length: u64,
        /// The limit in force.
        max: u64,
    },
    /// The payload does not match the header's CRC-32.
    #[error(
        "frame checksum mismatch: header says 0x{expected:08x}, payload gives 0x{computed:08x}"
    )]
    ChecksumMismatch {
        /// The CRC in the header.
        expected: u32,
        /// The CRC of the received payload.
        computed: u32,
    },
}

impl FrameError {
    /// A stable name for the failure, as used in the test vectors.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::BadMagic { .. } => "BadMagic",
            Self::UnsupportedVersion { .. } => "UnsupportedVersion",
            Self::FrameTooLarge { .. } => "FrameTooLarge",
            Self::ChecksumMismatch { .. } => "ChecksumMismatch",
        }
    }
}

/// A complete frame found at the start of a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedFrame {
    /// Where the payload lies in the buffer that was decoded.
    pub payload: Range<usize>,
    /// How many bytes of the buffer the frame occupies (header + payload).
    pub consumed: usize,
}

/// The CRC-32 (IEEE) of a payload, as the frame header carries it.
#[must_use]
pub fn payload_checksum(payload: &[u8]) -> u32 {
    crc32fast::hash(payload)
}

/// Appends a frame holding `payload` to `out`.
///
/// # Errors
/// [`FrameError::FrameTooLarge`] if the payload exceeds [`MAX_PAYLOAD_LEN`];
/// nothing is written then.
pub fn encode_frame(payload: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
    let header = frame_header(payload)?;
    out.reserve(FRAME_HEADER_LEN + payload.len());
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    Ok(())
}

/// The 14-byte header of a frame holding `payload`.
///
/// # Errors
/// [`FrameError::FrameTooLarge`] if the payload exceeds [`MAX_PAYLOAD_LEN`].
pub fn frame_header(payload: &[u8]) -> Result<[u8; FRAME_HEADER_LEN], FrameError> {
    let length = checked_length(payload.len())?;
    let mut header = [0u8; FRAME_HEADER_LEN];
    header[0..4].copy_from_slice(&FRAME_MAGIC.to_be_bytes());
    header[4..6].copy_from_slice(&PROTOCOL_VERSION.to_be_bytes());
    header[6..10].copy_from_slice(&length.to_be_bytes());
    header[10..14].copy_from_slice(&payload_checksum(payload).to_be_bytes());
    Ok(header)
}

fn checked_length(length: usize) -> Result<u32, FrameError> {
    match u32::try_from(length) {
        Ok(value) if length <= MAX_PAYLOAD_LEN => Ok(value),
        _ => Err(FrameError::FrameTooLarge {
            length: length as u64,
            max: MAX_PAYLOAD_LEN as u64,
        }),
    }
}

/// Decodes the frame at the start of `buf` with the protocol's 16 MiB limit.
///
/// Returns `Ok(None)` while more bytes are needed.
///
/// # Errors
/// The first failed check, in the order magic, version, length, checksum.
pub fn decode_frame(buf: &[u8]) -> Result<Option<DecodedFrame>, FrameError> {
    decode_frame_with_limit(buf, MAX_PAYLOAD_LEN)
}

/// Decodes the frame at the start of `buf`, refusing payloads above
/// `max_payload_len` (clamped to [`MAX_PAYLOAD_LEN`]).
///
/// Magic and version are checked as soon as their bytes have arrived, so
/// garbage is refused early; the length as soon as the header is complete.
///
/// # Errors
/// The first failed check, in the order magic, version, length, checksum.
pub fn decode_frame_with_limit(
    buf: &[u8],
    max_payload_len: usize,
) -> Result<Option<DecodedFrame>, FrameError> {
    check_partial_prefix(buf)?;
    let Some(header) = buf.first_chunk::<FRAME_HEADER_LEN>() else {
        return Ok(None);
    };
    let [_, _, _, _, _, _, l0, l1, l2, l3, c0, c1, c2, c3] = *header;
    let length = u32::from_be_bytes([l0, l1, l2, l3]);
    let max = max_payload_len.min(MAX_PAYLOAD_LEN);
    let payload_len = length as usize;
    if payload_len > max {
        return Err(FrameError::FrameTooLarge {
            length: u64::from(length),
            max: max as u64,
        });
    }
    let end = FRAME_HEADER_LEN + payload_len;
    let Some(payload) = buf.get(FRAME_HEADER_LEN..end) else {
        return Ok(None);
    };
    let expected = u32::from_be_bytes([c0, c1, c2, c3]);
    let computed = payload_checksum(payload);
    if expected != computed {
        return Err(FrameError::ChecksumMismatch { expected, computed });
    }
    Ok(Some(DecodedFrame {
        payload: FRAME_HEADER_LEN..end,
        consumed: end,
    }))
}

/// Checks magic once its four bytes are present and the version once its two
/// are, so a decision never depends on how the bytes were split into reads.
fn check_partial_prefix(buf: &[u8]) -> Result<(), FrameError> {
    if let Some(magic) = buf.first_chunk::<4>() {
        let found = u32::from_be_bytes(*magic);
        if found != FRAME_MAGIC {
            return Err(FrameError::BadMagic { found });
        }
    }
    if let Some(&[_, _, _, _, high, low]) = buf.first_chunk::<6>() {
        let found = u16::from_be_bytes([high, low]);
        if found != PROTOCOL_VERSION {
            return Err(FrameError::UnsupportedVersion { found });
        }
    }
    Ok(())
}
