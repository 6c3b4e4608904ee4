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
    cases.extend(inclusion_cases()?);
    cases.extend(consistency_cases()?);
    cases.extend(record_cases()?);
    cases.extend(verifier_key_cases()?);
    cases.extend(note_cases()?);
    cases.extend(checkpoint_cases()?);
    Ok(json!({
        "description": "Inputs every verifier must refuse. kind says which check applies: \
            inclusion (verify leaf_hex at index in a tree of size with root_hex), \
            consistency, record (decode encoded_hex), verifier_key (parse), note (open \
            with verifier_keys), checkpoint (open note with verifier_key, expecting \
            expected_origin). error is the name of the expected error variant.",
        "cases": cases,
    }))
}

fn flip(hash: &Hash) -> Hash {
    let mut out = *hash;
    out.0[0] ^= 1;
    out
}

/// The inputs of one inclusion check, changed one field at a time from a valid proof.
#[derive(Clone)]
struct Inclusion {
    leaf: Hash,
    index: u64,
    size: u64,
    proof: Vec<Hash>,
    root: Hash,
}

impl Inclusion {
    fn leaf(&self, leaf: Hash) -> Self {
        Self {
            leaf,
            ..self.clone()
        }
    }
    fn at(&self, index: u64, size: u64) -> Self {
        Self {
            index,
            size,
            ..self.clone()
        }
    }
    fn proof(&self, proof: &[Hash]) -> Self {
        Self {
            proof: proof.to_vec(),
            ..self.clone()
        }
    }
    fn root(&self, root: Hash) -> Self {
        Self {
            root,
            ..self.clone()
        }
    }
    fn case(&self, name: &str) -> Result<Json> {
        let verdict = verify_inclusion(&self.leaf, self.index, self.size, &self.proof, &self.root);
        Ok(json!({
            "name": format!("inclusion: {name}"), "kind": "inclusion",
            "error": expect_error(name, verdict)?,
            "leaf_hex": self.leaf.to_hex(), "index": self.index, "size": self.size,
            "proof_hex": hexes(&self.proof), "root_hex": self.root.to_hex(),
        }))
    }
}

fn inclusion_cases() -> Result<Vec<Json>> {
    let tree = leaves(7);
    let r = root(&tree);
    let proof = inclusion_proof(&tree, 3)?;
    let base = Inclusion {
        leaf: tree[3],
        index: 3,
        size: 7,
        proof: proof.clone(),
        root: r,
    };
    let mut flipped = proof.clone();
    flipped[1] = flip(&flipped[1]);
    let mut longer = proof.clone();
    longer.push(r);
    // Index 2 needs as many hashes as index 3, so only the root check can catch it.
    let table = [
        ("proof missing its last hash", base.proof(&proof[..2])),
        ("proof with an extra hash", base.proof(&longer)),
        ("proof with a flipped byte", base.proof(&flipped)),
        ("proof for the wrong index", base.at(2, 7)),
        ("another leaf", base.leaf(tree[4])),
        ("flipped root", base.root(flip(&r))),
        ("index equal to the size", base.at(7, 7)),
        ("index beyond the size", base.at(u64::MAX, 7)),
        ("empty tree", base.at(0, 0).proof(&[]).root(empty_root())),
        (
            "single-leaf tree with a proof",
            base.at(0, 1).proof(&proof[..1]).root(tree[3]),
        ),
    ];
    table
        .iter()
        .map(|(name, inputs)| inputs.case(name))
        .collect()
}

/// The inputs of one consistency check, changed one field at a time from a valid proof.
#[derive(Clone)]
struct Consistency {
    old_size: u64,
    new_size: u64,
    old_root: Hash,
    new_root: Hash,
    proof: Vec<Hash>,
}

impl Consistency {
    fn sizes(&self, old_size: u64, new_size: u64) -> Self {
        Self {
            old_size,
            new_size,
            ..self.clone()
        }
    }
    fn roots(&self, old_root: Hash, new_root: Hash) -> Self {
        Self {
            old_root,
            new_root,
            ..self.clone()
        }
    }
    fn proof(&self, proof: &[Hash]) -> Self {
        Self {
            proof: proof.to_vec(),
            ..self.clone()
        }
    }
    fn case(&self, name: &str) -> Result<Json> {
        let (old_size, new_size) = (self.old_size, self.new_size);
        let verdict = verify_consistency(
            old_size,
            new_size,
            &self.old_root,
            &self.new_root,
            &self.proof,
        );
        Ok(json!({
            "name": format!("consistency: {name}"), "kind": "consistency",
            "error": expect_error(name, verdict)?,
            "old_size": old_size, "new_size": new_size,
            "old_root_hex": self.old_root.to_hex(), "new_root_hex": self.new_root.to_hex(),
            "proof_hex": hexes(&self.proof),
        }))
    }
}

