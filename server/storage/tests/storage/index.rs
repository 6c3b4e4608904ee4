//! The per-stream indexes against the in-memory reference: roots, inclusion and
//! consistency proofs of the stored tree equal `kimberlite_protocol::merkle`'s
//! and verify; the offset index answers time lookups as a linear scan would;
//! both survive reopening, torn tails and truncation.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test loudly"
)]

use std::path::Path;
use std::sync::Arc;

use kimberlite_protocol::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion,
};
use kimberlite_protocol::{Hash, StreamId, TenantId};
use kimberlite_storage::index::tree_layout::node_count;
use kimberlite_storage::index::{
    stream_dir, HashTree, IndexError, OffsetEntry, OffsetIndex, StreamIndexes, OFFSETS_FILE,
    TREE_FILE,
};
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn vfs() -> Arc<dyn Vfs> {
    Arc::new(OsVfs)
}

fn leaves(count: u64) -> Vec<Hash> {
    (0..count)
        .map(|index| leaf_hash(&index.to_be_bytes()))
        .collect()
}

fn tree_with(dir: &Path, hashes: &[Hash]) -> HashTree {
    let mut tree = HashTree::open(&vfs(), dir.join(TREE_FILE)).unwrap();
    for hash in hashes {
        tree.append(*hash);
    }
    tree
}

/// Checks the stored tree at `size` against the in-memory functions.
fn check_size(tree: &HashTree, all: &[Hash], size: u64, indexes: &[u64], old_sizes: &[u64]) {
    let prefix = &all[..size as usize];
    let expected_root = root(prefix);
    assert_eq!(tree.root_at(size).unwrap(), expected_root, "root at {size}");
    for &index in indexes {
        let proof = tree.inclusion_proof(index, size).unwrap();
        assert_eq!(
            proof,
            inclusion_proof(prefix, index).unwrap(),
            "inclusion {index}/{size}"
        );
        verify_inclusion(&all[index as usize], index, size, &proof, &expected_root).unwrap();
    }
    for &old in old_sizes {
        let proof = tree.consistency_proof(old, size).unwrap();
        assert_eq!(
            proof,
            consistency_proof(prefix, old).unwrap(),
            "consistency {old}->{size}"
        );
        let old_root = root(&all[..old as usize]);
        verify_consistency(old, size, &old_root, &expected_root, &proof).unwrap();
    }
}

#[test]
fn every_size_up_to_300_matches_the_in_memory_tree() {
    let dir = tempfile::tempdir().unwrap();
    let all = leaves(300);
    let mut tree = HashTree::open(&vfs(), dir.path().join(TREE_FILE)).unwrap();
    assert_eq!(tree.root(), root(&[]));
    for (count, hash) in all.iter().enumerate() {
        tree.append(*hash);
        assert_eq!(
            tree.root(),
            root(&all[..=count]),
            "frontier root at {}",
            count + 1
        );
        // Flush at irregular points so reads straddle the file and the pending tail.
        if count % 7 == 3 {
            tree.flush().unwrap();
        }
    }
    let mut rng = StdRng::seed_from_u64(1);
    for size in 0..=300u64 {
        let (indexes, old_sizes): (Vec<u64>, Vec<u64>) = if size <= 80 {
            ((0..size).collect(), (0..=size).collect())
        } else {
            let mut indexes = vec![0, size / 2, size - 1];
            let mut old_sizes = vec![0, 1, size / 2, size - 1, size];
            for _ in 0..6 {
                indexes.push(rng.gen_range(0..size));
                old_sizes.push(rng.gen_range(1..=size));
            }
            (indexes, old_sizes)
        };
        check_size(&tree, &all, size, &indexes, &old_sizes);
    }
}

