//! The write-ahead log: round trips, rotation, group commit, torn tails, power
//! loss, bit flips, ENOSPC and failed syncs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;
use kimberlite_storage::wal::format::{ENTRY_HEADER_BYTES, SEGMENT_HEADER_BYTES};
use kimberlite_storage::wal::{BodyCheck, EntryFault, Preallocate, Wal, WalConfig, WalError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DIR: &str = "/db/wal";

fn small_segments() -> WalConfig {
    WalConfig {
        segment_size_bytes: 1024,
        preallocate: Preallocate::Off,
    }
}

/// A distinct body: its index, then filler of a random length.
fn body(index: u64, rng: &mut StdRng) -> Vec<u8> {
    let mut body = index.to_be_bytes().to_vec();
    let filler = rng.gen_range(0..200);
    body.extend((0..filler).map(|i| (index as u8).wrapping_add(i as u8)));
    body
}

/// A batch of 1..=8 fresh bodies.
fn batch(next: &mut u64, rng: &mut StdRng) -> Vec<Vec<u8>> {
    let count = rng.gen_range(1..=8);
    (0..count)
        .map(|_| {
            *next += 1;
            body(*next, rng)
        })
        .collect()
}

fn scan_all(wal: &Wal) -> Result<Vec<(u64, Vec<u8>)>, WalError> {
    wal.reader().scan(0).collect()
}

fn segment_paths(vfs: &dyn Vfs, dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = vfs
        .read_dir(dir)
        .unwrap()
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "seg"))
        .collect();
    paths.sort();
    paths
}

/// Appends batches, reads them back by position and by scan, reopens and checks
/// again.
fn round_trip(vfs: Arc<dyn Vfs>, dir: &Path, config: WalConfig) {
    let mut rng = StdRng::seed_from_u64(1);
    let (mut wal, report) = Wal::open(vfs.clone(), dir, config).unwrap();
    assert_eq!(
        (report.end_lsn, report.torn_tail_bytes),
        (SEGMENT_HEADER_BYTES, 0)
    );
    let mut written = Vec::new();
    let mut next = 0;
    for _ in 0..40 {
        let bodies = batch(&mut next, &mut rng);
        let positions = wal.append_batch(&bodies).unwrap();
        written.extend(positions.into_iter().zip(bodies));
    }
    assert!(
        wal.segment_count() > 3,
        "only {} segments",
        wal.segment_count()
    );
    let reader = wal.reader();
    for (lsn, body) in &written {
        assert_eq!(&reader.read(*lsn).unwrap(), body);
        assert_eq!(
            &reader.read_with(*lsn, BodyCheck::HeaderOnly).unwrap(),
            body
        );
    }
    assert_eq!(scan_all(&wal).unwrap(), written);
    let end = wal.end_lsn();
    drop(wal);
    let (wal, report) = Wal::open(vfs.clone(), dir, config).unwrap();
    assert_eq!((report.end_lsn, report.torn_tail_bytes), (end, 0));
    assert_eq!(report.segments, segment_paths(vfs.as_ref(), dir).len());
    assert_eq!(scan_all(&wal).unwrap(), written);
    let middle = written[written.len() / 2].0;
    let tail: Vec<_> = wal.reader().scan(middle).collect::<Result<_, _>>().unwrap();
    assert_eq!(tail, written[written.len() / 2..]);
}

#[test]
fn round_trip_on_the_real_file_system() {
    let temp = tempfile::tempdir().unwrap();
    round_trip(Arc::new(OsVfs), &temp.path().join("wal"), small_segments());
}

#[test]
fn round_trip_on_the_fault_file_system() {
    round_trip(Arc::new(FaultVfs::new(0)), Path::new(DIR), small_segments());
}

fn prepared(mode: Preallocate) -> WalConfig {
    WalConfig {
        preallocate: mode,
        ..small_segments()
    }
}

