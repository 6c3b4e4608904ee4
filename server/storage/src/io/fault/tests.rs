//! Unit tests of the fault-injecting file system.

use std::io;
use std::path::Path;

use super::FaultVfs;
use crate::io::{OpenMode, Vfs};

const DIR: &str = "/data";

fn path(name: &str) -> std::path::PathBuf {
    Path::new(DIR).join(name)
}

/// A file `f` in a synced directory holding `synced` (synced) then `unsynced`.
fn file_with(vfs: &FaultVfs, synced: &[u8], unsynced: &[u8]) -> io::Result<()> {
    vfs.create_dir_all(Path::new(DIR))?;
    let file = vfs.open(&path("f"), OpenMode::CreateNew)?;
    vfs.sync_dir(Path::new(DIR))?;
    file.write_all_at(synced, 0)?;
    file.sync_data()?;
    file.write_all_at(unsynced, synced.len() as u64)?;
    Ok(())
}

#[test]
fn power_loss_keeps_synced_bytes_and_a_prefix_of_unsynced_ones() -> io::Result<()> {
    let synced = b"synced bytes|".to_vec();
    let unsynced = vec![0xAB; 64];
    let (mut lost, mut whole, mut torn) = (0, 0, 0);
    for seed in 0..200 {
        let vfs = FaultVfs::new(seed);
        file_with(&vfs, &synced, &unsynced)?;
        vfs.power_loss(seed);
        let after = vfs.contents(&path("f"))?;
        assert_eq!(&after[..synced.len()], &synced[..], "seed {seed}");
        assert!(after.len() <= synced.len() + unsynced.len(), "seed {seed}");
        let tail = &after[synced.len()..];
        if tail.is_empty() {
            lost += 1;
        } else if tail == &unsynced[..] {
            whole += 1;
        } else {
            torn += 1;
        }
        assert_eq!(vfs.synced_len(&path("f"))?, after.len() as u64);
    }
    assert!(
        lost > 0 && whole > 0 && torn > 0,
        "lost {lost}, whole {whole}, torn {torn}"
    );
    Ok(())
}

#[test]
fn power_loss_is_deterministic_per_seed() -> io::Result<()> {
    let outcome = |seed: u64| -> io::Result<Vec<u8>> {
        let vfs = FaultVfs::new(1);
        file_with(&vfs, b"a", &[7; 100])?;
        let file = vfs.open(&path("f"), OpenMode::Existing)?;
        file.write_all_at(&[9; 50], 101)?;
        vfs.power_loss(seed);
        vfs.contents(&path("f"))
    };
    let mut distinct = std::collections::BTreeSet::new();
    for seed in 0..20 {
        let first = outcome(seed)?;
        assert_eq!(first, outcome(seed)?, "seed {seed}");
        distinct.insert(first);
    }
    assert!(distinct.len() > 1, "every seed gave the same outcome");
    Ok(())
}

#[test]
fn unsynced_directory_entries_may_revert_and_synced_ones_stay() -> io::Result<()> {
    let (mut kept, mut reverted) = (0, 0);
    for seed in 0..100 {
        let vfs = FaultVfs::new(seed);
        vfs.create_dir_all(Path::new(DIR))?;
        vfs.open(&path("durable"), OpenMode::CreateNew)?;
        vfs.sync_dir(Path::new(DIR))?;
        vfs.open(&path("maybe"), OpenMode::CreateNew)?;
        vfs.power_loss(seed);
        assert!(vfs.exists(&path("durable")), "seed {seed}");
        if vfs.exists(&path("maybe")) {
            kept += 1;
        } else {
            reverted += 1;
        }
    }
    assert!(kept > 0 && reverted > 0, "kept {kept}, reverted {reverted}");
    Ok(())
}

#[test]
fn an_unsynced_rename_is_atomic_across_power_loss() -> io::Result<()> {
    let (mut old, mut new) = (0, 0);
    for seed in 0..100 {
        let vfs = FaultVfs::new(seed);
        file_with(&vfs, b"contents", b"")?;
        vfs.rename(&path("f"), &path("g"))?;
        vfs.power_loss(seed);
        match (vfs.exists(&path("f")), vfs.exists(&path("g"))) {
            (true, false) => old += 1,
            (false, true) => new += 1,
            other => panic!("seed {seed}: rename not atomic: {other:?}"),
        }
        let name = if vfs.exists(&path("f")) { "f" } else { "g" };
        assert_eq!(vfs.contents(&path(name))?, b"contents");
    }
    assert!(old > 0 && new > 0, "old {old}, new {new}");
    Ok(())
}

#[test]
fn a_synced_rename_survives() -> io::Result<()> {
    for seed in 0..20 {
        let vfs = FaultVfs::new(seed);
        file_with(&vfs, b"x", b"")?;
        vfs.rename(&path("f"), &path("g"))?;
        vfs.sync_dir(Path::new(DIR))?;
        vfs.power_loss(seed);
        assert!(
            !vfs.exists(&path("f")) && vfs.exists(&path("g")),
            "seed {seed}"
        );
    }
    Ok(())
}

