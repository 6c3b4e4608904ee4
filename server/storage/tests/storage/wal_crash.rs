//! The write-ahead log under power loss and bit rot, over many seeds: every entry
//! of every batch whose append returned `Ok` survives, no half entry is ever
//! returned, and every flipped bit is detected.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::Vfs;
use kimberlite_storage::wal::format::SEGMENT_HEADER_BYTES;
use kimberlite_storage::wal::{Preallocate, Wal, WalConfig, WalError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DIR: &str = "/db/wal";
const CONFIG: WalConfig = WalConfig {
    segment_size_bytes: 2048,
    preallocate: Preallocate::Off,
};
/// Segments filled with zeros ahead of use (after half a segment is written).
const PREALLOCATED: WalConfig = WalConfig {
    preallocate: Preallocate::Inline,
    ..CONFIG
};

fn open(vfs: &FaultVfs) -> Result<Wal, WalError> {
    open_with(vfs, CONFIG)
}

fn open_with(vfs: &FaultVfs, config: WalConfig) -> Result<Wal, WalError> {
    Wal::open(Arc::new(vfs.clone()), Path::new(DIR), config).map(|(wal, _)| wal)
}

fn random_batch(next: &mut u64, rng: &mut StdRng) -> Vec<Vec<u8>> {
    (0..rng.gen_range(1..=6))
        .map(|_| {
            *next += 1;
            let mut body = next.to_be_bytes().to_vec();
            body.resize(8 + rng.gen_range(0..300), (*next % 251) as u8);
            body
        })
        .collect()
}

/// How a crash run ends.
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// Power is cut between two appends.
    None,
    /// A `sync_data` fails (then the power is cut).
    Sync(u64),
    /// The disk fills after a byte budget (then the power is cut).
    Enospc(u64),
}

/// Arms a random failure (or none).
fn arm_failure(vfs: &FaultVfs, rng: &mut StdRng) -> Failure {
    let failure = match rng.gen_range(0..3) {
        0 => Failure::None,
        1 => Failure::Sync(rng.gen_range(0..40)),
        _ => Failure::Enospc(rng.gen_range(0..20_000)),
    };
    match failure {
        Failure::None => {}
        Failure::Sync(after) => vfs.fail_sync_after(after),
        Failure::Enospc(bytes) => vfs.fail_writes_after_bytes(bytes),
    }
    failure
}

/// What a crash run saw: torn tails cut, crashes where part of the failed
/// batch survived.
#[derive(Default)]
struct Tally {
    torn_tails: usize,
    partial_survivors: usize,
    segments: usize,
}

/// Three cycles of: append random batches until an armed failure strikes or the
/// batches run out, cut the power, reopen and check that the log holds every
/// entry it held before plus every acknowledged one, then at most a prefix of the
/// failed batch, each entry whole.
fn crash_run(seed: u64, config: WalConfig, tally: &mut Tally) {
    let mut rng = StdRng::seed_from_u64(seed);
    let vfs = FaultVfs::new(seed);
    let mut durable: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut next = 0;
    for cycle in 0..3u64 {
        let context = format!("seed {seed}, cycle {cycle}");
        let mut wal = open_with(&vfs, config).unwrap_or_else(|error| panic!("{context}: {error}"));
        let failure = arm_failure(&vfs, &mut rng);
        let mut failed_batch = Vec::new();
        for _ in 0..rng.gen_range(1..30) {
            let bodies = random_batch(&mut next, &mut rng);
            match wal.append_batch(&bodies) {
                Ok(positions) => durable.extend(positions.into_iter().zip(bodies)),
                Err(_) => {
                    assert!(wal.is_poisoned(), "{context}");
                    failed_batch = bodies;
                    break;
                }
            }
        }
        drop(wal);
        vfs.power_loss(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ cycle);

        let (wal, report) = Wal::open(Arc::new(vfs.clone()), Path::new(DIR), config)
            .unwrap_or_else(|error| panic!("{context} ({failure:?}): {error}"));
        let found: Vec<(u64, Vec<u8>)> = wal
            .reader()
            .scan(0)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|error| panic!("{context}: {error}"));
        let kept = durable.len();
        assert!(
            found.len() >= kept,
            "{context} ({failure:?}): acknowledged entries lost"
        );
        assert_eq!(found[..kept], durable[..], "{context} ({failure:?})");
        let extra = &found[kept..];
        assert!(
            extra.len() <= failed_batch.len(),
            "{context}: entries from nowhere"
        );
        for ((_, survivor), sent) in extra.iter().zip(&failed_batch) {
            assert_eq!(
                survivor, sent,
                "{context}: a half or altered entry survived"
            );
        }
        tally.torn_tails += usize::from(report.torn_tail_bytes > 0);
        tally.segments += report.segments;
        tally.partial_survivors += usize::from(!extra.is_empty());
        // Whatever survived a reopen is durable from now on.
        durable = found;
    }
}

fn power_loss_over_many_seeds(config: WalConfig) {
    let mut tally = Tally::default();
    for seed in 0..200 {
        crash_run(seed, config, &mut tally);
    }
    let Tally {
        torn_tails,
        partial_survivors,
        segments,
    } = tally;
    println!(
        "600 crashes ({:?}): {torn_tails} torn tails cut, {partial_survivors} kept part of a \
         batch, {segments} segments found",
        config.preallocate
    );
    assert!(
        torn_tails > 0 && partial_survivors > 0,
        "the seeds never tore a write"
    );
    assert!(segments > 600, "the runs never rotated a segment");
}