#[test]
fn round_trip_with_prepared_segments() {
    let temp = tempfile::tempdir().unwrap();
    round_trip(
        Arc::new(OsVfs),
        &temp.path().join("wal"),
        prepared(Preallocate::Background),
    );
    round_trip(
        Arc::new(FaultVfs::new(0)),
        Path::new(DIR),
        prepared(Preallocate::Inline),
    );
}

/// File lengths of the segments, in order.
fn segment_lens(vfs: &FaultVfs) -> Vec<u64> {
    segment_paths(vfs, Path::new(DIR))
        .iter()
        .map(|path| vfs.contents(path).unwrap().len() as u64)
        .collect()
}

#[test]
fn prepared_segments_hold_zeros_past_their_entries_until_closed() {
    let vfs = FaultVfs::new(0);
    // Larger than any batch, so every batch fits in one segment.
    let config = WalConfig {
        segment_size_bytes: 8192,
        preallocate: Preallocate::Inline,
    };
    let open = || Wal::open(Arc::new(vfs.clone()), Path::new(DIR), config).unwrap();
    let (mut wal, _) = open();
    let mut rng = StdRng::seed_from_u64(3);
    let mut next = 0;
    let mut written = Vec::new();
    for _ in 0..80 {
        let bodies = batch(&mut next, &mut rng);
        written.extend(wal.append_batch(&bodies).unwrap().into_iter().zip(bodies));
    }
    let end = wal.end_lsn();
    drop(wal);
    let paths = segment_paths(&vfs, Path::new(DIR));
    let lens = segment_lens(&vfs);
    let firsts: Vec<u64> = paths
        .iter()
        .map(|path| path.file_stem().unwrap().to_str().unwrap().parse().unwrap())
        .collect();
    assert!(paths.len() > 3, "{lens:?}");
    for index in 0..paths.len() - 1 {
        assert_eq!(
            firsts[index] + lens[index],
            firsts[index + 1],
            "closed segments are cut to their entries"
        );
    }
    let last = paths.len() - 1;
    assert_eq!(
        lens[last], config.segment_size_bytes,
        "the active segment was prepared"
    );
    assert!(
        firsts[last] + lens[last] > end,
        "zeros follow the last entry"
    );

    // Reopened: the zeros are not a torn tail, and appends go on after the entries.
    let (mut wal, report) = Wal::open(Arc::new(vfs.clone()), Path::new(DIR), config).unwrap();
    assert_eq!((report.end_lsn, report.torn_tail_bytes), (end, 0));
    let bodies = batch(&mut next, &mut rng);
    written.extend(wal.append_batch(&bodies).unwrap().into_iter().zip(bodies));
    assert_eq!(scan_all(&wal).unwrap(), written);
    let end = wal.end_lsn();
    drop(wal);

    // A torn write into the zeros is cut like any torn tail, and the log goes on.
    let path = &segment_paths(&vfs, Path::new(DIR))[last];
    let file = vfs
        .open(path, kimberlite_storage::io::OpenMode::Existing)
        .unwrap();
    file.write_all_at(
        &[0x4B, 0x4D, 0x42, 0x52, 0, 0, 0, 9, 1, 2],
        end - firsts[last],
    )
    .unwrap();
    file.sync_data().unwrap();
    let (mut wal, report) = open();
    assert_eq!(report.end_lsn, end);
    assert!(report.torn_tail_bytes > 0, "{report:?}");
    for _ in 0..10 {
        let bodies = batch(&mut next, &mut rng);
        written.extend(wal.append_batch(&bodies).unwrap().into_iter().zip(bodies));
    }
    assert_eq!(scan_all(&wal).unwrap(), written);
    let end = wal.end_lsn();
    drop(wal);
    let (wal, report) = open();
    assert_eq!((report.end_lsn, report.torn_tail_bytes), (end, 0));
    assert_eq!(scan_all(&wal).unwrap(), written);
}

