//! Live tails: one watch channel per followed stream, fed by the engine's
//! commit listener with the stream's durable length.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use kimberlite_protocol::{StreamId, TenantId};
use tokio::sync::watch;

/// The followed streams.
#[derive(Debug, Default)]
pub(super) struct Tails {
    streams: Mutex<HashMap<(TenantId, StreamId), watch::Sender<u64>>>,
}

impl Tails {
    /// A receiver of the stream's durable length after each commit.
    pub(super) fn subscribe(
        &self,
        tenant_id: TenantId,
        stream_id: StreamId,
    ) -> watch::Receiver<u64> {
        let mut streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        streams
            .entry((tenant_id, stream_id))
            .or_insert_with(|| watch::Sender::new(0))
            .subscribe()
    }

    /// Called by the engine after records of the stream became durable.
    pub(super) fn committed(&self, tenant_id: TenantId, stream_id: StreamId, length: u64) {
        let mut streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (tenant_id, stream_id);
        let Some(sender) = streams.get(&key) else {
            return;
        };
        if sender.receiver_count() == 0 {
            // Nobody follows the stream any more: forget it.
            streams.remove(&key);
            return;
        }
        sender.send_if_modified(|known| {
            let grew = length > *known;
            if grew {
                *known = length;
            }
            grew
        });
    }
}
