//! Property tests: generated proofs verify and any single-bit change breaks them,
//! records and notes round-trip, and no parser panics on arbitrary input.

use ed25519_dalek::SigningKey;
use kimberlite_protocol::checkpoint::{open_checkpoint, Checkpoint};
use kimberlite_protocol::merkle::{
    consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion,
};
use kimberlite_protocol::note::{open_note, NoteSigner, NoteVerifier};
use kimberlite_protocol::record::{decode_record, Record, RecordKind};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};
use proptest::prelude::*;

use super::fixtures::{fixed_signer, leaves};

fn flip_bit(hashes: &mut [Hash], bit: usize) {
    let bit = bit % (hashes.len() * 256);
    hashes[bit / 256].0[(bit % 256) / 8] ^= 1 << (bit % 8);
}

fn size_and_index() -> impl Strategy<Value = (u64, u64)> {
    (1u64..=600).prop_flat_map(|size| (Just(size), 0..size))
}

fn old_and_new_size() -> impl Strategy<Value = (u64, u64)> {
    (1u64..=600).prop_flat_map(|new| (0..=new, Just(new)))
}

proptest! {
    #[test]
    fn inclusion_proofs_verify_and_any_bit_flip_fails(
        (size, index) in size_and_index(),
        bit in any::<usize>(),
    ) {
        let tree = leaves(size);
        let tree_root = root(&tree);
        let proof = inclusion_proof(&tree, index).unwrap();
        verify_inclusion(&tree[index as usize], index, size, &proof, &tree_root).unwrap();
        // Flip one bit of leaf || proof || root.
        let mut all = vec![tree[index as usize]];
        all.extend(&proof);
        all.push(tree_root);
        flip_bit(&mut all, bit);
        let (leaf, rest) = all.split_first().unwrap();
        let (changed_root, changed_proof) = rest.split_last().unwrap();
        prop_assert!(verify_inclusion(leaf, index, size, changed_proof, changed_root).is_err());
    }

    #[test]
    fn consistency_proofs_verify_and_any_bit_flip_fails(
        (old_size, new_size) in old_and_new_size(),
        bit in any::<usize>(),
    ) {
        let tree = leaves(new_size);
        let (old_root, new_root) = (root(&tree[..old_size as usize]), root(&tree));
        let proof = consistency_proof(&tree, old_size).unwrap();
        verify_consistency(old_size, new_size, &old_root, &new_root, &proof).unwrap();
        let mut all = vec![old_root, new_root];
        all.extend(&proof);
        flip_bit(&mut all, bit);
        // From the empty tree the new root is unconstrained, so only the old root and
        // the (empty) proof can be changed meaningfully.
        if old_size == 0 && bit % (all.len() * 256) / 256 == 1 {
            return Ok(());
        }
        let result = verify_consistency(old_size, new_size, &all[0], &all[1], &all[2..]);
        prop_assert!(result.is_err());
    }

    #[test]
    fn proofs_do_not_verify_for_other_positions(
        (size, index) in size_and_index(),
        other in any::<u64>(),
    ) {
        let tree = leaves(size);
        let proof = inclusion_proof(&tree, index).unwrap();
        let other = other % size;
        prop_assume!(other != index);
        let result = verify_inclusion(&tree[index as usize], other, size, &proof, &root(&tree));
        prop_assert!(result.is_err());
    }

    #[test]
    fn records_round_trip(
        ids in any::<(u64, u64, u64, u64)>(),
        kind in 0u8..3,
        prev in any::<[u8; 32]>(),
        payload in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let record = Record {
            tenant_id: TenantId(ids.0),
            stream_id: StreamId(ids.1),
            offset: Offset(ids.2),
            timestamp_ns: ids.3,
            kind: RecordKind::from_u8(kind).unwrap(),
            prev_hash: Hash(prev),
            payload,
        };
        let encoded = record.as_ref().encode();
        prop_assert_eq!(encoded.len(), 70 + record.payload.len());
        prop_assert_eq!(decode_record(&encoded).unwrap(), record);
    }

    #[test]
    fn notes_round_trip(
        name in "[a-z0-9][a-z0-9./_-]{0,30}",
        seed in any::<[u8; 32]>(),
        text in "([^\\x00-\\x1f]{0,40}\n){1,6}",
    ) {
        let signer = NoteSigner::new(&name, SigningKey::from_bytes(&seed)).unwrap();
        let verifier = NoteVerifier::from_verifier_key(&signer.verifier_key()).unwrap();
        let note = signer.sign(&text).unwrap();
        let opened = open_note(&note, &[verifier]).unwrap();
        prop_assert_eq!(opened.text, text);
    }

    #[test]
    fn edited_notes_never_verify_with_other_text(
        edits in proptest::collection::vec((any::<usize>(), any::<char>()), 1..4),
    ) {
        let signer = fixed_signer();
        let checkpoint = Checkpoint {
            origin: "db.kimberlite.test/tenant/1/stream/1".into(),
            size: 3,
            root: root(&leaves(3)),
            extensions: vec![],
        };
        let body = checkpoint.to_body().unwrap();
        let note = signer.sign(&body).unwrap();
        let mut chars: Vec<char> = note.chars().collect();
        for (at, c) in edits {
            let at = at % chars.len();
            chars[at] = c;
        }
        let edited: String = chars.into_iter().collect();
        if let Ok(opened) = open_note(&edited, &[signer.verifier()]) {
            prop_assert_eq!(opened.text, body.clone());
        }
        if let Ok(opened) = open_checkpoint(&edited, &signer.verifier(), &checkpoint.origin) {
            prop_assert_eq!(opened, checkpoint);
        }
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in "(?s).{0,400}") {
        let verifier = fixed_signer().verifier();
        let _ = open_note(&text, std::slice::from_ref(&verifier));
        let _ = open_checkpoint(&text, &verifier, "db.kimberlite.test/tenant/1/stream/1");
        let _ = Checkpoint::parse_body(&text);
        let _ = NoteVerifier::from_verifier_key(&text);
    }

    #[test]
    fn record_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(record) = decode_record(&bytes) {
            prop_assert_eq!(record.as_ref().encode(), bytes);
        }
    }

    #[test]
    fn verifiers_never_panic_on_arbitrary_sizes(
        a in any::<u64>(),
        b in any::<u64>(),
        proof in proptest::collection::vec(any::<[u8; 32]>(), 0..70),
        roots in any::<([u8; 32], [u8; 32])>(),
    ) {
        let proof: Vec<Hash> = proof.into_iter().map(Hash).collect();
        let (x, y) = (Hash(roots.0), Hash(roots.1));
        let _ = verify_inclusion(&x, a, b, &proof, &y);
        let _ = verify_consistency(a, b, &x, &y, &proof);
        let _ = verify_consistency(a.min(b), a.max(b), &x, &y, &proof);
    }
}
