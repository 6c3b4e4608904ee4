//! A remembered note is returned only for the same bytes, key and origin; anything
//! else is opened (and refused) in full.

use ed25519_dalek::SigningKey;
use kimberlite_protocol::checkpoint::{sign_checkpoint, Checkpoint};
use kimberlite_protocol::note::NoteSigner;
use kimberlite_protocol::Hash;

use super::OpenedNotes;
use crate::VerificationFailure;

const ORIGIN: &str = "kimberlite.test/tenant/1/stream/1";

fn signer(seed: u8) -> NoteSigner {
    NoteSigner::new("kimberlite.test", SigningKey::from_bytes(&[seed; 32])).unwrap()
}

fn note(signer: &NoteSigner, size: u64) -> String {
    let checkpoint = Checkpoint {
        origin: ORIGIN.to_owned(),
        size,
        root: Hash([size as u8; 32]),
        extensions: Vec::new(),
    };
    sign_checkpoint(&checkpoint, signer).unwrap()
}

fn failure(result: crate::Result<Checkpoint>) -> Option<VerificationFailure> {
    result.unwrap_err().verification_failure()
}

#[test]
fn the_same_note_opens_to_the_same_checkpoint_and_others_are_checked() {
    let notes = OpenedNotes::default();
    let (ours, theirs) = (signer(1), signer(2));
    let verifier = ours.verifier();
    let first = notes.open(&note(&ours, 3), &verifier, ORIGIN).unwrap();
    let again = notes.open(&note(&ours, 3), &verifier, ORIGIN).unwrap();
    assert_eq!((first.size, &first), (3, &again));

    // A note whose body changed under the remembered signature is refused.
    let altered = note(&ours, 3).replacen("\n3\n", "\n4\n", 1);
    assert_eq!(
        failure(notes.open(&altered, &verifier, ORIGIN)),
        Some(VerificationFailure::BadSignature)
    );
    // The remembered note under another key, or for another origin, is refused.
    let other_key = theirs.verifier();
    assert_eq!(
        failure(notes.open(&note(&ours, 3), &other_key, ORIGIN)),
        Some(VerificationFailure::UnknownKey)
    );
    let elsewhere = "kimberlite.test/tenant/1/stream/2";
    assert_eq!(
        failure(notes.open(&note(&ours, 3), &verifier, elsewhere)),
        Some(VerificationFailure::WrongOrigin)
    );
    // And it still opens afterwards.
    assert_eq!(
        notes.open(&note(&ours, 3), &verifier, ORIGIN).unwrap(),
        first
    );
}