#[test]
fn writes_past_the_budget_fail_with_enospc_after_writing_what_fits() -> io::Result<()> {
    let vfs = FaultVfs::new(0);
    file_with(&vfs, b"", b"")?;
    let file = vfs.open(&path("f"), OpenMode::Existing)?;
    vfs.fail_writes_after_bytes(10);
    file.write_all_at(&[1; 6], 0)?;
    let error = file.write_all_at(&[2; 6], 6).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    assert_eq!(vfs.contents(&path("f"))?, [1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
    assert_eq!(
        file.write_all_at(&[3], 0).unwrap_err().kind(),
        io::ErrorKind::StorageFull
    );
    vfs.clear_faults();
    file.write_all_at(&[3], 0)?;
    Ok(())
}

#[test]
fn a_failed_sync_can_lose_data_that_a_later_sync_claims() -> io::Result<()> {
    let mut lost = 0;
    for seed in 0..50 {
        let vfs = FaultVfs::new(seed);
        file_with(&vfs, b"", b"")?;
        let file = vfs.open(&path("f"), OpenMode::Existing)?;
        file.write_all_at(&[5; 32], 0)?;
        vfs.fail_sync_after(0);
        assert_eq!(file.sync_data().unwrap_err().raw_os_error(), Some(5));
        assert_eq!(
            vfs.contents(&path("f"))?,
            [5; 32],
            "reads still show the data"
        );
        file.sync_data()?;
        vfs.power_loss(seed);
        if vfs.contents(&path("f"))? != [5; 32] {
            lost += 1;
        }
    }
    assert!(lost > 0, "a retried sync never lost anything");
    Ok(())
}

#[test]
fn fail_sync_after_counts_successful_syncs() -> io::Result<()> {
    let vfs = FaultVfs::new(0);
    file_with(&vfs, b"", b"")?;
    let file = vfs.open(&path("f"), OpenMode::Existing)?;
    vfs.fail_sync_after(2);
    file.sync_data()?;
    file.sync_data()?;
    assert!(file.sync_data().is_err());
    file.sync_data()?;
    Ok(())
}

#[test]
fn bit_flips_change_what_is_read_and_what_is_durable() -> io::Result<()> {
    let vfs = FaultVfs::new(0);
    file_with(&vfs, &[0u8; 8], b"")?;
    vfs.flip_bit(&path("f"), 3, 2)?;
    assert_eq!(vfs.contents(&path("f"))?, [0, 0, 0, 4, 0, 0, 0, 0]);
    vfs.power_loss(0);
    assert_eq!(vfs.contents(&path("f"))?, [0, 0, 0, 4, 0, 0, 0, 0]);
    assert!(vfs.flip_bit(&path("f"), 8, 0).is_err());
    Ok(())
}

#[test]
fn failing_reads_fail_with_eio() -> io::Result<()> {
    let vfs = FaultVfs::new(0);
    file_with(&vfs, b"abc", b"")?;
    let file = vfs.open(&path("f"), OpenMode::ReadOnly)?;
    vfs.fail_reads(&path("f"))?;
    let mut buf = [0; 3];
    assert_eq!(
        file.read_at(&mut buf, 0).unwrap_err().raw_os_error(),
        Some(5)
    );
    vfs.clear_faults();
    file.read_exact_at(&mut buf, 0)?;
    assert_eq!(&buf, b"abc");
    assert!(
        file.write_all_at(b"x", 0).is_err(),
        "read-only handle wrote"
    );
    Ok(())
}

#[test]
fn handles_die_at_power_loss_and_follow_renames() -> io::Result<()> {
    let vfs = FaultVfs::new(0);
    file_with(&vfs, b"abc", b"")?;
    let file = vfs.open(&path("f"), OpenMode::Existing)?;
    vfs.rename(&path("f"), &path("g"))?;
    file.write_all_at(b"z", 0)?;
    assert_eq!(vfs.contents(&path("g"))?, b"zbc");
    vfs.power_loss(3);
    assert!(file.len().is_err());
    Ok(())
}

#[test]
fn open_modes_and_directories_behave_like_a_file_system() -> io::Result<()> {
    let vfs = FaultVfs::new(0);
    assert!(
        vfs.open(&path("f"), OpenMode::Create).is_err(),
        "created without a parent"
    );
    file_with(&vfs, b"", b"")?;
    assert!(vfs.open(&path("f"), OpenMode::CreateNew).is_err());
    assert!(vfs.open(&path("missing"), OpenMode::Existing).is_err());
    assert_eq!(vfs.read_dir(Path::new(DIR))?, vec![path("f")]);
    vfs.remove_file(&path("f"))?;
    assert!(!vfs.exists(&path("f")));
    assert!(vfs.read_dir(Path::new(DIR))?.is_empty());
    let stats = vfs.stats();
    assert_eq!((stats.writes, stats.syncs, stats.dir_syncs), (2, 1, 1));
    Ok(())
}
