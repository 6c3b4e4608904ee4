//! The independent reference vectors: RFC 6962 roots and a C2SP signed note.

use kimberlite_protocol::merkle::{empty_root, leaf_hash, root};
use kimberlite_protocol::note::{key_id, open_note, NoteVerifier};

use super::{entries, read_vectors, text};

#[test]
fn rfc6962_reference_roots() {
    let vectors = read_vectors("reference/rfc6962-reference.json");
    assert_eq!(empty_root().to_hex(), text(&vectors, "empty_root_hex"));
    let leaves: Vec<_> = entries(&vectors, "leaf_inputs_hex")
        .iter()
        .map(|input| leaf_hash(&hex::decode(input.as_str().unwrap()).unwrap()))
        .collect();
    let roots = entries(&vectors, "roots_hex");
    assert_eq!(roots.len(), leaves.len());
    for (i, expected) in roots.iter().enumerate() {
        assert_eq!(
            root(&leaves[..=i]).to_hex(),
            expected.as_str().unwrap(),
            "size {}",
            i + 1
        );
    }
}

#[test]
fn signed_note_reference_opens() {
    let vectors = read_vectors("reference/signed-note-reference.json");
    let verifier = NoteVerifier::from_verifier_key(text(&vectors, "verifier_key")).unwrap();
    assert_eq!(verifier.name(), text(&vectors, "key_name"));
    assert_eq!(
        format!("{:08x}", verifier.key_id()),
        text(&vectors, "key_id_hex")
    );
    assert_eq!(
        key_id(verifier.name(), verifier.public_key().as_bytes()),
        verifier.key_id()
    );
    assert_eq!(verifier.verifier_key(), text(&vectors, "verifier_key"));
    let opened = open_note(text(&vectors, "note"), &[verifier]).unwrap();
    assert_eq!(opened.text, text(&vectors, "text"));
    assert_eq!(opened.signatures.len(), 1);
    assert_eq!(opened.signatures[0].name, text(&vectors, "key_name"));
}

#[test]
fn signed_note_reference_rejects_every_one_byte_change() {
    let vectors = read_vectors("reference/signed-note-reference.json");
    let verifier = NoteVerifier::from_verifier_key(text(&vectors, "verifier_key")).unwrap();
    let note = text(&vectors, "note").as_bytes();
    let mut checked = 0;
    for position in 0..note.len() {
        for replacement in [
            note[position] ^ 0x01,
            note[position] ^ 0x20,
            b'A',
            b'\n',
            b' ',
        ] {
            if replacement == note[position] {
                continue;
            }
            let mut changed = note.to_vec();
            changed[position] = replacement;
            // A change that breaks UTF-8 cannot even be presented as a note.
            if let Ok(changed) = std::str::from_utf8(&changed) {
                checked += 1;
                assert!(
                    open_note(changed, std::slice::from_ref(&verifier)).is_err(),
                    "accepted with byte {position} set to {replacement:#04x}"
                );
            }
        }
    }
    assert!(
        checked > note.len() * 2,
        "only {checked} changed notes were valid UTF-8"
    );
}
