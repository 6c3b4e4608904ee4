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
