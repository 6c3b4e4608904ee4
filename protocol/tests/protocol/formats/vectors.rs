//! Our positive vectors: every record, root, proof, note and checkpoint in
//! tests/vectors is reproduced by the implementation and verifies.

use ed25519_dalek::SigningKey;
use kimberlite_protocol::checkpoint::{open_checkpoint, sign_checkpoint, Checkpoint};
use kimberlite_protocol::merkle::{
    consistency_proof, consistency_proof_ranges, empty_root, inclusion_proof,
    inclusion_proof_ranges, range_proof, range_proof_ranges, root, verify_consistency,
    verify_inclusion, verify_range, SubtreeRange,
};
use kimberlite_protocol::note::{open_note, NoteSigner, NoteVerifier};
use kimberlite_protocol::record::{
    decode_record, genesis_hash, record_hash, verify_chain, RecordKind, RecordRef,
};
use kimberlite_protocol::{Offset, StreamId, TenantId};
use serde_json::Value as Json;

use super::fixtures::{leaves, SERVER_SEED};
use super::{bytes, entries, hash, hashes, number, read_vectors, text};

fn check_record(entry: &Json) -> Vec<u8> {
    let kind = RecordKind::from_u8(u8::try_from(number(entry, "kind_byte")).unwrap()).unwrap();
    assert_eq!(format!("{kind:?}"), text(entry, "kind"));
    let payload = bytes(entry, "payload_hex");
    let record = RecordRef {
        tenant_id: TenantId(number(entry, "tenant_id")),
        stream_id: StreamId(number(entry, "stream_id")),
        offset: Offset(number(entry, "offset")),
        timestamp_ns: number(entry, "timestamp_ns"),
        kind,
        prev_hash: hash(entry, "prev_hash_hex"),
        payload: &payload,
    };
    let encoded = bytes(entry, "encoded_hex");
    assert_eq!(record.encode(), encoded);
    assert_eq!(decode_record(&encoded).unwrap(), record.to_owned_record());
    assert_eq!(record_hash(&encoded), hash(entry, "hash_hex"));
    encoded
}

#[test]
fn records_and_genesis_values() {
    let vectors = read_vectors("records.json");
    for entry in entries(&vectors, "genesis") {
        let (t, s) = (
            TenantId(number(entry, "tenant_id")),
            StreamId(number(entry, "stream_id")),
        );
        assert_eq!(genesis_hash(t, s), hash(entry, "hash_hex"));
    }
    for entry in entries(&vectors, "records") {
        check_record(entry);
    }
}

#[test]
fn record_chain() {
    let chain = &read_vectors("records.json")["chain"];
    let (t, s) = (
        TenantId(number(chain, "tenant_id")),
        StreamId(number(chain, "stream_id")),
    );
    assert_eq!(genesis_hash(t, s), hash(chain, "genesis_hex"));
    let encoded: Vec<Vec<u8>> = entries(chain, "records").iter().map(check_record).collect();
    let head = verify_chain(t, s, encoded.iter().map(Vec::as_slice)).unwrap();
    assert_eq!(head, hash(chain, "head_hex"));
    let leaf_hashes: Vec<_> = encoded.iter().map(|bytes| record_hash(bytes)).collect();
    assert_eq!(root(&leaf_hashes), hash(chain, "root_hex"));
}

fn ranges(entry: &Json) -> Vec<SubtreeRange> {
    entries(entry, "proof_ranges")
        .iter()
        .map(|pair| SubtreeRange::new(pair[0].as_u64().unwrap(), pair[1].as_u64().unwrap()))
        .collect()
}

