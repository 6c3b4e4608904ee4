//! Fuzzes the frame decoders: the one-shot `decode_frame_with_limit` and the
//! stateful `FrameDecoder` fed in chunks, which must agree on every input.

#![no_main]

use kimberlite_protocol::{decode_frame_with_limit, decode_message, FrameDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a chunk size and a receiver limit, the rest is the stream.
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(control % 17) + 1;
    let limit = if control & 0x80 == 0 { 64 } else { 1 << 16 };

    let mut one_shot = Vec::new();
    let mut rest = stream;
    let one_shot_error = loop {
        match decode_frame_with_limit(rest, limit) {
            Ok(Some(frame)) => {
                assert!(frame.consumed <= rest.len());
                assert!(frame.payload.end == frame.consumed);
                one_shot.push(rest[frame.payload].to_vec());
                rest = &rest[frame.consumed..];
            }
            Ok(None) => break None,
            Err(error) => break Some(error),
        }
    };

    let mut decoder = FrameDecoder::with_max_payload_len(limit);
    let mut chunked = Vec::new();
    let mut chunked_error = None;
    'feed: for piece in stream.chunks(chunk) {
        decoder.extend(piece);
        loop {
            match decoder.next_frame() {
                Ok(Some(payload)) => {
                    let _ = decode_message(payload);
                    chunked.push(payload.to_vec());
                }
                Ok(None) => break,
                Err(error) => {
                    chunked_error = Some(error);
                    break 'feed;
                }
            }
        }
    }
    assert_eq!(one_shot, chunked);
    assert_eq!(one_shot_error, chunked_error);
});