fn consistency_cases() -> Result<Vec<Json>> {
    let tree = leaves(11);
    let (old, new) = (root(&tree[..5]), root(&tree));
    let proof = consistency_proof(&tree, 5)?;
    let base = Consistency {
        old_size: 5,
        new_size: 11,
        old_root: old,
        new_root: new,
        proof: proof.clone(),
    };
    let mut flipped_last = proof.clone();
    let last = flipped_last.len() - 1;
    flipped_last[last] = flip(&flipped_last[last]);
    let mut flipped_first = proof.clone();
    flipped_first[0] = flip(&flipped_first[0]);
    let table = [
        ("proof missing a hash", base.proof(&proof[1..])),
        ("proof with a flipped last hash", base.proof(&flipped_last)),
        (
            "proof with a flipped first hash",
            base.proof(&flipped_first),
        ),
        ("flipped old root", base.roots(flip(&old), new)),
        ("flipped new root", base.roots(old, flip(&new))),
        (
            "old tree larger than the new",
            base.sizes(11, 5).roots(new, old),
        ),
        ("proof for other sizes", base.sizes(6, 11)),
        (
            "equal sizes with different roots",
            base.sizes(5, 5).proof(&[]),
        ),
        (
            "equal sizes with a proof",
            base.sizes(5, 5).roots(old, old).proof(&proof[..1]),
        ),
        (
            "from the empty tree with a proof",
            base.sizes(0, 11).roots(empty_root(), new),
        ),
        (
            "from size 0 with a non-empty root",
            base.sizes(0, 11).proof(&[]),
        ),
    ];
    table
        .iter()
        .map(|(name, inputs)| inputs.case(name))
        .collect()
}

fn record_cases() -> Result<Vec<Json>> {
    let good = sample_records()[1].as_ref().encode();
    let mut version = good.clone();
    version[0] = 2;
    let mut kind = good.clone();
    kind[33] = 3;
    let mut trailing = good.clone();
    trailing.push(0);
    let mut long_length = good.clone();
    long_length[66..70].copy_from_slice(&u32::MAX.to_be_bytes());
    let table: [(&str, &[u8]); 8] = [
        ("empty record", &[]),
        ("unknown version", &version),
        ("version 0", &[0]),
        ("header cut short", &good[..69]),
        ("unknown kind", &kind),
        ("payload cut short", &good[..good.len() - 1]),
        ("length beyond the bytes", &long_length),
        ("trailing byte", &trailing),
    ];
    let case = |(name, bytes): &(&str, &[u8])| -> Result<Json> {
        Ok(json!({
            "name": format!("record: {name}"), "kind": "record",
            "error": expect_error(name, decode_record(bytes))?,
            "encoded_hex": hex(bytes),
        }))
    };
    table.iter().map(case).collect()
}

