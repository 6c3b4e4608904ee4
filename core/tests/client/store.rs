//! The trusted-state directory: pinning, compare-and-store, atomic replacement,
//! two writers under the lock, and corrupted files.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kimberlite::verify::{StoreOutcome, TrustedStateDir};
use kimberlite::VerificationFailure;

use crate::fixtures::{signer, Log};

fn checkpoint_file(dir: &TrustedStateDir, log: &Log) -> std::path::PathBuf {
    dir.path()
        .join("checkpoints")
        .join(format!("{:08x}", signer(1).key_id()))
        .join(format!("{}-{}", log.tenant_id, log.stream_id))
}

/// Advances the trusted size by one, retrying while others move it.
fn increment(dir: &TrustedStateDir, log: &Log, notes: &[String]) -> usize {
    let verifier = signer(1).verifier();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let current = dir
            .load_checkpoint(&verifier, log.tenant_id, log.stream_id)
            .unwrap();
        let next = current.as_ref().map_or(1, |checkpoint| checkpoint.size + 1);
        let note = &notes[next as usize];
        let outcome = dir
            .compare_and_store(
                &verifier,
                log.tenant_id,
                log.stream_id,
                current.as_ref(),
                note,
            )
            .unwrap();
        if outcome == StoreOutcome::Stored {
            return attempts;
        }
    }
}

#[test]
fn the_first_key_pinned_stays_pinned() {
    let temp = tempfile::tempdir().unwrap();
    let dir = TrustedStateDir::open(temp.path().join("state")).unwrap();
    assert_eq!(dir.pinned_key("db:5432").unwrap(), None);
    assert_eq!(dir.pin_key_if_absent("db:5432", "first").unwrap(), "first");
    assert_eq!(dir.pin_key_if_absent("db:5432", "second").unwrap(), "first");
    assert_eq!(
        dir.pin_key_if_absent("db:5433", "second").unwrap(),
        "second"
    );
    let reopened = TrustedStateDir::open(temp.path().join("state")).unwrap();
    assert_eq!(
        reopened.pinned_key("db:5432").unwrap().as_deref(),
        Some("first")
    );
}

#[test]
fn compare_and_store_refuses_a_stale_expectation() {
    let temp = tempfile::tempdir().unwrap();
    let dir = TrustedStateDir::open(temp.path()).unwrap();
    let log = Log::with_events(4);
    let verifier = signer(1).verifier();
    let (tenant, stream) = (log.tenant_id, log.stream_id);
    let note2 = log.note(2, &signer(1));
    let note4 = log.note(4, &signer(1));
    let stored = dir
        .compare_and_store(&verifier, tenant, stream, None, &note2)
        .unwrap();
    assert_eq!(stored, StoreOutcome::Stored);
    let loaded = dir.load_checkpoint(&verifier, tenant, stream).unwrap();
    assert_eq!(loaded, Some(log.checkpoint(2)));
    let stale = dir
        .compare_and_store(&verifier, tenant, stream, None, &note4)
        .unwrap();
    assert_eq!(stale, StoreOutcome::Changed(Some(log.checkpoint(2))));
    let expected = log.checkpoint(2);
    let outcome = dir.compare_and_store(&verifier, tenant, stream, Some(&expected), &note4);
    assert_eq!(outcome.unwrap(), StoreOutcome::Stored);
    let loaded = dir.load_checkpoint(&verifier, tenant, stream).unwrap();
    assert_eq!(loaded, Some(log.checkpoint(4)));
}

#[test]
fn two_writers_under_the_lock_lose_no_update() {
    const WRITERS: usize = 2;
    const PER_WRITER: usize = 20;
    let temp = tempfile::tempdir().unwrap();
    let log = Log::with_events(WRITERS * PER_WRITER);
    let notes: Vec<String> = (0..=log.len())
        .map(|size| log.note(size, &signer(1)))
        .collect();
    let notes = Arc::new(notes);
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            // Each writer opens its own handle, as a separate process would.
            let dir = TrustedStateDir::open(temp.path()).unwrap();
            let (log, notes) = (log.clone(), Arc::clone(&notes));
            std::thread::spawn(move || {
                (0..PER_WRITER)
                    .map(|_| increment(&dir, &log, &notes))
                    .sum::<usize>()
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let dir = TrustedStateDir::open(temp.path()).unwrap();
    let verifier = signer(1).verifier();
    let loaded = dir
        .load_checkpoint(&verifier, log.tenant_id, log.stream_id)
        .unwrap();
    assert_eq!(loaded.unwrap().size, (WRITERS * PER_WRITER) as u64);
}

#[test]
fn readers_never_see_a_partial_file_and_no_temporary_file_is_left() {
    let temp = tempfile::tempdir().unwrap();
    let log = Log::with_events(60);
    let notes: Vec<String> = (0..=log.len())
        .map(|size| log.note(size, &signer(1)))
        .collect();
    let dir = TrustedStateDir::open(temp.path()).unwrap();
    increment(&dir, &log, &notes);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (dir, log, done) = (dir.clone(), log.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            let verifier = signer(1).verifier();
            let mut loads = 0;
            while !done.load(Ordering::Relaxed) || loads == 0 {
                let loaded = dir.load_checkpoint(&verifier, log.tenant_id, log.stream_id);
                assert!(loaded.unwrap().is_some());
                loads += 1;
            }
            loads
        })
    };
    for _ in 1..log.len() {
        increment(&dir, &log, &notes);
    }
    done.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    let file = checkpoint_file(&dir, &log);
    let names: Vec<String> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![format!("{}-{}", log.tenant_id, log.stream_id)]);
}

#[test]
fn a_corrupted_or_edited_file_is_a_clear_error() {
    let temp = tempfile::tempdir().unwrap();
    let dir = TrustedStateDir::open(temp.path()).unwrap();
    let log = Log::with_events(3);
    let verifier = signer(1).verifier();
    let note = log.note(3, &signer(1));
    dir.compare_and_store(&verifier, log.tenant_id, log.stream_id, None, &note)
        .unwrap();
    let file = checkpoint_file(&dir, &log);
    let original = std::fs::read_to_string(&file).unwrap();
    // Garbage, a truncated file, and a size edited without re-signing.
    let edited = original.replacen("\n3\n", "\n2\n", 1);
    assert_ne!(edited, original);
    // Loaded once, the note is remembered by this handle; an edit must still be
    // caught by the same handle.
    let loaded = dir.load_checkpoint(&verifier, log.tenant_id, log.stream_id);
    assert_eq!(loaded.unwrap().map(|checkpoint| checkpoint.size), Some(3));
    for contents in [
        "\u{0}\u{1}garbage".to_owned(),
        original[..40].to_owned(),
        edited,
    ] {
        std::fs::write(&file, contents).unwrap();
        let error = dir
            .load_checkpoint(&verifier, log.tenant_id, log.stream_id)
            .unwrap_err();
        assert_eq!(
            error.verification_failure(),
            Some(VerificationFailure::CorruptTrustedState)
        );
        assert!(
            error.message().contains(&file.display().to_string()),
            "{error}"
        );
    }
    std::fs::write(&file, &original).unwrap();
    let restored = dir.load_checkpoint(&verifier, log.tenant_id, log.stream_id);
    assert_eq!(restored.unwrap().map(|checkpoint| checkpoint.size), Some(3));
}
