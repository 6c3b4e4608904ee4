//! Fuzzes signed-note and checkpoint parsing: arbitrary text into the note opener, the
//! checkpoint opener and parser and the verifier-key parser must never panic, and no
//! text other than what the test key signed may open.

#![no_main]

use kimberlite_protocol::checkpoint::{open_checkpoint, Checkpoint};
use kimberlite_protocol::note::{open_note, NoteVerifier};
use libfuzzer_sys::fuzz_target;

/// The verifier key of the public test key in tests/vectors/notes.json.
const VERIFIER_KEY: &str =
    "db.kimberlite.test+8e76714d+AcOeWh7NBHUCt4Hn+HBfvVUX1gAjMoAhTyssv9gutYKa";
const ORIGIN: &str = "db.kimberlite.test/tenant/1/stream/1";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let verifier = NoteVerifier::from_verifier_key(VERIFIER_KEY).expect("test key parses");
    // No fuzz input can carry a valid signature of the test key over new text, so every
    // note that opens must have been signed by it; the fuzzer cannot make one.
    if let Ok(opened) = open_note(text, std::slice::from_ref(&verifier)) {
        assert!(text.starts_with(&opened.text));
    }
    if let Ok(checkpoint) = open_checkpoint(text, &verifier, ORIGIN) {
        assert_eq!(checkpoint.origin, ORIGIN);
    }
    if let Ok(checkpoint) = Checkpoint::parse_body(text) {
        // What parses re-encodes to the same body.
        assert_eq!(checkpoint.to_body().as_deref(), Ok(text));
    }
    if let Ok(parsed) = NoteVerifier::from_verifier_key(text) {
        let again = NoteVerifier::from_verifier_key(&parsed.verifier_key());
        assert_eq!(again.as_ref(), Ok(&parsed));
    }
});
