//! Keeps the appends of one connection to one stream in arrival order.
//!
//! Requests of a connection run concurrently, but a client that pipelines
//! appends to a stream with expected offsets n, n+1, ... needs them applied in
//! that order. Each append waits for the previous append of the same
//! connection to the same stream to finish before it reaches the backend;
//! appends to other streams, and appends of other connections, are not held
//! (and still share the engine's group commit).

use std::collections::HashMap;

use kimberlite_protocol::{StreamId, TenantId};
use tokio::sync::oneshot;

/// Streams with more entries than this are pruned of finished appends.
const PRUNE_AT: usize = 256;

/// The last append of each stream this connection appended to.
#[derive(Debug, Default)]
pub(super) struct AppendOrder {
    last: HashMap<(TenantId, StreamId), oneshot::Receiver<()>>,
}

/// An append's place in its stream's line.
#[derive(Debug)]
pub(super) struct Turn {
    previous: Option<oneshot::Receiver<()>>,
    done: oneshot::Sender<()>,
}

impl Turn {
    /// Waits until the previous append of the stream has finished (or was
    /// cancelled); returns what marks this one finished when dropped.
    pub(super) async fn wait(self) -> oneshot::Sender<()> {
        if let Some(previous) = self.previous {
            // Err means the previous append's task ended without sending,
            // which also means it is finished.
            let _ = previous.await;
        }
        self.done
    }
}

impl AppendOrder {
    /// Takes the next place in line for `(tenant_id, stream_id)`.
    pub(super) fn next_turn(&mut self, tenant_id: TenantId, stream_id: StreamId) -> Turn {
        if self.last.len() >= PRUNE_AT {
            self.last.retain(|_, receiver| {
                matches!(
                    receiver.try_recv(),
                    Err(oneshot::error::TryRecvError::Empty)
                )
            });
        }
        let (done, receiver) = oneshot::channel();
        let previous = self.last.insert((tenant_id, stream_id), receiver);
        Turn { previous, done }
    }
}
