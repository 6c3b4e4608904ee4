//! Fuzzes Merkle proof verification: arbitrary sizes, indices, roots and proof hashes
//! must never panic, and a proof of a real tree changed in any hash must be refused.

#![no_main]

use kimberlite_protocol::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion,
};
use kimberlite_protocol::Hash;
use libfuzzer_sys::fuzz_target;

type Input = (u64, u64, [u8; 32], [u8; 32], Vec<[u8; 32]>, Vec<(u8, u8)>);

fuzz_target!(|input: Input| {
    let (a, b, first, second, proof, edits) = input;
    let proof: Vec<Hash> = proof.into_iter().map(Hash).collect();
    let (first, second) = (Hash(first), Hash(second));

    // Raw input: anything may fail, nothing may panic.
    let _ = verify_inclusion(&first, a, b, &proof, &second);
    let _ = verify_consistency(a, b, &first, &second, &proof);
    let _ = verify_consistency(a.min(b), a.max(b), &first, &second, &proof);

    // A real tree of up to 128 leaves, its proofs, then edits of the proof bytes.
    let size = b % 128 + 1;
    let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let tree_root = root(&leaves);
    let index = a % size;
    let good = inclusion_proof(&leaves, index).expect("index is in range");
    assert!(verify_inclusion(&leaves[index as usize], index, size, &good, &tree_root).is_ok());
    let changed = edit(&good, &edits);
    let verdict = verify_inclusion(&leaves[index as usize], index, size, &changed, &tree_root);
    assert_eq!(
        verdict.is_ok(),
        changed == good,
        "an edited inclusion proof verified"
    );

    let old_size = a % (size + 1);
    let old_root = root(&leaves[..old_size as usize]);
    let good = consistency_proof(&leaves, old_size).expect("old size is in range");
    assert!(verify_consistency(old_size, size, &old_root, &tree_root, &good).is_ok());
    let changed = edit(&good, &edits);
    let verdict = verify_consistency(old_size, size, &old_root, &tree_root, &changed);
    assert_eq!(
        verdict.is_ok(),
        changed == good,
        "an edited consistency proof verified"
    );
});

/// Applies (position, xor) edits to the proof's bytes; position 255 drops the last hash.
fn edit(proof: &[Hash], edits: &[(u8, u8)]) -> Vec<Hash> {
    let mut out = proof.to_vec();
    for &(position, mask) in edits {
        if position == 255 {
            out.pop();
        } else if !out.is_empty() {
            let byte = usize::from(position) % (out.len() * 32);
            out[byte / 32].0[byte % 32] ^= mask;
        }
    }
    out
}