#[test]
fn random_larger_sizes_match_across_reopening() {
    let mut rng = StdRng::seed_from_u64(2);
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let total = rng.gen_range(2_000..20_000u64);
        let all = leaves(total);
        let reopen_at = rng.gen_range(1..total) as usize;
        let mut tree = tree_with(dir.path(), &all[..reopen_at]);
        tree.flush().unwrap();
        drop(tree);
        let mut tree = HashTree::open(&vfs(), dir.path().join(TREE_FILE)).unwrap();
        assert_eq!(tree.len(), reopen_at as u64);
        assert_eq!(tree.root(), root(&all[..reopen_at]));
        for hash in &all[reopen_at..] {
            tree.append(*hash);
        }
        for _ in 0..5 {
            let size = rng.gen_range(1..=total);
            let indexes: Vec<u64> = (0..4).map(|_| rng.gen_range(0..size)).collect();
            let old_sizes: Vec<u64> = (0..4).map(|_| rng.gen_range(0..=size)).collect();
            check_size(&tree, &all, size, &indexes, &old_sizes);
        }
    }
}

#[test]
fn a_torn_or_half_written_tree_opens_at_its_last_whole_size() {
    let dir = tempfile::tempdir().unwrap();
    let all = leaves(15);
    let mut tree = tree_with(dir.path(), &all);
    tree.flush().unwrap();
    drop(tree);
    let path = dir.path().join(TREE_FILE);
    let file = vfs()
        .open(&path, kimberlite_storage::io::OpenMode::Existing)
        .unwrap();
    // Leaf 15 completes four subtrees: the leaf and two of them written, then
    // a torn hash.
    let whole = node_count(15) * 32;
    assert_eq!(node_count(16) * 32, whole + 5 * 32);
    file.write_all_at(&[0xAA; 3 * 32 + 17], whole).unwrap();
    drop(file);
    let tree = HashTree::open(&vfs(), path.clone()).unwrap();
    assert_eq!(tree.len(), 15);
    assert_eq!(tree.root(), root(&all));
    assert_eq!(
        vfs()
            .open(&path, kimberlite_storage::io::OpenMode::ReadOnly)
            .unwrap()
            .len()
            .unwrap(),
        whole
    );
}

#[test]
fn truncation_rebuilds_the_frontier_forgets_read_hashes_and_appends_continue() {
    let dir = tempfile::tempdir().unwrap();
    let all = leaves(100);
    let mut tree = tree_with(dir.path(), &all);
    tree.flush().unwrap();
    // Proofs read (and keep in memory) hashes that the cut drops and the
    // appends below write again with other values.
    check_size(&tree, &all, 100, &[0, 36, 37, 50, 86, 99], &[1, 36, 37, 50]);
    tree.truncate(37).unwrap();
    assert_eq!(tree.len(), 37);
    assert_eq!(tree.root(), root(&all[..37]));
    let other = leaves(200)[150..].to_vec();
    for hash in &other {
        tree.append(*hash);
    }
    let mut expected = all[..37].to_vec();
    expected.extend_from_slice(&other);
    check_size(
        &tree,
        &expected,
        expected.len() as u64,
        &[0, 36, 37, 86],
        &[1, 36, 37, 50],
    );
}

#[test]
fn out_of_range_requests_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let tree = tree_with(dir.path(), &leaves(5));
    assert!(matches!(
        tree.root_at(6),
        Err(IndexError::OutOfRange {
            what: "tree size",
            ..
        })
    ));
    assert!(matches!(
        tree.leaf(5),
        Err(IndexError::OutOfRange { what: "leaf", .. })
    ));
    assert!(matches!(
        tree.inclusion_proof(5, 5),
        Err(IndexError::OutOfRange { .. })
    ));
    assert!(matches!(
        tree.inclusion_proof(0, 6),
        Err(IndexError::OutOfRange { .. })
    ));
    assert!(matches!(
        tree.consistency_proof(4, 3),
        Err(IndexError::Proof(_))
    ));
    assert!(matches!(
        tree.consistency_proof(1, 6),
        Err(IndexError::OutOfRange { .. })
    ));
    assert_eq!(tree.leaf(4).unwrap(), leaf_hash(&4u64.to_be_bytes()));
}