#[test]
fn a_log_hardly_written_to_prepares_nothing() {
    let vfs = FaultVfs::new(0);
    let config = WalConfig {
        segment_size_bytes: 1 << 30,
        preallocate: Preallocate::Inline,
    };
    let (mut wal, _) = Wal::open(Arc::new(vfs.clone()), Path::new(DIR), config).unwrap();
    wal.append_batch(&[vec![7u8; 1000]]).unwrap();
    drop(wal);
    let files = vfs.read_dir(Path::new(DIR)).unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        segment_lens(&vfs),
        vec![SEGMENT_HEADER_BYTES + ENTRY_HEADER_BYTES + 1000]
    );
}

#[test]
fn segments_are_named_by_first_position_and_tile_the_log() {
    let vfs = FaultVfs::new(0);
    let (mut wal, _) = Wal::open(Arc::new(vfs.clone()), Path::new(DIR), small_segments()).unwrap();
    let mut rng = StdRng::seed_from_u64(2);
    let mut next = 0;
    for _ in 0..30 {
        wal.append_batch(&batch(&mut next, &mut rng)).unwrap();
    }
    let big = vec![7u8; 3000];
    let position = wal.append_batch(&[&big]).unwrap()[0];
    let paths = segment_paths(&vfs, Path::new(DIR));
    let mut expected_first = 0;
    for path in &paths {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, format!("{expected_first:020}.seg"));
        expected_first += vfs.contents(path).unwrap().len() as u64;
    }
    assert_eq!(expected_first, wal.end_lsn());
    let last = paths.last().unwrap();
    assert_eq!(
        vfs.contents(last).unwrap().len() as u64,
        SEGMENT_HEADER_BYTES + 12 + 3000
    );
    assert_eq!(
        position,
        wal.end_lsn() - 12 - 3000,
        "an oversized batch gets its own segment"
    );
    assert_eq!(wal.reader().read(position).unwrap(), big);
}

#[test]
fn a_batch_costs_one_write_and_one_sync() {
    let vfs = FaultVfs::new(0);
    let (mut wal, _) =
        Wal::open(Arc::new(vfs.clone()), Path::new(DIR), WalConfig::default()).unwrap();
    let before = vfs.stats();
    let bodies: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; 50]).collect();
    wal.append_batch(&bodies).unwrap();
    let after = vfs.stats();
    assert_eq!(after.writes - before.writes, 1);
    assert_eq!(after.syncs - before.syncs, 1);
    assert_eq!(after.bytes_written - before.bytes_written, 100 * (12 + 50));
    assert!(wal.append_batch::<Vec<u8>>(&[]).unwrap().is_empty());
    assert_eq!(vfs.stats(), after, "an empty batch did I/O");
}

#[test]
fn positions_are_byte_positions_in_the_log() {
    let vfs: Arc<dyn Vfs> = Arc::new(FaultVfs::new(0));
    let (mut wal, _) = Wal::open(vfs, Path::new(DIR), WalConfig::default()).unwrap();
    let positions = wal.append_batch(&[&b"abc"[..], b"", b"defgh"]).unwrap();
    let first = SEGMENT_HEADER_BYTES;
    assert_eq!(positions, [first, first + 15, first + 27]);
    assert_eq!(wal.end_lsn(), first + 27 + 17);
    assert_eq!(wal.reader().read(positions[1]).unwrap(), b"");
}

#[test]
fn reads_outside_the_log_or_between_entries_fail() {
    let vfs: Arc<dyn Vfs> = Arc::new(FaultVfs::new(0));
    let (mut wal, _) = Wal::open(vfs, Path::new(DIR), WalConfig::default()).unwrap();
    let positions = wal.append_batch(&[b"0123456789".as_slice()]).unwrap();
    let reader = wal.reader();
    assert!(matches!(reader.read(0), Err(WalError::OutOfRange { .. })));
    assert!(matches!(
        reader.read(wal.end_lsn()),
        Err(WalError::OutOfRange { .. })
    ));
    assert!(matches!(
        reader.read(positions[0] + 1),
        Err(WalError::CorruptEntry {
            fault: EntryFault::BadMagic(_),
            ..
        })
    ));
}

