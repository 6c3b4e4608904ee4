//! The negative format vectors: proofs, records, verifier keys, notes and checkpoints
//! that must be refused, each with the error our implementation names.

use ed25519_dalek::SigningKey;
use kimberlite_protocol::checkpoint::{checkpoint_origin, open_checkpoint, Checkpoint};
use kimberlite_protocol::merkle::{
    consistency_proof, empty_root, inclusion_proof, root, verify_consistency, verify_inclusion,
};
use kimberlite_protocol::note::{open_note, NoteSigner, NoteVerifier};
use kimberlite_protocol::record::decode_record;
use kimberlite_protocol::{Hash, StreamId, TenantId};
use serde_json::{json, Value as Json};

use super::fixtures::{fixed_signer, hex, leaves, sample_records, KEY_NAME, OTHER_SEED};
use super::{expect_error, hexes, Result};

pub fn cases() -> Result<Json> {
    let mut cases = Vec::new();
    inclusion_cases(&mut cases)?;
    consistency_cases(&mut cases)?;
    record_cases(&mut cases)?;
    verifier_key_cases(&mut cases)?;
    note_cases(&mut cases)?;
    checkpoint_cases(&mut cases)?;
    Ok(json!({
        "description": "Inputs every verifier must refuse. kind says which check applies: \
            inclusion (verify leaf_hex at index in a tree of size with root_hex), \
            consistency, record (decode encoded_hex), verifier_key (parse), note \
            (open with verifier_keys), checkpoint (open note with verifier_key, \
            expecting expected_origin). error is the name of the expected error \
            variant.",
        "cases": cases,
    }))
}

fn flip(hash: &Hash) -> Hash {
    let mut out = *hash;
    out.0[0] ^= 1;
    out
}

fn inclusion_case(
    name: &str,
    leaf: &Hash,
    (index, size): (u64, u64),
    proof: &[Hash],
    root: &Hash,
) -> Result<Json> {
    let error = expect_error(name, verify_inclusion(leaf, index, size, proof, root))?;
    Ok(json!({
        "name": name, "kind": "inclusion", "error": error,
        "leaf_hex": leaf.to_hex(), "index": index, "size": size,
        "proof_hex": hexes(proof), "root_hex": root.to_hex(),
    }))
}

fn inclusion_cases(cases: &mut Vec<Json>) -> Result<()> {
    let tree = leaves(7);
    let r = root(&tree);
    let proof = inclusion_proof(&tree, 3)?;
    let leaf = tree[3];
    let mut flipped = proof.clone();
    flipped[1] = flip(&flipped[1]);
    let mut longer = proof.clone();
    longer.push(r);
    // Index 2 needs as many hashes as index 3, so only the root check can catch it.
    cases.extend([
        inclusion_case(
            "inclusion proof missing its last hash",
            &leaf,
            (3, 7),
            &proof[..2],
            &r,
        )?,
        inclusion_case(
            "inclusion proof with an extra hash",
            &leaf,
            (3, 7),
            &longer,
            &r,
        )?,
        inclusion_case(
            "inclusion proof with a flipped byte",
            &leaf,
            (3, 7),
            &flipped,
            &r,
        )?,
        inclusion_case(
            "inclusion proof for the wrong index",
            &leaf,
            (2, 7),
            &proof,
            &r,
        )?,
        inclusion_case("inclusion of another leaf", &tree[4], (3, 7), &proof, &r)?,
        inclusion_case(
            "inclusion against a flipped root",
            &leaf,
            (3, 7),
            &proof,
            &flip(&r),
        )?,
        inclusion_case(
            "inclusion index equal to the size",
            &leaf,
            (7, 7),
            &proof,
            &r,
        )?,
        inclusion_case(
            "inclusion index beyond the size",
            &leaf,
            (u64::MAX, 7),
            &proof,
            &r,
        )?,
        inclusion_case(
            "inclusion in the empty tree",
            &leaf,
            (0, 0),
            &[],
            &empty_root(),
        )?,
        inclusion_case(
            "single-leaf tree with a proof",
            &leaf,
            (0, 1),
            &proof[..1],
            &leaf,
        )?,
    ]);
    Ok(())
}

