//! The reader task: bytes to frames to messages, routed to callers and subscriptions.
//!
//! Nothing the server sends can panic it: a frame that fails a check or a payload
//! that does not decode ends the connection with a protocol error.

use std::sync::Arc;

use kimberlite_protocol::{decode_message, FrameDecoder};
use tokio::io::{AsyncReadExt, ReadHalf};

use super::state::ConnectionState;
use crate::error::{Error, Result};
use crate::transport::Io;

const READ_CHUNK_BYTES: usize = 64 * 1024;

/// Reads until the connection ends, then fails whatever still waits.
pub(super) async fn read_loop(mut reader: ReadHalf<Box<dyn Io>>, state: Arc<ConnectionState>) {
    let mut decoder = FrameDecoder::new();
    let mut chunk = vec![0u8; READ_CHUNK_BYTES];
    let failure = loop {
        let count = match reader.read(&mut chunk).await {
            Ok(0) => break Error::connection("the server closed the connection"),
            Ok(count) => count,
            Err(error) => {
                break Error::connection("reading from the server failed").with_source(error)
            }
        };
        decoder.extend(&chunk[..count]);
        if let Err(error) = drain_frames(&mut decoder, &state) {
            break error;
        }
    };
    state.close(failure);
}

/// Routes every complete frame in the decoder.
fn drain_frames(decoder: &mut FrameDecoder, state: &ConnectionState) -> Result<()> {
    loop {
        let payload = match decoder.next_frame() {
            Ok(Some(payload)) => payload,
            Ok(None) => return Ok(()),
            Err(error) => {
                return Err(Error::protocol("the server sent a bad frame").with_source(error))
            }
        };
        let message = decode_message(payload).map_err(|error| {
            Error::protocol("the server sent a message that does not decode").with_source(error)
        })?;
        state.route(message)?;
    }
}
