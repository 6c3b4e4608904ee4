//! Regressions found by the deterministic simulator (server/sim), each reduced
//! to the few calls that showed it.

use std::path::PathBuf;
use std::sync::Arc;

use kimberlite_protocol::{DataClass, Offset, Placement, TenantId};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::Vfs;

/// A stream created but never appended to, then a snapshot and a restart:
/// recovery starts from the snapshot, whose chains hold only streams with
/// records. The empty stream must still exist (length 0), not be "not found".
#[test]
fn an_empty_stream_survives_a_restart_from_a_snapshot() {
    let vfs: Arc<dyn Vfs> = Arc::new(FaultVfs::new(1));
    let config = EngineConfig::new(PathBuf::from("/node"), "sim.regression");
    Engine::init(vfs.clone(), &config).unwrap();
    let (engine, _) = Engine::open(vfs.clone(), config.clone()).unwrap();
    let tenant = TenantId(1);
    engine.create_tenant(tenant, "t").unwrap();
    let empty = engine
        .create_stream(tenant, "empty", DataClass::Public, Placement::Global)
        .unwrap();
    engine.shutdown().unwrap();
    drop(engine);
    let (engine, _) = Engine::open(vfs, config).unwrap();
    assert_eq!(engine.stream_length(tenant, empty).unwrap(), 0);
    let read = engine.read(tenant, empty, Offset(0), u64::MAX).unwrap();
    assert!(read.events.is_empty());
    engine
        .append(tenant, empty, Offset(0), vec![b"first".to_vec()])
        .unwrap();
    assert_eq!(engine.stream_length(tenant, empty).unwrap(), 1);
}

/// An erasure whose key zeroing is cut short (a failing sync, then a power
/// cut) used to leave a key file that was neither a key nor all zeros, and
/// the node could not open again. The tombstone now goes first.
#[test]
fn an_erasure_cut_short_leaves_a_node_that_opens() {
    let tenant = TenantId(2);
    for failing_sync in 0..4 {
        for cut in 0..16 {
            let disk = FaultVfs::new(cut);
            let vfs: Arc<dyn Vfs> = Arc::new(disk.clone());
            let config = EngineConfig::new(PathBuf::from("/node"), "sim.regression");
            Engine::init(vfs.clone(), &config).unwrap();
            let (engine, _) = Engine::open(vfs.clone(), config.clone()).unwrap();
            engine.create_tenant(tenant, "t").unwrap();
            let stream = engine
                .create_stream(tenant, "s", DataClass::PHI, Placement::Global)
                .unwrap();
            engine
                .append(tenant, stream, Offset(0), vec![b"secret".to_vec()])
                .unwrap();
            disk.fail_sync_after(failing_sync);
            let acknowledged = engine.erase_tenant(tenant).is_ok();
            disk.power_loss(cut);
            drop(engine);
            let (engine, _) = Engine::open(vfs, config)
                .unwrap_or_else(|error| panic!("sync {failing_sync}, cut {cut}: {error}"));
            let read = engine.read(tenant, stream, Offset(0), u64::MAX);
            if acknowledged {
                assert!(
                    read.is_err(),
                    "sync {failing_sync}, cut {cut}: erased data read"
                );
            }
            assert_eq!(engine.stream_length(tenant, stream).unwrap(), 1);
        }
    }
}