fn consistency_case(
    name: &str,
    (old_size, new_size): (u64, u64),
    (old_root, new_root): (&Hash, &Hash),
    proof: &[Hash],
) -> Result<Json> {
    let error = expect_error(
        name,
        verify_consistency(old_size, new_size, old_root, new_root, proof),
    )?;
    Ok(json!({
        "name": name, "kind": "consistency", "error": error,
        "old_size": old_size, "new_size": new_size,
        "old_root_hex": old_root.to_hex(), "new_root_hex": new_root.to_hex(),
        "proof_hex": hexes(proof),
    }))
}

fn consistency_cases(cases: &mut Vec<Json>) -> Result<()> {
    let tree = leaves(11);
    let (old, new) = (root(&tree[..5]), root(&tree));
    let proof = consistency_proof(&tree, 5)?;
    let mut flipped = proof.clone();
    let last = flipped.len() - 1;
    flipped[last] = flip(&flipped[last]);
    let mut flipped_first = proof.clone();
    flipped_first[0] = flip(&flipped_first[0]);
    let roots = (&old, &new);
    cases.extend([
        consistency_case(
            "consistency proof missing a hash",
            (5, 11),
            roots,
            &proof[1..],
        )?,
        consistency_case(
            "consistency proof with a flipped last hash",
            (5, 11),
            roots,
            &flipped,
        )?,
        consistency_case(
            "consistency proof with a flipped first hash",
            (5, 11),
            roots,
            &flipped_first,
        )?,
        consistency_case(
            "consistency with a flipped old root",
            (5, 11),
            (&flip(&old), &new),
            &proof,
        )?,
        consistency_case(
            "consistency with a flipped new root",
            (5, 11),
            (&old, &flip(&new)),
            &proof,
        )?,
        consistency_case(
            "consistency from a larger old tree",
            (11, 5),
            (&new, &old),
            &proof,
        )?,
        consistency_case("consistency proof for other sizes", (6, 11), roots, &proof)?,
        consistency_case(
            "equal sizes with different roots",
            (5, 5),
            (&old, &new),
            &[],
        )?,
        consistency_case(
            "equal sizes with a proof",
            (5, 5),
            (&old, &old),
            &proof[..1],
        )?,
        consistency_case(
            "from the empty tree with a proof",
            (0, 11),
            (&empty_root(), &new),
            &proof,
        )?,
        consistency_case(
            "from size 0 with a non-empty root",
            (0, 11),
            (&old, &new),
            &[],
        )?,
    ]);
    Ok(())
}

fn record_cases(cases: &mut Vec<Json>) -> Result<()> {
    let good = sample_records()[1].as_ref().encode();
    let mut version = good.clone();
    version[0] = 2;
    let mut kind = good.clone();
    kind[33] = 3;
    let mut trailing = good.clone();
    trailing.push(0);
    let mut long_length = good.clone();
    long_length[66..70].copy_from_slice(&u32::MAX.to_be_bytes());
    let inputs: [(&str, &[u8]); 8] = [
        ("empty record", &[]),
        ("unknown version", &version),
        ("version 0", &[0]),
        ("header cut short", &good[..69]),
        ("unknown kind", &kind),
        ("payload cut short", &good[..good.len() - 1]),
        ("length beyond the bytes", &long_length),
        ("trailing byte", &trailing),
    ];
    for (name, bytes) in inputs {
        let error = expect_error(name, decode_record(bytes))?;
        cases.push(json!({
            "name": format!("record: {name}"), "kind": "record", "error": error,
            "encoded_hex": hex(bytes),
        }));
    }
    Ok(())
}