/// Flips a bit inside an entry body of a closed log.
#[test]
fn the_body_check_is_explicit() {
    let vfs = FaultVfs::new(0);
    let (mut wal, _) =
        Wal::open(Arc::new(vfs.clone()), Path::new(DIR), WalConfig::default()).unwrap();
    let position = wal.append_batch(&[b"payload".as_slice()]).unwrap()[0];
    let path = &segment_paths(&vfs, Path::new(DIR))[0];
    vfs.flip_bit(path, position + ENTRY_HEADER_BYTES + 2, 0)
        .unwrap();
    let reader = wal.reader();
    let error = reader.read(position).unwrap_err();
    match error {
        WalError::CorruptEntry {
            path: at,
            file_offset,
            lsn,
            fault,
        } => {
            assert_eq!((&at, file_offset, lsn), (path, position, position));
            assert!(matches!(fault, EntryFault::CrcMismatch { .. }));
        }
        other => panic!("unexpected {other}"),
    }
    assert_eq!(
        reader.read_with(position, BodyCheck::HeaderOnly).unwrap(),
        b"paxload"
    );
}

#[test]
fn readers_run_concurrently_with_appends() {
    let vfs: Arc<dyn Vfs> = Arc::new(FaultVfs::new(0));
    let (mut wal, _) = Wal::open(vfs, Path::new(DIR), small_segments()).unwrap();
    let first = wal.append_batch(&[b"first".as_slice()]).unwrap()[0];
    let reader = wal.reader();
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let reader = reader.clone();
            std::thread::spawn(move || {
                for _ in 0..300 {
                    assert_eq!(reader.read(first).unwrap(), b"first");
                    let seen = reader.scan(0).collect::<Result<Vec<_>, _>>().unwrap();
                    assert!(!seen.is_empty() && seen[0].1 == b"first");
                }
            })
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(3);
    let mut next = 0;
    for _ in 0..200 {
        wal.append_batch(&batch(&mut next, &mut rng)).unwrap();
    }
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(reader.end_lsn(), wal.end_lsn());
}

#[test]
fn a_missing_middle_segment_is_a_gap() {
    let vfs = FaultVfs::new(0);
    let (mut wal, _) = Wal::open(Arc::new(vfs.clone()), Path::new(DIR), small_segments()).unwrap();
    let mut rng = StdRng::seed_from_u64(4);
    let mut next = 0;
    for _ in 0..30 {
        wal.append_batch(&batch(&mut next, &mut rng)).unwrap();
    }
    drop(wal);
    let paths = segment_paths(&vfs, Path::new(DIR));
    vfs.remove_file(&paths[1]).unwrap();
    let error = Wal::open(Arc::new(vfs), Path::new(DIR), small_segments()).unwrap_err();
    assert!(
        matches!(&error, WalError::SegmentGap { path, .. } if path == &paths[0]),
        "unexpected {error}"
    );
}

#[test]
fn oversized_entries_are_refused_without_poisoning() {
    let vfs: Arc<dyn Vfs> = Arc::new(FaultVfs::new(0));
    let (mut wal, _) = Wal::open(vfs, Path::new(DIR), WalConfig::default()).unwrap();
    let huge = vec![0u8; (64 << 20) + 1];
    let error = wal.append_batch(&[b"ok".as_slice(), &huge]).unwrap_err();
    assert!(
        matches!(error, WalError::EntryTooLarge { index: 1, .. }),
        "{error}"
    );
    assert!(!wal.is_poisoned());
    wal.append_batch(&[b"fine".as_slice()]).unwrap();
    assert_eq!(scan_all(&wal).unwrap().len(), 1);
}

