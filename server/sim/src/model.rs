//! The model the simulator checks the engine against: what was acknowledged,
//! and what was attempted but never acknowledged (its outcome is unknown until
//! the next recovery shows whether it reached the disk, whole or not at all).

use kimberlite_protocol::merkle::root;
use kimberlite_protocol::record::genesis_hash;
use kimberlite_protocol::{Hash, StreamId, TenantId};

/// One stream as the clients were told it is.
#[derive(Clone, Debug)]
pub struct StreamModel {
    /// The stream's id.
    pub id: StreamId,
    /// The stream's name.
    pub name: String,
    /// Every acknowledged event, in offset order.
    pub events: Vec<Vec<u8>>,
    /// The record hash of each event, recomputed from its canonical record.
    pub leaves: Vec<Hash>,
    /// An append that failed under a fault: after recovery it is there whole or
    /// not at all.
    pub unknown: Option<Vec<Vec<u8>>>,
}

impl StreamModel {
    /// An empty stream.
    #[must_use]
    pub fn new(id: StreamId, name: String) -> Self {
        Self {
            id,
            name,
            events: Vec::new(),
            leaves: Vec::new(),
            unknown: None,
        }
    }

    /// The acknowledged length.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.events.len() as u64
    }

    /// Whether nothing was acknowledged.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The hash the next record must link to.
    #[must_use]
    pub fn head(&self, tenant_id: TenantId) -> Hash {
        self.leaves
            .last()
            .copied()
            .unwrap_or_else(|| genesis_hash(tenant_id, self.id))
    }

    /// The Merkle root of the first `size` records, recomputed.
    #[must_use]
    pub fn root_at(&self, size: u64) -> Hash {
        let size = usize::try_from(size)
            .unwrap_or(usize::MAX)
            .min(self.leaves.len());
        root(&self.leaves[..size])
    }
}

/// One tenant.
#[derive(Clone, Debug)]
pub struct TenantModel {
    /// The tenant's id.
    pub id: TenantId,
    /// Its user streams, in creation order.
    pub streams: Vec<StreamModel>,
    /// Whether its data key was erased (acknowledged).
    pub erased: bool,
    /// An erasure that failed under a fault.
    pub erase_unknown: bool,
    /// Stream names whose creation failed under a fault.
    pub streams_unknown: Vec<String>,
}

impl TenantModel {
    /// A new tenant without streams.
    #[must_use]
    pub fn new(id: TenantId) -> Self {
        Self {
            id,
            streams: Vec::new(),
            erased: false,
            erase_unknown: false,
            streams_unknown: Vec::new(),
        }
    }
}

/// Everything acknowledged so far.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Tenants in creation order.
    pub tenants: Vec<TenantModel>,
    /// Tenants whose creation failed under a fault.
    pub tenants_unknown: Vec<TenantId>,
}

impl Model {
    /// Whether any attempted write awaits a recovery to settle its outcome.
    #[must_use]
    pub fn has_unknowns(&self) -> bool {
        !self.tenants_unknown.is_empty()
            || self.tenants.iter().any(|tenant| {
                tenant.erase_unknown
                    || !tenant.streams_unknown.is_empty()
                    || tenant.streams.iter().any(|stream| stream.unknown.is_some())
            })
    }

    /// Acknowledged records over all streams.
    #[must_use]
    pub fn records(&self) -> u64 {
        self.tenants
            .iter()
            .flat_map(|tenant| &tenant.streams)
            .map(StreamModel::len)
            .sum()
    }
}
