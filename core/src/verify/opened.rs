//! Checkpoint notes this client has already opened.
//!
//! Opening a note checks an Ed25519 signature, the dearest step of a verified read
//! of an idle stream, whose server answers every read with the same note. Opening
//! is a pure function of (note bytes, key, expected origin), so the last note
//! opened per origin is remembered and the same bytes under the same key are not
//! checked twice. Any other note, key or origin is opened in full.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use kimberlite_protocol::note::NoteVerifier;

use super::{open_signed_checkpoint, Checkpoint};
use crate::error::Result;

/// At most this many origins (streams) are remembered; then the memory starts over.
const MAX_ORIGINS: usize = 1024;

struct Opened {
    verifier: NoteVerifier,
    note: String,
    checkpoint: Checkpoint,
}

/// The last note opened per checkpoint origin.
#[derive(Default)]
pub(crate) struct OpenedNotes {
    by_origin: Mutex<HashMap<String, Opened>>,
}

impl OpenedNotes {
    /// [`open_signed_checkpoint`], skipped when this exact note was opened last for
    /// `origin` under `verifier`.
    pub(crate) fn open(
        &self,
        note: &str,
        verifier: &NoteVerifier,
        origin: &str,
    ) -> Result<Checkpoint> {
        if let Some(checkpoint) = self.remembered(note, verifier, origin) {
            return Ok(checkpoint);
        }
        let checkpoint = open_signed_checkpoint(note, verifier, origin)?;
        let mut by_origin = self
            .by_origin
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if by_origin.len() >= MAX_ORIGINS && !by_origin.contains_key(origin) {
            by_origin.clear();
        }
        let opened = Opened {
            verifier: verifier.clone(),
            note: note.to_owned(),
            checkpoint: checkpoint.clone(),
        };
        by_origin.insert(origin.to_owned(), opened);
        Ok(checkpoint)
    }

    fn remembered(&self, note: &str, verifier: &NoteVerifier, origin: &str) -> Option<Checkpoint> {
        let by_origin = self
            .by_origin
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        by_origin
            .get(origin)
            .filter(|opened| opened.note == note && opened.verifier == *verifier)
            .map(|opened| opened.checkpoint.clone())
    }
}

#[cfg(test)]
mod tests;
