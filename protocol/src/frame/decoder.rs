//! A stateful frame decoder over a growable buffer, for connections that read
//! bytes in arbitrary chunks (server and client alike).
//!
//! Bytes go in with [`FrameDecoder::extend`]; complete payloads come out of
//! [`FrameDecoder::next_frame`] as slices of the internal buffer. Once a frame
//! fails a check the stream cannot be resynchronised, so the decoder keeps
//! returning that error.

use super::{decode_frame_with_limit, FrameError, MAX_PAYLOAD_LEN};

/// Splits a byte stream into frame payloads.
#[derive(Debug)]
pub struct FrameDecoder {
    buffer: Vec<u8>,
    /// Index of the first byte not yet returned in a frame.
    start: usize,
    max_payload_len: usize,
    failure: Option<FrameError>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    /// A decoder with the protocol's 16 MiB payload limit.
    #[must_use]
    pub fn new() -> Self {
        Self::with_max_payload_len(MAX_PAYLOAD_LEN)
    }

    /// A decoder refusing payloads above `max_payload_len` (clamped to 16 MiB).
    #[must_use]
    pub fn with_max_payload_len(max_payload_len: usize) -> Self {
        Self {
            buffer: Vec::new(),
            start: 0,
            max_payload_len: max_payload_len.min(MAX_PAYLOAD_LEN),
            failure: None,
        }
    }

    /// The payload limit in force.
    #[must_use]
    pub const fn max_payload_len(&self) -> usize {
        self.max_payload_len
    }

    /// Bytes received but not yet returned as part of a frame.
    #[must_use]
    pub fn buffered_len(&self) -> usize {
        self.buffer.len() - self.start
    }

    /// Appends received bytes.
    pub fn extend(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            // Only the unfinished tail moves; frames already returned are dropped.
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete payload, `Ok(None)` if more bytes are needed.
    ///
    /// # Errors
    /// The frame's first failed check; every later call returns it again.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        if let Some(failure) = self.failure {
            return Err(failure);
        }
        let pending = &self.buffer[self.start..];
        match decode_frame_with_limit(pending, self.max_payload_len) {
            Ok(Some(frame)) => {
                let base = self.start;
                self.start += frame.consumed;
                Ok(Some(
                    &self.buffer[base + frame.payload.start..base + frame.payload.end],
                ))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                self.failure = Some(error);
                Err(error)
            }
        }
    }
}