#[test]
fn enospc_surfaces_and_poisons() {
    let vfs = FaultVfs::new(0);
    let (mut wal, _) =
        Wal::open(Arc::new(vfs.clone()), Path::new(DIR), WalConfig::default()).unwrap();
    let acked = wal.append_batch(&[b"acknowledged".as_slice()]).unwrap();
    vfs.fail_writes_after_bytes(30);
    let error = wal.append_batch(&[vec![1u8; 100]]).unwrap_err();
    match &error {
        WalError::Io { source, .. } => assert_eq!(source.raw_os_error(), Some(28)),
        other => panic!("unexpected {other}"),
    }
    vfs.clear_faults();
    assert!(wal.is_poisoned());
    assert!(matches!(
        wal.append_batch(&[b"x".as_slice()]),
        Err(WalError::Poisoned { .. })
    ));
    assert_eq!(wal.reader().read(acked[0]).unwrap(), b"acknowledged");
    drop(wal);
    let (wal, report) = Wal::open(Arc::new(vfs), Path::new(DIR), WalConfig::default()).unwrap();
    assert_eq!(
        report.torn_tail_bytes, 30,
        "the partial write is a torn tail"
    );
    assert_eq!(
        scan_all(&wal).unwrap(),
        vec![(acked[0], b"acknowledged".to_vec())]
    );
}

#[test]
fn a_failed_sync_poisons_and_is_never_retried() {
    let vfs = FaultVfs::new(5);
    let (mut wal, _) =
        Wal::open(Arc::new(vfs.clone()), Path::new(DIR), WalConfig::default()).unwrap();
    wal.append_batch(&[b"one".as_slice()]).unwrap();
    vfs.fail_sync_after(0);
    let error = wal.append_batch(&[b"two".as_slice()]).unwrap_err();
    assert!(matches!(&error, WalError::Io { source, .. } if source.raw_os_error() == Some(5)));
    let syncs = vfs.stats().syncs;
    for _ in 0..3 {
        assert!(matches!(
            wal.append_batch(&[b"three".as_slice()]),
            Err(WalError::Poisoned { .. })
        ));
    }
    assert_eq!(vfs.stats().syncs, syncs, "a poisoned log synced again");
    assert_eq!(
        wal.reader().end_lsn(),
        wal.end_lsn(),
        "the failed batch was published"
    );
}

#[test]
fn a_preparation_that_fills_the_disk_is_given_up_and_leaves_nothing() {
    let vfs = FaultVfs::new(0);
    let config = WalConfig {
        segment_size_bytes: 8192,
        preallocate: Preallocate::Inline,
    };
    let (mut wal, _) = Wal::open(Arc::new(vfs.clone()), Path::new(DIR), config).unwrap();
    // The batch fits, the 8 KiB of zeros prepared after it do not.
    vfs.fail_writes_after_bytes(6000);
    let first = wal.append_batch(&[vec![1u8; 5000]]).unwrap();
    let files = vfs.read_dir(Path::new(DIR)).unwrap();
    assert_eq!(files.len(), 1, "the failed preparation left {files:?}");
    vfs.clear_faults();
    let mut written = vec![(first[0], vec![1u8; 5000])];
    for index in 0..8u8 {
        let body = vec![index; 1500];
        written.push((
            wal.append_batch(std::slice::from_ref(&body)).unwrap()[0],
            body,
        ));
    }
    assert_eq!(scan_all(&wal).unwrap(), written);
    // Given up until the log is opened again: segments grow as written.
    assert!(
        segment_lens(&vfs).iter().all(|len| *len < 8192),
        "{:?}",
        segment_lens(&vfs)
    );
    assert_eq!(
        vfs.read_dir(Path::new(DIR)).unwrap().len(),
        segment_paths(&vfs, Path::new(DIR)).len()
    );
}