fn entry(wal_position: u64, timestamp_ns: u64) -> OffsetEntry {
    OffsetEntry {
        wal_position,
        timestamp_ns,
    }
}

#[test]
fn time_lookup_agrees_with_a_linear_scan() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let mut index = OffsetIndex::open(&vfs(), dir.path().join(OFFSETS_FILE)).unwrap();
    let mut timestamps = Vec::new();
    let mut now = 1_000u64;
    for offset in 0..500u64 {
        now += rng.gen_range(0..3); // repeats happen: a batch shares its timestamp
        index.append(entry(offset * 100, now)).unwrap();
        timestamps.push(now);
        if offset % 50 == 0 {
            index.flush().unwrap();
        }
    }
    for probe in 990..now + 3 {
        let expected = timestamps
            .iter()
            .rposition(|&time| time <= probe)
            .map(|at| at as u64);
        assert_eq!(
            index.last_at_or_before(probe).unwrap(),
            expected,
            "at {probe}"
        );
    }
    assert_eq!(index.get(7).unwrap(), Some(entry(700, timestamps[7])));
    assert_eq!(index.get(500).unwrap(), None);
    let regression = index.append(entry(0, now - 1));
    assert!(matches!(
        regression,
        Err(IndexError::TimestampRegression { offset: 500, .. })
    ));
}

#[test]
fn offsets_drop_a_torn_entry_and_truncate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(OFFSETS_FILE);
    let mut index = OffsetIndex::open(&vfs(), path.clone()).unwrap();
    for offset in 0..10 {
        index.append(entry(offset, 10 * offset)).unwrap();
    }
    index.sync().unwrap();
    drop(index);
    let file = vfs()
        .open(&path, kimberlite_storage::io::OpenMode::Existing)
        .unwrap();
    file.write_all_at(&[1; 9], 160).unwrap();
    drop(file);
    let mut index = OffsetIndex::open(&vfs(), path).unwrap();
    assert_eq!(index.len(), 10);
    assert_eq!(index.get(9).unwrap(), Some(entry(9, 90)));
    index.truncate(4).unwrap();
    assert_eq!(index.last_at_or_before(1_000).unwrap(), Some(3));
    // The timestamps after the cut are gone, so an earlier one is acceptable again.
    index.append(entry(99, 35)).unwrap();
    assert_eq!(index.get(4).unwrap(), Some(entry(99, 35)));
}

#[test]
fn stream_indexes_stay_in_step_and_reopen_at_the_shorter_file() {
    let dir = tempfile::tempdir().unwrap();
    let (tenant, stream) = (TenantId(7), StreamId(3));
    let all = leaves(40);
    let mut indexes = StreamIndexes::open(vfs(), dir.path(), tenant, stream).unwrap();
    for (offset, hash) in all.iter().enumerate() {
        indexes
            .append_record(offset as u64 * 64, offset as u64, *hash)
            .unwrap();
    }
    indexes.sync().unwrap();
    assert_eq!(indexes.root(), root(&all));
    drop(indexes);

    let stream_path = stream_dir(dir.path(), tenant, stream);
    assert!(stream_path.ends_with("7/3"));
    // The offsets file loses its last 5 entries: both indexes reopen at 35.
    let offsets = vfs()
        .open(
            &stream_path.join(OFFSETS_FILE),
            kimberlite_storage::io::OpenMode::Existing,
        )
        .unwrap();
    offsets.set_len(35 * 16).unwrap();
    drop(offsets);
    let indexes = StreamIndexes::open(vfs(), dir.path(), tenant, stream).unwrap();
    assert_eq!(indexes.len(), 35);
    assert_eq!(indexes.root(), root(&all[..35]));
    assert_eq!(indexes.offsets_get(34).unwrap(), Some((34 * 64, 34)));
    assert_eq!(indexes.last_at_or_before(100).unwrap(), Some(34));
    assert_eq!(indexes.leaf(10).unwrap(), all[10]);
}
