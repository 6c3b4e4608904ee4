//! What callers ask of the writer thread, and what it answers.

use kimberlite_kernel::{Command, Effect, State, TableChange};
use kimberlite_protocol::{Offset, StreamId, TenantId};

use super::completion::Completion;
use super::error::EngineError;

/// Builds a catalog command from the writer's current state and the batch's
/// commit timestamp, so ids and times are chosen in commit order.
pub type BuildCommand = Box<dyn FnOnce(&State, u64) -> Result<Command, EngineError> + Send>;

/// The result of a durable append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Offset of the first event appended.
    pub first_offset: Offset,
    /// Number of events appended.
    pub count: u32,
    /// Commit timestamp shared by the events, ns since the Unix epoch.
    pub timestamp_ns: u64,
}

/// One request queued for the writer thread.
pub enum Intent {
    /// Append events to a user stream.
    Append {
        /// Tenant.
        tenant_id: TenantId,
        /// Stream.
        stream_id: StreamId,
        /// Must equal the stream's length.
        expected_offset: Offset,
        /// Payloads, at least one.
        events: Vec<Vec<u8>>,
        /// Where the answer goes.
        completion: Completion<AppendOutcome>,
    },
    /// Change the catalog.
    Catalog {
        /// Builds the command at commit time.
        build: BuildCommand,
        /// Where the effects go.
        completion: Completion<Vec<Effect>>,
    },
    /// Append one record to a tenant's SQL log.
    SqlEffect {
        /// Tenant.
        tenant_id: TenantId,
        /// Catalog changes the statement makes.
        table_changes: Vec<TableChange>,
        /// The statement's resolved effect (row images), opaque to storage.
        effect: Vec<u8>,
        /// Where the record's position goes.
        completion: Completion<AppendOutcome>,
    },
    /// Write a snapshot of derived state now (used by `sync` and shutdown).
    Snapshot {
        /// Answered once the snapshot is durable.
        completion: Completion<()>,
    },
}

impl Intent {
    /// Payload bytes this intent adds to a batch, for batch sizing.
    pub fn payload_bytes(&self) -> usize {
        match self {
            Self::Append { events, .. } => events.iter().map(Vec::len).sum(),
            Self::SqlEffect { effect, .. } => effect.len(),
            Self::Catalog { .. } | Self::Snapshot { .. } => 0,
        }
    }

    /// Fails the intent without running it.
    pub fn fail(self, error: EngineError) {
        match self {
            Self::Append { completion, .. } | Self::SqlEffect { completion, .. } => {
                completion.complete(Err(error));
            }
            Self::Catalog { completion, .. } => completion.complete(Err(error)),
            Self::Snapshot { completion } => completion.complete(Err(error)),
        }
    }
}

impl std::fmt::Debug for Intent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Append {
                tenant_id,
                stream_id,
                expected_offset,
                events,
                ..
            } => f
                .debug_struct("Append")
                .field("tenant_id", tenant_id)
                .field("stream_id", stream_id)
                .field("expected_offset", expected_offset)
                .field("events", &events.len())
                .finish(),
            Self::Catalog { .. } => f.write_str("Catalog"),
            Self::SqlEffect { tenant_id, .. } => f
                .debug_struct("SqlEffect")
                .field("tenant_id", tenant_id)
                .finish(),
            Self::Snapshot { .. } => f.write_str("Snapshot"),
        }
    }
}