fn verifier_key_cases(cases: &mut Vec<Json>) -> Result<()> {
    let key = fixed_signer().verifier_key();
    let (name, rest) = key.split_once('+').ok_or("verifier key")?;
    let (id, encoded) = rest.split_once('+').ok_or("verifier key")?;
    let inputs = [
        ("no plus sign", name.to_owned()),
        ("key id not hex", format!("{name}+zzzzzzzz+{encoded}")),
        ("key id too short", format!("{name}+{}+{encoded}", &id[..7])),
        (
            "key id of another key",
            format!("{name}+00000000+{encoded}"),
        ),
        ("renamed key", format!("other.test+{id}+{encoded}")),
        ("key name with a space", format!("a b+{id}+{encoded}")),
        ("key not base64", format!("{name}+{id}+!!!!")),
        ("key of the wrong length", format!("{name}+{id}+AQID")),
        ("signature type 2", format!("{name}+{id}+AgID")),
    ];
    for (label, text) in inputs {
        let error = expect_error(label, NoteVerifier::from_verifier_key(&text))?;
        cases.push(json!({
            "name": format!("verifier key: {label}"), "kind": "verifier_key", "error": error,
            "verifier_key": text,
        }));
    }
    Ok(())
}

fn note_case(name: &str, note: &str, verifiers: &[NoteVerifier]) -> Result<Json> {
    let error = expect_error(name, open_note(note, verifiers))?;
    let keys: Vec<String> = verifiers.iter().map(NoteVerifier::verifier_key).collect();
    Ok(json!({
        "name": format!("note: {name}"), "kind": "note", "error": error,
        "note": note, "verifier_keys": keys,
    }))
}

fn note_cases(cases: &mut Vec<Json>) -> Result<()> {
    let signer = fixed_signer();
    let other = NoteSigner::new(KEY_NAME, SigningKey::from_bytes(&OTHER_SEED))?;
    let known = [signer.verifier()];
    let note = signer.sign("hello\n")?;
    let (text, line) = note.split_once("\n\n").ok_or("note")?;
    // Byte 10 of the base64 signature lies inside the Ed25519 signature.
    let mut sig_chars: Vec<char> = line.chars().collect();
    let at = 2 + KEY_NAME.len() + 1 + 10;
    sig_chars[at] = if sig_chars[at] == 'A' { 'B' } else { 'A' };
    let altered_signature: String = sig_chars.into_iter().collect();
    // 68 signature bytes end in a 2-byte base64 group, whose last digit (before '=') has
    // two unused bits; setting one decodes to the same bytes, so strict base64 must fail.
    let padded_signature = set_unused_bits(line.trim_end_matches('\n'))? + "\n";
    let own_line = signer
        .sign("hello\n")?
        .split_once("\n\n")
        .ok_or("note")?
        .1
        .to_owned();
    cases.extend([
        note_case("altered text", &note.replacen("hello", "hellp", 1), &known)?,
        note_case(
            "altered signature",
            &format!("{text}\n\n{altered_signature}"),
            &known,
        )?,
        note_case("other key only", &note, &[other.verifier()])?,
        note_case("no verifiers", &note, &[])?,
        note_case("no blank line", &format!("{text}\n{line}"), &known)?,
        note_case("no final newline", note.trim_end_matches('\n'), &known)?,
        note_case(
            "hyphen instead of em dash",
            &note.replacen('\u{2014}', "-", 1),
            &known,
        )?,
        note_case(
            "no space after the key name",
            &note.replacen(&format!("{KEY_NAME} "), KEY_NAME, 1),
            &known,
        )?,
        note_case(
            "signature not base64",
            &format!("{text}\n\n\u{2014} {KEY_NAME} !!!!\n"),
            &known,
        )?,
        note_case(
            "signature too short",
            &format!("{text}\n\n\u{2014} {KEY_NAME} AAAA\n"),
            &known,
        )?,
        note_case(
            "control character",
            &note.replacen("hello", "hel\tlo", 1),
            &known,
        )?,
        note_case(
            "carriage return",
            &note.replacen("hello\n", "hello\r\n", 1),
            &known,
        )?,
        note_case("signature block only", line, &known)?,
        note_case(
            "valid signature then a bad one by the same key",
            &format!("{note}{}", altered_signature),
            &known,
        )?,
        note_case(
            "too many signatures",
            &format!("{text}\n\n{}", own_line.repeat(101)),
            &known,
        )?,
        note_case(
            "signature with non-zero unused base64 bits",
            &format!("{text}\n\n{padded_signature}"),
            &known,
        )?,
    ]);
    Ok(())
}

