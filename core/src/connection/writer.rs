//! The writer task: writes queued frames, coalescing whatever is queued into one write.

use std::sync::Arc;

use tokio::io::{AsyncWriteExt, WriteHalf};
use tokio::sync::mpsc;

use super::state::ConnectionState;
use crate::error::Error;
use crate::transport::Io;

/// Past this many queued bytes a batch is written without waiting for more.
const MAX_BATCH_BYTES: usize = 1024 * 1024;

/// Writes frames until the queue's sender is dropped, then shuts the socket down.
pub(super) async fn write_loop(
    mut writer: WriteHalf<Box<dyn Io>>,
    mut queue: mpsc::UnboundedReceiver<Vec<u8>>,
    state: Arc<ConnectionState>,
) {
    let mut batch = Vec::new();
    while let Some(frame) = queue.recv().await {
        batch.clear();
        batch.extend_from_slice(&frame);
        while batch.len() < MAX_BATCH_BYTES {
            match queue.try_recv() {
                Ok(frame) => batch.extend_from_slice(&frame),
                Err(_) => break,
            }
        }
        let written = match writer.write_all(&batch).await {
            Ok(()) => writer.flush().await,
            Err(error) => Err(error),
        };
        if let Err(error) = written {
            state.close(Error::connection("writing to the server failed").with_source(error));
            return;
        }
    }
    let _ = writer.shutdown().await;
}
