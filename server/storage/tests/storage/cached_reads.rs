//! Reads from memory only (`cached_only`): the same answer as an ordinary read
//! when every byte is in memory, a miss (never a partial or wrong answer) when
//! one is not, on `FaultVfs` with evicted files and on the real file system
//! with pages dropped from the page cache.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::cached_only::cached_only;
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;

const TENANT: TenantId = TenantId(1);
const IDENTITY: &str = "cached.test";

/// An engine at `root` with one stream of 50 records of 200 bytes, synced.
fn engine_with_records(vfs: Arc<dyn Vfs>, root: &Path) -> (Engine, StreamId) {
    Engine::init(vfs.clone(), &EngineConfig::new(root, IDENTITY)).unwrap();
    let (engine, _) = Engine::open(vfs, EngineConfig::new(root, IDENTITY)).unwrap();
    engine.create_tenant(TENANT, "one").unwrap();
    let id = engine
        .create_stream(TENANT, "events", DataClass::PHI, Placement::Global)
        .unwrap();
    let events = (0..50u8).map(|index| vec![index; 200]).collect();
    engine.append(TENANT, id, Offset(0), events).unwrap();
    (engine, id)
}

fn wal_segments(vfs: &dyn Vfs, root: &Path) -> Vec<PathBuf> {
    let segments = vfs.read_dir(&root.join("wal")).unwrap();
    assert!(!segments.is_empty(), "the log has segments");
    segments
}

#[test]
fn memory_reads_equal_ordinary_reads_and_miss_on_evicted_files() {
    let vfs = FaultVfs::new(3);
    let root = PathBuf::from("/data");
    let (engine, id) = engine_with_records(Arc::new(vfs.clone()), &root);
    let read = || engine.read(TENANT, id, Offset(5), 2_000);
    let ordinary = read().unwrap();
    assert_eq!(ordinary.events.len(), 10);
    let from_memory = cached_only(read).expect("nothing was evicted").unwrap();
    assert_eq!(from_memory, ordinary);
    let checkpoint = engine.checkpoint(TENANT, id, None).unwrap();

    for segment in wal_segments(&vfs, &root) {
        vfs.evict(&segment).unwrap();
    }
    assert!(cached_only(read).is_none(), "the records are not in memory");
    assert!(
        cached_only(read).is_none(),
        "a miss does not bring the file back"
    );
    // The checkpoint needs the tree, not the log: still served from memory.
    let signed = cached_only(|| engine.checkpoint(TENANT, id, None));
    assert_eq!(signed.expect("the tree is in memory").unwrap(), checkpoint);

    // An ordinary read waits for the "disk" and brings the file back.
    assert_eq!(read().unwrap(), ordinary);
    assert_eq!(
        cached_only(read).expect("back in memory").unwrap(),
        ordinary
    );
    engine.shutdown().unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn the_real_page_cache_serves_recent_reads_and_misses_dropped_pages() {
    use std::os::fd::AsFd;

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let (engine, id) = engine_with_records(Arc::new(OsVfs), &root);
    let read = || engine.read(TENANT, id, Offset(0), 10_000);
    let ordinary = read().unwrap();
    assert_eq!(ordinary.events.len(), 50);
    // Just written and read: in the page cache.
    let from_memory = cached_only(read).expect("recent pages are cached").unwrap();
    assert_eq!(from_memory, ordinary);

    // The log is synced, so its pages are clean and DONTNEED drops them.
    for segment in wal_segments(&OsVfs, &root) {
        let file = std::fs::File::open(&segment).unwrap();
        rustix::fs::fadvise(file.as_fd(), 0, None, rustix::fs::Advice::DontNeed).unwrap();
    }
    assert!(
        cached_only(read).is_none(),
        "a read of dropped pages must not wait for the disk"
    );
    assert_eq!(read().unwrap(), ordinary);
    engine.shutdown().unwrap();
}
