//! C2SP transparency-log checkpoints (<https://c2sp.org/tlog-checkpoint>) as signed notes.
//!
//! A checkpoint body is the origin line, the tree size in decimal, the base64 root hash
//! and optional extension lines, each ending in a newline. Kimberlite keeps one tree per
//! stream, so the origin names the server and the stream:
//! `<identity>/tenant/<tenant id>/stream/<stream id>` (see [`checkpoint_origin`]). The
//! note is signed by the server's key under its own name (the identity), so a client
//! pins one verifier key for every stream of a server. The commit timestamp of the last
//! record travels in a [`timestamp_extension`] line.
//!
//! ```
//! use ed25519_dalek::SigningKey;
//! use kimberlite_protocol::checkpoint::{
//!     checkpoint_origin, open_checkpoint, sign_checkpoint, Checkpoint,
//! };
//! use kimberlite_protocol::merkle::empty_root;
//! use kimberlite_protocol::note::NoteSigner;
//! use kimberlite_protocol::{StreamId, TenantId};
//!
//! let signer = NoteSigner::new("db.example.com", SigningKey::from_bytes(&[7; 32]))?;
//! let origin = checkpoint_origin("db.example.com", TenantId(1), StreamId(2));
//! let checkpoint =
//!     Checkpoint { origin: origin.clone(), size: 0, root: empty_root(), extensions: vec![] };
//! let note = sign_checkpoint(&checkpoint, &signer)?;
//! assert_eq!(open_checkpoint(&note, &signer.verifier(), &origin)?, checkpoint);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use thiserror::Error;

use crate::note::{open_note, NoteError, NoteSigner, NoteVerifier};
use crate::{Hash, StreamId, TenantId};

/// The key of the extension line holding the commit timestamp of the tree's last record.
pub const TIMESTAMP_EXTENSION_KEY: &str = "kimberlite/timestamp-ns";

/// A signed tree head of one stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log: `<identity>/tenant/<t>/stream/<s>` for a Kimberlite stream.
    pub origin: String,
    /// The number of leaves (records) in the tree.
    pub size: u64,
    /// The RFC 6962 root of those leaves.
    pub root: Hash,
    /// Extension lines, without their newlines; each non-empty.
    pub extensions: Vec<String>,
}