fn checkpoint_case(name: &str, note: &str, verifier: &NoteVerifier, origin: &str) -> Result<Json> {
    let error = expect_error(name, open_checkpoint(note, verifier, origin))?;
    Ok(json!({
        "name": format!("checkpoint: {name}"), "kind": "checkpoint", "error": error,
        "note": note, "verifier_key": verifier.verifier_key(), "expected_origin": origin,
    }))
}

fn checkpoint_cases(cases: &mut Vec<Json>) -> Result<()> {
    let signer = fixed_signer();
    let verifier = signer.verifier();
    let origin = checkpoint_origin(KEY_NAME, TenantId(1), StreamId(1));
    let tree = leaves(7);
    let checkpoint = Checkpoint {
        origin: origin.clone(),
        size: 7,
        root: root(&tree),
        extensions: vec![],
    };
    let body = checkpoint.to_body()?;
    let root_line = body.lines().nth(2).ok_or("body")?.to_owned();
    let note = signer.sign(&body)?;
    let other = NoteSigner::new(KEY_NAME, SigningKey::from_bytes(&OTHER_SEED))?;
    let signed = |text: &str| signer.sign(text);
    let short_root = root_line.replacen("=", "", 1);
    cases.extend([
        checkpoint_case(
            "other stream's origin",
            &note,
            &verifier,
            &format!("{origin}0"),
        )?,
        checkpoint_case("signed by another key", &note, &other.verifier(), &origin)?,
        checkpoint_case(
            "size changed after signing",
            &note.replacen("\n7\n", "\n8\n", 1),
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "size with a leading zero",
            &signed(&format!("{origin}\n07\n{root_line}\n"))?,
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "negative size",
            &signed(&format!("{origin}\n-7\n{root_line}\n"))?,
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "size beyond u64",
            &signed(&format!("{origin}\n18446744073709551616\n{root_line}\n"))?,
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "root not canonical base64",
            &signed(&format!("{origin}\n7\n{short_root}\n"))?,
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "root with non-zero unused base64 bits",
            &signed(&format!("{origin}\n7\n{}\n", set_unused_bits(&root_line)?))?,
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "root of 31 bytes",
            &signed(&format!("{origin}\n7\n{}\n", "A".repeat(40) + "AA=="))?,
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "two lines",
            &signed(&format!("{origin}\n7\n"))?,
            &verifier,
            &origin,
        )?,
        checkpoint_case(
            "empty origin",
            &signed(&format!("\n7\n{root_line}\n"))?,
            &verifier,
            "",
        )?,
        checkpoint_case(
            "empty extension line",
            &signed(&format!("{body}x\n\n"))?,
            &verifier,
            &origin,
        )?,
    ]);
    Ok(())
}

/// Sets the lowest bit of the last base64 digit before a single '=' padding: for a
/// 2-byte final group that bit carries no data, so only a strict decoder notices.
fn set_unused_bits(encoded: &str) -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let body = encoded
        .strip_suffix('=')
        .ok_or("expected one '=' of padding")?;
    let (head, last) = body.split_at(body.len() - 1);
    let digit = ALPHABET
        .iter()
        .position(|&c| c == last.as_bytes()[0])
        .ok_or("base64 digit")?;
    Ok(format!("{head}{}=", ALPHABET[digit | 1] as char))
}