#[test]
fn power_loss_keeps_every_acknowledged_entry_over_many_seeds() {
    power_loss_over_many_seeds(CONFIG);
}

#[test]
fn power_loss_keeps_every_acknowledged_entry_in_prepared_segments() {
    power_loss_over_many_seeds(PREALLOCATED);
}

/// A closed log of several segments, with the position and file of every entry.
struct Built {
    vfs: FaultVfs,
    /// (segment path, file offset of the entry, entry length), in log order.
    entries: Vec<(PathBuf, u64, u64)>,
}

fn build() -> Built {
    let vfs = FaultVfs::new(0);
    let mut wal = open(&vfs).unwrap();
    let mut rng = StdRng::seed_from_u64(99);
    let mut next = 0;
    let mut positions = Vec::new();
    for _ in 0..25 {
        let bodies = random_batch(&mut next, &mut rng);
        let lsns = wal.append_batch(&bodies).unwrap();
        positions.extend(
            lsns.into_iter()
                .zip(bodies.iter().map(|body| 12 + body.len() as u64)),
        );
    }
    drop(wal);
    let mut segments: Vec<(u64, PathBuf)> = vfs
        .read_dir(Path::new(DIR))
        .unwrap()
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_str().unwrap();
            (name.parse::<u64>().unwrap(), path)
        })
        .collect();
    segments.sort();
    let entries = positions
        .into_iter()
        .map(|(lsn, len)| {
            let (first, path) = segments
                .iter()
                .rev()
                .find(|(first, _)| *first <= lsn)
                .unwrap();
            (path.clone(), lsn - first, len)
        })
        .collect();
    Built { vfs, entries }
}

#[test]
fn every_flipped_bit_is_detected() {
    let mut rng = StdRng::seed_from_u64(7);
    let (mut errors_at_open, mut errors_at_scan, mut torn_cuts) = (0, 0, 0);
    for trial in 0..400 {
        let Built { vfs, entries } = build();
        let mut paths: Vec<PathBuf> = entries.iter().map(|(path, _, _)| path.clone()).collect();
        paths.dedup();
        let path = paths[rng.gen_range(0..paths.len())].clone();
        let len = vfs.contents(&path).unwrap().len() as u64;
        let offset = rng.gen_range(0..len);
        vfs.flip_bit(&path, offset, rng.gen_range(0..8)).unwrap();
        let is_last = &path == paths.last().unwrap();
        let hit = entries
            .iter()
            .position(|(at, start, len)| at == &path && *start <= offset && offset < start + len);
        let context = format!("trial {trial}: bit at {}:{offset}", path.display());
        match Wal::open(Arc::new(vfs.clone()), Path::new(DIR), CONFIG) {
            Err(WalError::BadSegmentHeader { path: at, .. }) => {
                assert_eq!(at, path, "{context}");
                assert!(offset < SEGMENT_HEADER_BYTES, "{context}");
                errors_at_open += 1;
            }
            Err(WalError::CorruptEntry {
                path: at,
                file_offset,
                ..
            }) => {
                assert!(is_last, "{context}: open scanned a sealed segment");
                assert_eq!(
                    (at, Some(file_offset)),
                    (path, hit.map(|i| entries[i].1)),
                    "{context}"
                );
                errors_at_open += 1;
            }
            Err(other) => panic!("{context}: unexpected {other}"),
            Ok((wal, report)) if report.torn_tail_bytes > 0 => {
                assert_eq!(
                    hit,
                    Some(entries.len() - 1),
                    "{context}: cut more than the last entry"
                );
                let (_, start, _) = &entries[entries.len() - 1];
                assert_eq!(report.torn_tail_bytes, len - start, "{context}");
                assert_eq!(wal.reader().scan(0).count(), entries.len() - 1, "{context}");
                torn_cuts += 1;
            }
            Ok((wal, _)) => {
                assert!(
                    !is_last,
                    "{context}: a flip in the last segment went unnoticed"
                );
                let error = wal.reader().scan(0).find_map(Result::err);
                match error {
                    Some(WalError::CorruptEntry {
                        path: at,
                        file_offset,
                        ..
                    }) => {
                        assert_eq!((at, Some(file_offset)), (path, hit.map(|i| entries[i].1)));
                    }
                    other => panic!("{context}: scan gave {other:?}"),
                }
                errors_at_scan += 1;
            }
        }
    }
    assert!(
        errors_at_open > 0 && errors_at_scan > 0,
        "{errors_at_open} {errors_at_scan}"
    );
    println!("flips: {errors_at_open} at open, {errors_at_scan} at scan, {torn_cuts} torn cuts");
}

#[test]
fn corruption_before_the_tail_refuses_to_open_and_names_file_and_offset() {
    let Built { vfs, entries } = build();
    let last_path = entries.last().unwrap().0.clone();
    let in_last: Vec<_> = entries
        .iter()
        .filter(|(path, _, _)| path == &last_path)
        .collect();
    assert!(
        in_last.len() >= 2,
        "the last segment needs two entries for this test"
    );
    let (_, start, _) = in_last[0];
    vfs.flip_bit(&last_path, start + 13, 4).unwrap();
    let error = Wal::open(Arc::new(vfs), Path::new(DIR), CONFIG).unwrap_err();
    let text = error.to_string();
    assert!(text.contains(&last_path.display().to_string()), "{text}");
    assert!(text.contains(&format!("byte {start}")), "{text}");
}
