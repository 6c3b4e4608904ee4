//! The WAL's byte layout: segment headers, entry frames and segment file names.
//!
//! ```text
//! segment header (24 bytes, at the start of every segment file):
//!   0  8  magic "KMBWAL01"
//!   8  4  format version (1)
//!  12  8  first LSN: the position of this header in the log
//!  20  4  crc32 of bytes 0..20
//!
//! entry (12-byte frame + body), back to back after the header:
//!   0  4  magic 0x4B4D4252 ("KMBR")
//!   4  4  body length n (at most MAX_ENTRY_BODY_BYTES)
//!   8  4  crc32 of bytes 4..8 and the body
//!  12  n  body
//! ```
//!
//! Integers are big-endian; crc32 is the IEEE polynomial (crc32fast).

use std::path::Path;

use super::error::EntryFault;

/// Magic bytes opening every segment file.
pub const SEGMENT_MAGIC: [u8; 8] = *b"KMBWAL01";
/// The segment format version this code writes and reads.
pub const SEGMENT_VERSION: u32 = 1;
/// Size of the segment header in bytes.
pub const SEGMENT_HEADER_BYTES: u64 = 24;
/// Magic number opening every entry frame ("KMBR").
pub const ENTRY_MAGIC: u32 = 0x4B4D_4252;
/// Size of an entry frame (magic, length, crc) before the body.
pub const ENTRY_HEADER_BYTES: u64 = 12;
/// Largest body an entry may have (64 MiB): a length above it is corruption.
pub const MAX_ENTRY_BODY_BYTES: u32 = 64 << 20;
/// Suffix of segment files.
pub const SEGMENT_SUFFIX: &str = ".seg";
/// Suffix of a segment file being created (removed at open).
pub const TEMP_SUFFIX: &str = ".seg.tmp";

const _: () = assert!(SEGMENT_HEADER_BYTES == 8 + 4 + 8 + 4);
const _: () = assert!(ENTRY_HEADER_BYTES == 4 + 4 + 4);
const _: () = assert!((MAX_ENTRY_BODY_BYTES as u64) < u32::MAX as u64);

/// Encodes the header of a segment starting at `first_lsn`.
#[must_use]
pub fn encode_segment_header(first_lsn: u64) -> [u8; SEGMENT_HEADER_BYTES as usize] {
    let mut header = [0u8; SEGMENT_HEADER_BYTES as usize];
    header[0..8].copy_from_slice(&SEGMENT_MAGIC);
    header[8..12].copy_from_slice(&SEGMENT_VERSION.to_be_bytes());
    header[12..20].copy_from_slice(&first_lsn.to_be_bytes());
    let crc = crc32fast::hash(&header[0..20]);
    header[20..24].copy_from_slice(&crc.to_be_bytes());
    header
}

/// Checks a segment header and returns its first LSN, or why it is invalid.
pub fn decode_segment_header(header: &[u8]) -> Result<u64, &'static str> {
    if header.len() < SEGMENT_HEADER_BYTES as usize {
        return Err("the file is shorter than a segment header");
    }
    if header[0..8] != SEGMENT_MAGIC {
        return Err("bad segment magic");
    }
    if crc32fast::hash(&header[0..20]).to_be_bytes() != header[20..24] {
        return Err("segment header checksum mismatch");
    }
    if header[8..12] != SEGMENT_VERSION.to_be_bytes() {
        return Err("unsupported segment format version");
    }
    let mut first_lsn = [0u8; 8];
    first_lsn.copy_from_slice(&header[12..20]);
    Ok(u64::from_be_bytes(first_lsn))
}

/// Appends one entry frame and its body to `out`.
pub fn encode_entry(body: &[u8], out: &mut Vec<u8>) {
    // Callers check the length against MAX_ENTRY_BODY_BYTES first, so it fits.
    let len = u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&len);
    crc.update(body);
    out.extend_from_slice(&ENTRY_MAGIC.to_be_bytes());
    out.extend_from_slice(&len);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out.extend_from_slice(body);
}

/// An entry frame as read, before its body is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryHeader {
    /// Body length in bytes.
    pub body_len: u32,
    /// The stored crc32 of the length and body.
    pub crc: u32,
}

impl EntryHeader {
    /// Total bytes of frame and body.
    #[must_use]
    pub fn entry_bytes(self) -> u64 {
        ENTRY_HEADER_BYTES + u64::from(self.body_len)
    }
}

/// Checks the magic and length of a 12-byte frame.
pub fn decode_entry_header(frame: &[u8]) -> Result<EntryHeader, EntryFault> {
    let word = |at: usize| {
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(&frame[at..at + 4]);
        u32::from_be_bytes(bytes)
    };
    if frame.len() < ENTRY_HEADER_BYTES as usize {
        return Err(EntryFault::Truncated);
    }
    let magic = word(0);
    if magic != ENTRY_MAGIC {
        return Err(EntryFault::BadMagic(magic));
    }
    let body_len = word(4);
    if body_len > MAX_ENTRY_BODY_BYTES {
        return Err(EntryFault::BadLength(body_len));
    }
    Ok(EntryHeader {
        body_len,
        crc: word(8),
    })
}

/// Checks a body against its frame's crc32.
pub fn check_body(header: EntryHeader, body: &[u8]) -> Result<(), EntryFault> {
    let mut crc = crc32fast::Hasher::new();
    crc.update(&header.body_len.to_be_bytes());
    crc.update(body);
    let computed = crc.finalize();
    if computed == header.crc {
        Ok(())
    } else {
        Err(EntryFault::CrcMismatch {
            stored: header.crc,
            computed,
        })
    }
}

/// The file name of the segment starting at `first_lsn`: 20 decimal digits, so
/// names sort like positions.
#[must_use]
pub fn segment_file_name(first_lsn: u64) -> String {
    format!("{first_lsn:020}{SEGMENT_SUFFIX}")
}

/// The first LSN a segment file name stands for, if it is one.
#[must_use]
pub fn parse_segment_file_name(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let digits = name.strip_suffix(SEGMENT_SUFFIX)?;
    if digits.len() != 20 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