fn verifier_key_cases() -> Result<Vec<Json>> {
    let key = fixed_signer().verifier_key();
    let (name, rest) = key.split_once('+').ok_or("verifier key")?;
    let (id, encoded) = rest.split_once('+').ok_or("verifier key")?;
    let table = [
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
    let case = |(label, text): &(&str, String)| -> Result<Json> {
        Ok(json!({
            "name": format!("verifier key: {label}"), "kind": "verifier_key",
            "error": expect_error(label, NoteVerifier::from_verifier_key(text))?,
            "verifier_key": text,
        }))
    };
    table.iter().map(case).collect()
}

fn note_case(name: &str, note: &str, verifiers: &[NoteVerifier]) -> Result<Json> {
    let keys: Vec<String> = verifiers.iter().map(NoteVerifier::verifier_key).collect();
    Ok(json!({
        "name": format!("note: {name}"), "kind": "note",
        "error": expect_error(name, open_note(note, verifiers))?,
        "note": note, "verifier_keys": keys,
    }))
}

/// A signature line of the test key whose signature bytes were changed: byte 10 of
/// the base64 lies inside the Ed25519 signature.
fn altered_signature_line(line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    let at = 2 + KEY_NAME.len() + 1 + 10;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

fn note_cases() -> Result<Vec<Json>> {
    let signer = fixed_signer();
    let other = NoteSigner::new(KEY_NAME, SigningKey::from_bytes(&OTHER_SEED))?;
    let note = signer.sign("hello\n")?;
    let (text, line) = note.split_once("\n\n").ok_or("note")?;
    let altered = altered_signature_line(line);
    // 68 signature bytes end in a 2-byte base64 group, whose last digit (before '=') has
    // two unused bits; setting one decodes to the same bytes, so strict base64 must fail.
    let loose = set_unused_bits(line.trim_end_matches('\n'))? + "\n";
    let (dash, name) = ("\u{2014}", KEY_NAME);
    let cut = note.trim_end_matches('\n').to_owned();
    let unspaced = note.replacen(&format!("{name} "), name, 1);
    let crlf = note.replacen("hello\n", "hello\r\n", 1);
    let table = [
        ("altered text", note.replacen("hello", "hellp", 1)),
        ("altered signature", format!("{text}\n\n{altered}")),
        ("no blank line", format!("{text}\n{line}")),
        ("no final newline", cut),
        ("hyphen instead of em dash", note.replacen(dash, "-", 1)),
        ("no space after the key name", unspaced),
        (
            "signature not base64",
            format!("{text}\n\n{dash} {name} !!!!\n"),
        ),
        (
            "signature too short",
            format!("{text}\n\n{dash} {name} AAAA\n"),
        ),
        ("control character", note.replacen("hello", "hel\tlo", 1)),
        ("carriage return", crlf),
        ("signature block only", line.to_owned()),
        (
            "valid then bad signature by one key",
            format!("{note}{altered}"),
        ),
        (
            "too many signatures",
            format!("{text}\n\n{}", line.repeat(101)),
        ),
        ("non-zero unused base64 bits", format!("{text}\n\n{loose}")),
    ];
    let known = [signer.verifier()];
    let mut cases = vec![
        note_case("other key only", &note, &[other.verifier()])?,
        note_case("no verifiers", &note, &[])?,
    ];
    for (label, text) in &table {
        cases.push(note_case(label, text, &known)?);
    }
    Ok(cases)
}

fn checkpoint_case(name: &str, note: &str, verifier: &NoteVerifier, origin: &str) -> Result<Json> {
    Ok(json!({
        "name": format!("checkpoint: {name}"), "kind": "checkpoint",
        "error": expect_error(name, open_checkpoint(note, verifier, origin))?,
        "note": note, "verifier_key": verifier.verifier_key(), "expected_origin": origin,
    }))
}

fn checkpoint_cases() -> Result<Vec<Json>> {
    let signer = fixed_signer();
    let other = NoteSigner::new(KEY_NAME, SigningKey::from_bytes(&OTHER_SEED))?;
    let ours = signer.verifier();
    let o = checkpoint_origin(KEY_NAME, TenantId(1), StreamId(1));
    let tree_root = root(&leaves(7));
    let body = Checkpoint {
        origin: o.clone(),
        size: 7,
        root: tree_root,
        extensions: vec![],
    }
    .to_body()?;
    let r = body.lines().nth(2).ok_or("body")?.to_owned();
    let note = signer.sign(&body)?;
    let resized = note.replacen("\n7\n", "\n8\n", 1);
    let mut cases = vec![
        checkpoint_case("other stream's origin", &note, &ours, &format!("{o}0"))?,
        checkpoint_case("signed by another key", &note, &other.verifier(), &o)?,
        checkpoint_case("size changed after signing", &resized, &ours, &o)?,
    ];
    // Each body below is signed by the right key, so only the body check can refuse it.
    let (unpadded, loose, short) = (r.replacen('=', "", 1), set_unused_bits(&r)?, "A".repeat(40));
    let bodies = [
        ("size with a leading zero", format!("{o}\n07\n{r}\n")),
        ("negative size", format!("{o}\n-7\n{r}\n")),
        (
            "size beyond u64",
            format!("{o}\n18446744073709551616\n{r}\n"),
        ),
        ("root not padded", format!("{o}\n7\n{unpadded}\n")),
        (
            "root with non-zero unused base64 bits",
            format!("{o}\n7\n{loose}\n"),
        ),
        ("root of 31 bytes", format!("{o}\n7\n{short}AA==\n")),
        ("two lines", format!("{o}\n7\n")),
        ("empty extension line", format!("{body}x\n\n")),
        (
            "malformed timestamp",
            format!("{body}kimberlite/timestamp-ns 0x1\n"),
        ),
    ];
    for (name, text) in &bodies {
        cases.push(checkpoint_case(name, &signer.sign(text)?, &ours, &o)?);
    }
    let empty_origin = signer.sign(&format!("\n7\n{r}\n"))?;
    cases.push(checkpoint_case("empty origin", &empty_origin, &ours, "")?);
    Ok(cases)
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
