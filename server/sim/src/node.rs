//! The simulated node: a storage engine over a [`FaultVfs`], opened, crashed
//! and reopened by the simulator.

use std::path::PathBuf;
use std::sync::Arc;

use kimberlite_storage::engine::{Engine, EngineConfig, EngineError, RecoveryReport};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::Vfs;
use kimberlite_storage::wal::Preallocate;

use crate::clock::SimClock;

/// Small segments and snapshot intervals, so roll-overs and snapshots happen
/// within a few hundred steps.
fn engine_config() -> EngineConfig {
    let mut config = EngineConfig::new(PathBuf::from("/node"), "sim.kimberlite");
    config.segment_size_bytes = 16 * 1024;
    // Prepared segments, filled between batches so every run of a seed is the same.
    config.wal_preallocate = Preallocate::Inline;
    config.snapshot_interval_bytes = 24 * 1024;
    config
}

/// A fault armed on the disk and not yet cleared by a restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmedFault {
    /// Writes fail with `ENOSPC` after this many more bytes.
    NoSpace(u64),
    /// The sync after this many more succeeds fails.
    FailingSync(u64),
}

/// The engine and its disk.
pub struct Node {
    /// The simulated disk.
    pub disk: FaultVfs,
    /// The simulated clock.
    pub clock: Arc<SimClock>,
    engine: Option<Engine>,
    /// The fault armed since the last restart, if any.
    pub armed: Option<ArmedFault>,
    /// Whether the engine reported a storage failure since the last restart.
    pub failed: bool,
}

impl Node {
    /// Initialises a data directory on a fresh disk and opens it.
    pub fn create(seed: u64) -> Result<Self, EngineError> {
        let disk = FaultVfs::new(seed);
        let vfs: Arc<dyn Vfs> = Arc::new(disk.clone());
        Engine::init(vfs, &engine_config())?;
        let mut node = Self {
            disk,
            clock: Arc::new(SimClock::default()),
            engine: None,
            armed: None,
            failed: false,
        };
        node.open()?;
        Ok(node)
    }

    fn open(&mut self) -> Result<RecoveryReport, EngineError> {
        let vfs: Arc<dyn Vfs> = Arc::new(self.disk.clone());
        let (engine, report) = Engine::open_with_clock(vfs, engine_config(), self.clock.clone())?;
        self.engine = Some(engine);
        self.armed = None;
        self.failed = false;
        Ok(report)
    }

    /// The running engine.
    ///
    /// # Panics
    /// Never: a node always holds an engine between calls.
    #[must_use]
    pub fn engine(&self) -> &Engine {
        match &self.engine {
            Some(engine) => engine,
            None => unreachable!("a node holds an engine between calls"),
        }
    }

    /// Stops the engine cleanly (final snapshot) and opens it again.
    pub fn clean_restart(&mut self) -> Result<RecoveryReport, EngineError> {
        if let Some(engine) = self.engine.take() {
            engine.shutdown()?;
        }
        self.open()
    }

    /// Cuts the power (unsynced data lost or torn, armed faults cleared) and
    /// opens the engine again.
    pub fn power_loss(&mut self, seed: u64) -> Result<RecoveryReport, EngineError> {
        self.disk.power_loss(seed);
        if let Some(engine) = self.engine.take() {
            // Every handle of the old engine is dead: its shutdown fails, as
            // a process killed by the power cut would never have run it.
            let _ = engine.shutdown();
        }
        self.open()
    }

    /// Arms a disk fault.
    pub fn arm(&mut self, fault: ArmedFault) {
        match fault {
            ArmedFault::NoSpace(bytes) => self.disk.fail_writes_after_bytes(bytes),
            ArmedFault::FailingSync(syncs) => self.disk.fail_sync_after(syncs),
        }
        self.armed = Some(fault);
    }
}
