//! Opening a signed note: splitting text from signatures and checking the known ones.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::error::NoteError;
use super::verifier::NoteVerifier;
use super::{
    check_characters, is_valid_key_name, MAX_NOTE_BYTES, MAX_SIGNATURES, MAX_TEXT_LINES,
    SIGNATURE_LINE_PREFIX,
};

/// A signature line's key name and key id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key id.
    pub key_id: u32,
}

/// A note whose text is vouched for by at least one known key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedNote {
    /// The signed text, with its final newline.
    pub text: String,
    /// The known keys whose signatures verified, in note order, each once.
    pub signatures: Vec<NoteSignature>,
    /// Signatures by keys not among the verifiers, ignored, in note order, each once.
    pub unverified_signatures: Vec<NoteSignature>,
}

/// Opens `note`, checking its signatures against `verifiers`.
///
/// A signature counts as by a known key when both its key name and key id match a
/// verifier; every such signature must verify. Others are listed as unverified.
///
/// # Errors
/// [`NoteError::NoteTooLarge`], [`NoteError::ControlCharacter`],
/// [`NoteError::MissingSignatureBlock`], [`NoteError::TooManyLines`],
/// [`NoteError::TooManySignatures`], [`NoteError::MalformedSignatureLine`],
/// [`NoteError::InvalidSignatureKeyName`], [`NoteError::InvalidSignatureEncoding`],
/// [`NoteError::BadSignature`] or [`NoteError::NoKnownSignature`].
pub fn open_note(note: &str, verifiers: &[NoteVerifier]) -> Result<VerifiedNote, NoteError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(NoteError::NoteTooLarge {
            size: note.len(),
            limit: MAX_NOTE_BYTES,
        });
    }
    check_characters(note)?;
    // The text is separated from the signatures by the note's last blank line.
    let split = note.rfind("\n\n").ok_or(NoteError::MissingSignatureBlock)?;
    let (text, block) = (&note[..=split], &note[split + 2..]);
    let Some(block) = block.strip_suffix('\n') else {
        return Err(NoteError::MissingSignatureBlock);
    };
    if text.bytes().filter(|&b| b == b'\n').count() > MAX_TEXT_LINES {
        return Err(NoteError::TooManyLines {
            limit: MAX_TEXT_LINES,
        });
    }
    let mut verified = VerifiedNote {
        text: text.to_owned(),
        signatures: Vec::new(),
        unverified_signatures: Vec::new(),
    };
    for (index, line) in block.split('\n').enumerate() {
        if index >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                limit: MAX_SIGNATURES,
            });
        }
        check_signature_line(index + 1, line, text, verifiers, &mut verified)?;
    }
    if verified.signatures.is_empty() {
        return Err(NoteError::NoKnownSignature);
    }
    Ok(verified)
}

/// Parses one signature line and, for a known key, verifies it.
fn check_signature_line(
    line_number: usize,
    line: &str,
    text: &str,
    verifiers: &[NoteVerifier],
    verified: &mut VerifiedNote,
) -> Result<(), NoteError> {
    let malformed = NoteError::MalformedSignatureLine { line: line_number };
    let rest = line
        .strip_prefix(SIGNATURE_LINE_PREFIX)
        .ok_or_else(|| malformed.clone())?;
    let (name, encoded) = rest.split_once(' ').ok_or(malformed)?;
    if !is_valid_key_name(name) {
        return Err(NoteError::InvalidSignatureKeyName { line: line_number });
    }
    let bytes = STANDARD
        .decode(encoded)
        .ok()
        .filter(|bytes| bytes.len() >= 5)
        .ok_or(NoteError::InvalidSignatureEncoding { line: line_number })?;
    let key_id = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let signature = NoteSignature {
        name: name.to_owned(),
        key_id,
    };
    let known = verifiers
        .iter()
        .find(|v| v.name() == name && v.key_id() == key_id);
    let Some(verifier) = known else {
        if !verified.unverified_signatures.contains(&signature) {
            verified.unverified_signatures.push(signature);
        }
        return Ok(());
    };
    if !verifier.verify(text.as_bytes(), &bytes[4..]) {
        return Err(NoteError::BadSignature {
            name: signature.name,
            key_id,
        });
    }
    if !verified.signatures.contains(&signature) {
        verified.signatures.push(signature);
    }
    Ok(())
}
