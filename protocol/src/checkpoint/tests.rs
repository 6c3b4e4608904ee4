//! Unit tests of checkpoint bodies, the origin convention and signing.

use ed25519_dalek::SigningKey;

use super::*;
use crate::merkle::{leaf_hash, root};

fn sample() -> Checkpoint {
    Checkpoint {
        origin: checkpoint_origin("db.example.com", TenantId(7), StreamId(42)),
        size: 3,
        root: root(&[leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")]),
        extensions: vec![timestamp_extension(1_700_000_000_000_000_001)],
    }
}

#[test]
fn body_round_trips_and_has_the_c2sp_shape() {
    let checkpoint = sample();
    let body = checkpoint.to_body().unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "db.example.com/tenant/7/stream/42");
    assert_eq!(lines[1], "3");
    assert_eq!(STANDARD.decode(lines[2]).unwrap(), checkpoint.root.0);
    assert_eq!(lines[3], "kimberlite/timestamp-ns 1700000000000000001");
    assert_eq!(Checkpoint::parse_body(&body).unwrap(), checkpoint);
    assert_eq!(
        checkpoint.timestamp_ns().unwrap(),
        Some(1_700_000_000_000_000_001)
    );
}

#[test]
fn bodies_are_parsed_strictly() {
    let body = sample().to_body().unwrap();
    let root_line = body.lines().nth(2).unwrap().to_owned();
    let parse = |text: &str| Checkpoint::parse_body(text);
    assert_eq!(
        parse(body.trim_end()),
        Err(CheckpointError::MissingFinalNewline)
    );
    assert_eq!(
        parse("o\n1\n"),
        Err(CheckpointError::MissingLines { lines: 2 })
    );
    assert_eq!(
        parse(&format!("\n1\n{root_line}\n")),
        Err(CheckpointError::EmptyOrigin)
    );
    for size in ["01", "-1", "+1", "", "1 ", "18446744073709551616", "0x1"] {
        assert_eq!(
            parse(&format!("o\n{size}\n{root_line}\n")),
            Err(CheckpointError::InvalidSize(size.into())),
            "{size:?}"
        );
    }
    assert_eq!(
        parse("o\n1\nAAAA\n"),
        Err(CheckpointError::WrongRootLength(3))
    );
    assert_eq!(
        parse("o\n1\n!!!!\n"),
        Err(CheckpointError::InvalidRootEncoding)
    );
    let unpadded = root_line.trim_end_matches('=');
    assert_eq!(
        parse(&format!("o\n1\n{unpadded}\n")),
        Err(CheckpointError::InvalidRootEncoding)
    );
    assert_eq!(
        parse(&format!("o\n1\n{root_line}\next\n\n")),
        Err(CheckpointError::EmptyExtension { line: 5 })
    );
    assert_eq!(
        parse(&format!("o\r\n1\n{root_line}\n")),
        Err(CheckpointError::ControlCharacter { line: 1 })
    );
    assert!(matches!(
        parse(&format!("o\n1\n{root_line}\nkimberlite/timestamp-ns x\n")),
        Err(CheckpointError::InvalidTimestamp(_))
    ));
    assert_eq!(parse(&format!("o\n0\n{root_line}\n")).unwrap().size, 0);
}

#[test]
fn encoding_refuses_what_parsing_would_refuse() {
    let mut checkpoint = sample();
    checkpoint.origin.clear();
    assert_eq!(checkpoint.to_body(), Err(CheckpointError::EmptyOrigin));
    let mut checkpoint = sample();
    checkpoint.origin.push('\n');
    assert_eq!(
        checkpoint.to_body(),
        Err(CheckpointError::ControlCharacter { line: 1 })
    );
    let mut checkpoint = sample();
    checkpoint.extensions.push(String::new());
    assert_eq!(
        checkpoint.to_body(),
        Err(CheckpointError::EmptyExtension { line: 5 })
    );
}

#[test]
fn timestamp_extensions_are_checked() {
    assert_eq!(parse_timestamp_extension("other 12"), Ok(None));
    assert_eq!(
        parse_timestamp_extension("kimberlite/timestamp-ns"),
        Ok(None)
    );
    assert_eq!(
        parse_timestamp_extension("kimberlite/timestamp-ns 0"),
        Ok(Some(0))
    );
    assert!(matches!(
        parse_timestamp_extension("kimberlite/timestamp-ns 012"),
        Err(CheckpointError::InvalidTimestamp(_))
    ));
}

#[test]
fn signed_checkpoints_open_only_for_their_origin_and_key() {
    let signer = NoteSigner::new("db.example.com", SigningKey::from_bytes(&[9; 32])).unwrap();
    let checkpoint = sample();
    let note = sign_checkpoint(&checkpoint, &signer).unwrap();
    let verifier = signer.verifier();
    assert_eq!(
        open_checkpoint(&note, &verifier, &checkpoint.origin).unwrap(),
        checkpoint
    );
    let other = checkpoint_origin("db.example.com", TenantId(7), StreamId(43));
    assert!(matches!(
        open_checkpoint(&note, &verifier, &other),
        Err(CheckpointError::OriginMismatch { .. })
    ));
    let stranger = NoteSigner::new("db.example.com", SigningKey::from_bytes(&[8; 32])).unwrap();
    assert_eq!(
        open_checkpoint(&note, &stranger.verifier(), &checkpoint.origin),
        Err(CheckpointError::Note(NoteError::NoKnownSignature))
    );
    let forged = note.replacen("\n3\n", "\n4\n", 1);
    assert!(matches!(
        open_checkpoint(&forged, &verifier, &checkpoint.origin),
        Err(CheckpointError::Note(NoteError::BadSignature { .. }))
    ));
}
