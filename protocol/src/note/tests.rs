//! Unit tests of note signing, verifier keys and the opening rules.

use ed25519_dalek::SigningKey;

use super::*;

fn signer(name: &str, seed: u8) -> NoteSigner {
    NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
}

#[test]
fn sign_then_open_round_trips() {
    let alice = signer("example.com/alice", 1);
    let note = alice.sign("line one\n\nline three\n").unwrap();
    let opened = open_note(&note, &[alice.verifier()]).unwrap();
    assert_eq!(opened.text, "line one\n\nline three\n");
    assert_eq!(
        opened.signatures,
        vec![NoteSignature {
            name: "example.com/alice".into(),
            key_id: alice.key_id()
        }]
    );
    assert!(opened.unverified_signatures.is_empty());
}

#[test]
fn verifier_key_round_trips_and_checks_its_id() {
    let alice = signer("alice", 1);
    let text = alice.verifier_key();
    let verifier = NoteVerifier::from_verifier_key(&text).unwrap();
    assert_eq!(verifier, alice.verifier());
    assert_eq!(verifier.verifier_key(), text);
    let (name, rest) = text.split_once('+').unwrap();
    let (_, key) = rest.split_once('+').unwrap();
    assert!(matches!(
        NoteVerifier::from_verifier_key(&format!("{name}+00000000+{key}")),
        Err(NoteError::KeyIdMismatch { found: 0, .. })
    ));
    assert!(matches!(
        NoteVerifier::from_verifier_key(&format!("bob+{}", rest)),
        Err(NoteError::KeyIdMismatch { .. })
    ));
    assert_eq!(
        NoteVerifier::from_verifier_key("alice"),
        Err(NoteError::MalformedVerifierKey("no '+'"))
    );
    let two = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [2u8; 33]);
    assert_eq!(
        NoteVerifier::from_verifier_key(&format!("alice+01234567+{two}")),
        Err(NoteError::UnsupportedSignatureType(2))
    );
}

#[test]
fn key_names_follow_the_rules() {
    for bad in ["", "a b", "a+b", "a\tb", "a\u{a0}b", "a\u{7}b"] {
        assert!(!is_valid_key_name(bad), "{bad:?}");
        assert!(matches!(
            NoteSigner::new(bad, SigningKey::from_bytes(&[1; 32])),
            Err(NoteError::InvalidKeyName(_))
        ));
    }
    assert!(is_valid_key_name("example.com/log-1"));
}

#[test]
fn texts_are_checked_before_signing() {
    let alice = signer("alice", 1);
    assert_eq!(
        alice.sign("no newline"),
        Err(NoteError::TextMissingFinalNewline)
    );
    assert_eq!(alice.sign(""), Err(NoteError::TextMissingFinalNewline));
    assert_eq!(
        alice.sign("a\tb\n"),
        Err(NoteError::ControlCharacter { position: 1 })
    );
    assert_eq!(
        alice.sign(&"x\n".repeat(MAX_TEXT_LINES + 1)),
        Err(NoteError::TooManyLines {
            limit: MAX_TEXT_LINES
        })
    );
    assert!(matches!(
        alice.sign(&format!("{}\n", "x".repeat(MAX_NOTE_BYTES))),
        Err(NoteError::NoteTooLarge { .. })
    ));
}

#[test]
fn unknown_keys_are_ignored_but_one_known_signature_is_required() {
    let alice = signer("alice", 1);
    let bob = signer("bob", 2);
    let note = alice.sign("hi\n").unwrap();
    let bob_line = bob
        .sign("hi\n")
        .unwrap()
        .split_once("\n\n")
        .unwrap()
        .1
        .to_owned();
    let both = format!("{note}{bob_line}");
    let opened = open_note(&both, &[alice.verifier()]).unwrap();
    assert_eq!(opened.unverified_signatures.len(), 1);
    assert_eq!(opened.unverified_signatures[0].name, "bob");
    assert_eq!(
        open_note(&both, &[bob.verifier()]).unwrap().signatures[0].name,
        "bob"
    );
    assert_eq!(
        open_note(&note, &[bob.verifier()]),
        Err(NoteError::NoKnownSignature)
    );
    assert_eq!(open_note(&note, &[]), Err(NoteError::NoKnownSignature));
    // Same name, other key: the ids differ, so the signature is simply unknown.
    let other_alice = signer("alice", 3);
    assert_eq!(
        open_note(&note, &[other_alice.verifier()]),
        Err(NoteError::NoKnownSignature)
    );
}

#[test]
fn malformed_notes_get_their_own_errors() {
    let alice = signer("alice", 1);
    let v = [alice.verifier()];
    let note = alice.sign("hi\n").unwrap();
    let (text, line) = note.split_once("\n\n").unwrap();
    assert_eq!(open_note("hi\n", &v), Err(NoteError::MissingSignatureBlock));
    assert_eq!(
        open_note(note.trim_end_matches('\n'), &v),
        Err(NoteError::MissingSignatureBlock)
    );
    assert_eq!(
        open_note(&format!("{text}\n\n- {}", &line[4..]), &v),
        Err(NoteError::MalformedSignatureLine { line: 1 })
    );
    assert_eq!(
        open_note(&format!("{text}\n\n\u{2014} alice\n"), &v),
        Err(NoteError::MalformedSignatureLine { line: 1 })
    );
    assert_eq!(
        open_note(&format!("{text}\n\n\u{2014} a+b AAAAAAA=\n"), &v),
        Err(NoteError::InvalidSignatureKeyName { line: 1 })
    );
    assert_eq!(
        open_note(&format!("{text}\n\n\u{2014} alice AAAA\n"), &v),
        Err(NoteError::InvalidSignatureEncoding { line: 1 })
    );
    assert_eq!(
        open_note(&format!("h\ri\n\n{line}"), &v),
        Err(NoteError::ControlCharacter { position: 1 })
    );
    let many = format!(
        "{text}\n\n{}",
        "\u{2014} x AAAAAAA=\n".repeat(MAX_SIGNATURES + 1)
    );
    assert_eq!(
        open_note(&many, &v),
        Err(NoteError::TooManySignatures {
            limit: MAX_SIGNATURES
        })
    );
}

#[test]
fn a_changed_text_fails_the_known_signature() {
    let alice = signer("alice", 1);
    let note = alice.sign("hi\n").unwrap().replacen("hi", "ho", 1);
    assert_eq!(
        open_note(&note, &[alice.verifier()]),
        Err(NoteError::BadSignature {
            name: "alice".into(),
            key_id: alice.key_id()
        })
    );
}