/// Why a checkpoint could not be encoded, parsed or opened.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The signed note around the checkpoint was refused.
    #[error("checkpoint note: {0}")]
    Note(#[from] NoteError),
    /// The origin line is empty.
    #[error("empty checkpoint origin")]
    EmptyOrigin,
    /// A line to encode holds a newline (or other control character).
    #[error("checkpoint line {line} holds a control character")]
    ControlCharacter {
        /// 1-based line number in the body.
        line: usize,
    },
    /// The body has fewer than three lines.
    #[error("checkpoint body has {lines} lines, at least 3 are needed")]
    MissingLines {
        /// Lines present.
        lines: usize,
    },
    /// The body does not end in a newline.
    #[error("checkpoint body does not end with a newline")]
    MissingFinalNewline,
    /// The size line is not a decimal `u64` without leading zeros.
    #[error("invalid tree size {0:?}")]
    InvalidSize(String),
    /// The root line is not canonical standard base64.
    #[error("root hash is not canonical base64")]
    InvalidRootEncoding,
    /// The root line decodes to other than 32 bytes.
    #[error("root hash has {0} bytes, 32 are needed")]
    WrongRootLength(usize),
    /// An extension line is empty.
    #[error("extension line {line} is empty")]
    EmptyExtension {
        /// 1-based line number in the body.
        line: usize,
    },
    /// The checkpoint is for another log than expected.
    #[error("checkpoint origin {found:?} where {expected:?} was expected")]
    OriginMismatch {
        /// The origin the caller expects.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
    /// A timestamp extension line has no valid decimal `u64` value.
    #[error("invalid timestamp extension {0:?}")]
    InvalidTimestamp(String),
}

/// The origin of a stream's checkpoints: `<identity>/tenant/<tenant>/stream/<stream>`,
/// ids in decimal. `identity` is the server's name, for example its host name.
#[must_use]
pub fn checkpoint_origin(identity: &str, tenant_id: TenantId, stream_id: StreamId) -> String {
    format!("{identity}/tenant/{tenant_id}/stream/{stream_id}")
}

/// The extension line carrying a commit timestamp: `kimberlite/timestamp-ns <decimal>`.
#[must_use]
pub fn timestamp_extension(timestamp_ns: u64) -> String {
    format!("{TIMESTAMP_EXTENSION_KEY} {timestamp_ns}")
}

/// Reads a timestamp extension line: `Ok(None)` for another extension, the value for a
/// well-formed timestamp line.
///
/// # Errors
/// [`CheckpointError::InvalidTimestamp`] when the line has the timestamp key but not a
/// decimal `u64` without leading zeros.
pub fn parse_timestamp_extension(line: &str) -> Result<Option<u64>, CheckpointError> {
    let Some((key, value)) = line.split_once(' ') else {
        return Ok(None);
    };
    if key != TIMESTAMP_EXTENSION_KEY {
        return Ok(None);
    }
    parse_decimal(value)
        .map(Some)
        .ok_or_else(|| CheckpointError::InvalidTimestamp(line.into()))
}

impl Checkpoint {
    /// The commit timestamp from the first timestamp extension, if there is one.
    ///
    /// # Errors
    /// [`CheckpointError::InvalidTimestamp`] for a malformed timestamp line.
    pub fn timestamp_ns(&self) -> Result<Option<u64>, CheckpointError> {
        for line in &self.extensions {
            if let Some(timestamp_ns) = parse_timestamp_extension(line)? {
                return Ok(Some(timestamp_ns));
            }
        }
        Ok(None)
    }

    /// The note text of this checkpoint.
    ///
    /// # Errors
    /// [`CheckpointError::EmptyOrigin`], [`CheckpointError::ControlCharacter`],
    /// [`CheckpointError::EmptyExtension`] or [`CheckpointError::InvalidTimestamp`].
    pub fn to_body(&self) -> Result<String, CheckpointError> {
        if self.origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let lines =
            std::iter::once(self.origin.as_str()).chain(self.extensions.iter().map(String::as_str));
        for (index, line) in lines.enumerate() {
            let number = if index == 0 { 1 } else { index + 3 };
            if line.chars().any(char::is_control) {
                return Err(CheckpointError::ControlCharacter { line: number });
            }
            if line.is_empty() {
                return Err(CheckpointError::EmptyExtension { line: number });
            }
        }
        for extension in &self.extensions {
            parse_timestamp_extension(extension)?;
        }
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.0)
        );
        for extension in &self.extensions {
            body.push_str(extension);
            body.push('\n');
        }
        Ok(body)
    }

    /// Parses a checkpoint body (a note text) strictly.
    ///
    /// # Errors
    /// [`CheckpointError::MissingFinalNewline`], [`CheckpointError::MissingLines`],
    /// [`CheckpointError::ControlCharacter`], [`CheckpointError::EmptyOrigin`],
    /// [`CheckpointError::InvalidSize`],
    /// [`CheckpointError::InvalidRootEncoding`], [`CheckpointError::WrongRootLength`],
    /// [`CheckpointError::EmptyExtension`] or [`CheckpointError::InvalidTimestamp`] (a
    /// timestamp extension line whose value is not a canonical decimal `u64`).
    pub fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        let body = body
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::MissingLines { lines: lines.len() });
        };
        if let Some(index) = lines
            .iter()
            .position(|line| line.chars().any(char::is_control))
        {
            return Err(CheckpointError::ControlCharacter { line: index + 1 });
        }
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let size =
            parse_decimal(size).ok_or_else(|| CheckpointError::InvalidSize((*size).into()))?;
        let root_bytes = STANDARD
            .decode(root)
            .map_err(|_| CheckpointError::InvalidRootEncoding)?;
        let root = Hash::from_slice(&root_bytes)
            .ok_or(CheckpointError::WrongRootLength(root_bytes.len()))?;
        if let Some(index) = extensions.iter().position(|line| line.is_empty()) {
            return Err(CheckpointError::EmptyExtension { line: index + 4 });
        }
        for line in extensions {
            parse_timestamp_extension(line)?;
        }
        Ok(Self {
            origin: (*origin).to_owned(),
            size,
            root,
            extensions: extensions.iter().map(|line| (*line).to_owned()).collect(),
        })
    }
}

/// Signs a checkpoint with the server's key and returns the note.
///
/// # Errors
/// Any [`Checkpoint::to_body`] error, or [`CheckpointError::Note`] when the note would
/// exceed the note limits.
pub fn sign_checkpoint(
    checkpoint: &Checkpoint,
    signer: &NoteSigner,
) -> Result<String, CheckpointError> {
    Ok(signer.sign(&checkpoint.to_body()?)?)
}

/// Opens a signed checkpoint: verifies the note against `verifier`, parses the body and
/// checks that it is for `expected_origin`.
///
/// # Errors
/// [`CheckpointError::Note`] (bad or missing signature, malformed note), any
/// [`Checkpoint::parse_body`] error, or [`CheckpointError::OriginMismatch`].
pub fn open_checkpoint(
    note: &str,
    verifier: &NoteVerifier,
    expected_origin: &str,
) -> Result<Checkpoint, CheckpointError> {
    let opened = open_note(note, std::slice::from_ref(verifier))?;
    let checkpoint = Checkpoint::parse_body(&opened.text)?;
    if checkpoint.origin != expected_origin {
        return Err(CheckpointError::OriginMismatch {
            expected: expected_origin.to_owned(),
            found: checkpoint.origin,
        });
    }
    Ok(checkpoint)
}

/// A decimal `u64` with no sign, no leading zero (except `0` itself) and no other
/// characters.
fn parse_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
