//! Batched proofs equal the proofs built one by one, and they verify.

use std::sync::Arc;

use kimberlite_protocol::merkle::{leaf_hash, root, verify_inclusion};
use kimberlite_protocol::Hash;

use super::super::HashTree;
use crate::index::IndexError;
use crate::io::os::OsVfs;
use crate::io::Vfs;

fn leaves(count: u64) -> Vec<Hash> {
    (0..count)
        .map(|index| leaf_hash(&index.to_le_bytes()))
        .collect()
}

#[test]
fn every_run_matches_the_single_proofs_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
    let mut tree = HashTree::open(&vfs, dir.path().join("tree.hashes")).unwrap();
    let all = leaves(77);
    for (index, leaf) in all.iter().enumerate() {
        tree.append(*leaf);
        // Half the tree on disk, half pending, so runs straddle the two.
        if index == 40 {
            tree.flush().unwrap();
        }
    }
    for size in [1u64, 2, 7, 16, 41, 64, 77] {
        let expected_root = root(&all[..size as usize]);
        for from in 0..size {
            for to in [from, from + 1, (from + 5).min(size), size] {
                let proofs = tree.inclusion_proofs(from, to, size).unwrap();
                assert_eq!(proofs.len() as u64, to - from);
                for (index, proof) in (from..to).zip(&proofs) {
                    assert_eq!(proof, &tree.inclusion_proof(index, size).unwrap());
                    let leaf = &all[index as usize];
                    verify_inclusion(leaf, index, size, proof, &expected_root).unwrap();
                }
            }
        }
    }
}

#[test]
fn runs_beyond_the_tree_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
    let mut tree = HashTree::open(&vfs, dir.path().join("tree.hashes")).unwrap();
    for leaf in leaves(5) {
        tree.append(leaf);
    }
    for (from, to, size) in [(0, 6, 5), (0, 5, 6), (3, 2, 5), (0, 5, 4)] {
        assert!(matches!(
            tree.inclusion_proofs(from, to, size),
            Err(IndexError::OutOfRange { .. })
        ));
    }
}