#[test]
fn merkle_roots_and_proofs() {
    let vectors = read_vectors("merkle.json");
    let all = leaves(4097);
    assert_eq!(empty_root(), hash(&vectors, "empty_root_hex"));
    assert_eq!(hashes(&vectors, "leaf_hashes_hex"), all[..64]);
    for entry in entries(&vectors, "roots") {
        assert_eq!(
            root(&all[..number(entry, "size") as usize]),
            hash(entry, "root_hex")
        );
    }
    let inclusion = entries(&vectors, "inclusion_proofs");
    assert!(inclusion.len() >= 136);
    for entry in inclusion {
        let (index, size) = (number(entry, "index"), number(entry, "size"));
        let proof = hashes(entry, "proof_hex");
        let (leaf, tree_root) = (hash(entry, "leaf_hex"), hash(entry, "root_hex"));
        assert_eq!(leaf, all[index as usize]);
        assert_eq!(tree_root, root(&all[..size as usize]));
        assert_eq!(
            inclusion_proof(&all[..size as usize], index).unwrap(),
            proof
        );
        assert_eq!(inclusion_proof_ranges(index, size).unwrap(), ranges(entry));
        verify_inclusion(&leaf, index, size, &proof, &tree_root).unwrap();
    }
    let consistency = entries(&vectors, "consistency_proofs");
    assert!(consistency.len() >= 136);
    for entry in consistency {
        let (old_size, new_size) = (number(entry, "old_size"), number(entry, "new_size"));
        let proof = hashes(entry, "proof_hex");
        let (old_root, new_root) = (hash(entry, "old_root_hex"), hash(entry, "new_root_hex"));
        assert_eq!(old_root, root(&all[..old_size as usize]));
        assert_eq!(
            consistency_proof(&all[..new_size as usize], old_size).unwrap(),
            proof
        );
        assert_eq!(
            consistency_proof_ranges(old_size, new_size).unwrap(),
            ranges(entry)
        );
        verify_consistency(old_size, new_size, &old_root, &new_root, &proof).unwrap();
    }
    let range = entries(&vectors, "range_proofs");
    assert!(range.len() >= 120);
    for entry in range {
        let (from, to, size) = (
            number(entry, "from"),
            number(entry, "to"),
            number(entry, "size"),
        );
        let proof = hashes(entry, "proof_hex");
        let tree_root = hash(entry, "root_hex");
        let tree = &all[..size as usize];
        assert_eq!(range_proof(tree, from, to).unwrap(), proof);
        assert_eq!(range_proof_ranges(from, to, size).unwrap(), ranges(entry));
        let run = &tree[from as usize..to as usize];
        verify_range(run, from, size, &proof, &tree_root).unwrap();
    }
}

#[test]
fn notes_by_the_fixed_key() {
    let vectors = read_vectors("notes.json");
    let signer = NoteSigner::new(
        text(&vectors, "key_name"),
        SigningKey::from_bytes(&SERVER_SEED),
    )
    .unwrap();
    assert_eq!(hex::encode(SERVER_SEED), text(&vectors, "seed_hex"));
    assert_eq!(signer.verifier_key(), text(&vectors, "verifier_key"));
    assert_eq!(
        format!("{:08x}", signer.key_id()),
        text(&vectors, "key_id_hex")
    );
    let verifier = NoteVerifier::from_verifier_key(text(&vectors, "verifier_key")).unwrap();
    assert_eq!(
        hex::encode(verifier.public_key().as_bytes()),
        text(&vectors, "public_key_hex")
    );
    for entry in entries(&vectors, "notes") {
        let note = text(entry, "note");
        assert_eq!(signer.sign(text(entry, "text")).unwrap(), note);
        let opened = open_note(note, std::slice::from_ref(&verifier)).unwrap();
        assert_eq!(opened.text, text(entry, "text"));
    }
}

#[test]
fn checkpoints_by_the_fixed_key() {
    let vectors = read_vectors("checkpoints.json");
    let signer = NoteSigner::new(
        text(&vectors, "key_name"),
        SigningKey::from_bytes(&SERVER_SEED),
    )
    .unwrap();
    let verifier = NoteVerifier::from_verifier_key(text(&vectors, "verifier_key")).unwrap();
    for entry in entries(&vectors, "checkpoints") {
        let origin = text(entry, "origin");
        let opened = open_checkpoint(text(entry, "note"), &verifier, origin).unwrap();
        let extensions: Vec<String> = entries(entry, "extensions")
            .iter()
            .map(|line| line.as_str().unwrap().to_owned())
            .collect();
        let expected = Checkpoint {
            origin: origin.to_owned(),
            size: number(entry, "size"),
            root: hash(entry, "root_hex"),
            extensions,
        };
        assert_eq!(opened, expected);
        assert_eq!(
            opened.timestamp_ns().unwrap(),
            entry["timestamp_ns"].as_u64()
        );
        assert_eq!(expected.to_body().unwrap(), text(entry, "body"));
        assert_eq!(
            sign_checkpoint(&expected, &signer).unwrap(),
            text(entry, "note")
        );
        assert_eq!(expected.root, root(&leaves(expected.size)));
    }
}
