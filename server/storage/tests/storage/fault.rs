//! The fault-injecting file system against the real one: the same script of
//! operations gives the same results on both, so tests over `FaultVfs` speak
//! about real disks.

use std::io;
use std::path::Path;

use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::{OpenMode, Vfs};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The outcome of one operation, comparable across file systems.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Read(Vec<u8>),
    Len(u64),
    Error(io::ErrorKind),
}

fn outcome<T>(result: io::Result<T>, ok: impl FnOnce(T) -> Outcome) -> Outcome {
    match result {
        Ok(value) => ok(value),
        Err(error) => Outcome::Error(error.kind()),
    }
}

/// Runs a random script of file operations in `root` and records each outcome.
fn script(vfs: &dyn Vfs, root: &Path, seed: u64) -> Vec<Outcome> {
    let mut rng = StdRng::seed_from_u64(seed);
    let names = ["a", "b", "c"];
    let mut outcomes = Vec::new();
    for _ in 0..200 {
        let path = root.join(names[rng.gen_range(0..names.len())]);
        let other = root.join(names[rng.gen_range(0..names.len())]);
        let step = match rng.gen_range(0..9) {
            0 => outcome(vfs.open(&path, OpenMode::CreateNew), |_| Outcome::Ok),
            1 => outcome(vfs.open(&path, OpenMode::Create), |_| Outcome::Ok),
            2 => {
                let data: Vec<u8> = (0..rng.gen_range(0..64)).map(|_| rng.gen()).collect();
                let offset = rng.gen_range(0..100);
                outcome(
                    vfs.open(&path, OpenMode::Existing)
                        .and_then(|file| file.write_all_at(&data, offset)),
                    |()| Outcome::Ok,
                )
            }
            3 => {
                let (offset, len) = (rng.gen_range(0..120), rng.gen_range(0..80));
                outcome(
                    vfs.open(&path, OpenMode::ReadOnly).and_then(|file| {
                        let mut buf = vec![0; len];
                        let read = file.read_at(&mut buf, offset)?;
                        buf.truncate(read);
                        Ok(buf)
                    }),
                    Outcome::Read,
                )
            }
            4 => {
                let len = rng.gen_range(0..100);
                outcome(
                    vfs.open(&path, OpenMode::Existing)
                        .and_then(|file| file.set_len(len)),
                    |()| Outcome::Ok,
                )
            }
            5 => outcome(
                vfs.open(&path, OpenMode::ReadOnly)
                    .and_then(|file| file.len()),
                Outcome::Len,
            ),
            6 => outcome(vfs.remove_file(&path), |()| Outcome::Ok),
            7 => outcome(vfs.rename(&path, &other), |()| Outcome::Ok),
            _ => outcome(
                vfs.open(&path, OpenMode::Existing)
                    .and_then(|file| file.sync_data()),
                |()| Outcome::Ok,
            ),
        };
        outcomes.push(step);
    }
    let mut listing: Vec<String> = vfs
        .read_dir(root)
        .unwrap()
        .into_iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    listing.sort();
    outcomes.push(Outcome::Read(listing.join(",").into_bytes()));
    outcomes
}

#[test]
fn fault_vfs_behaves_like_the_real_file_system() {
    for seed in 0..30 {
        let temp = tempfile::tempdir().unwrap();
        let real = script(&OsVfs, temp.path(), seed);
        let fake_vfs = FaultVfs::new(seed);
        fake_vfs.create_dir_all(Path::new("/root")).unwrap();
        let fake = script(&fake_vfs, Path::new("/root"), seed);
        assert_eq!(real, fake, "seed {seed}");
    }
}

#[test]
fn faults_are_io_errors_a_caller_can_recognise() {
    let vfs = FaultVfs::new(0);
    vfs.create_dir_all(Path::new("/d")).unwrap();
    let file = vfs.open(Path::new("/d/f"), OpenMode::CreateNew).unwrap();
    vfs.fail_writes_after_bytes(0);
    let full = file.write_all_at(b"x", 0).unwrap_err();
    assert_eq!(
        (full.kind(), full.raw_os_error()),
        (io::ErrorKind::StorageFull, Some(28))
    );
    vfs.clear_faults();
    vfs.fail_sync_after(0);
    file.write_all_at(b"x", 0).unwrap();
    assert_eq!(file.sync_data().unwrap_err().raw_os_error(), Some(5));
    vfs.fail_reads(Path::new("/d/f")).unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(
        file.read_at(&mut buf, 0).unwrap_err().raw_os_error(),
        Some(5)
    );
}
