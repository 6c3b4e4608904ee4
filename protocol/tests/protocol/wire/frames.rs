//! Frame decoding beyond the vectors: one byte at a time, many frames in one
//! buffer, the stateful decoder, and limits.

use kimberlite_protocol::{
    decode_frame, decode_frame_with_limit, decode_message, encode_frame, encode_message,
    frame_message, FrameDecoder, FrameError, FRAME_HEADER_LEN, MAX_PAYLOAD_LEN,
};

use super::catalog::catalog;

fn all_frames() -> Vec<u8> {
    let mut stream = Vec::new();
    for (_, message) in catalog() {
        stream.extend(frame_message(&message).expect("small"));
    }
    stream
}

#[test]
fn decoder_fed_one_byte_at_a_time_yields_every_message() {
    let stream = all_frames();
    let expected: Vec<_> = catalog().into_iter().map(|(_, message)| message).collect();
    let mut decoder = FrameDecoder::new();
    let mut decoded = Vec::new();
    for byte in &stream {
        decoder.extend(std::slice::from_ref(byte));
        while let Some(payload) = decoder.next_frame().expect("valid stream") {
            decoded.push(decode_message(payload).expect("valid message"));
        }
    }
    assert_eq!(decoded, expected);
    assert_eq!(decoder.buffered_len(), 0);
}

#[test]
fn decode_frame_needs_every_byte_and_then_succeeds() {
    for (name, message) in catalog() {
        let frame = frame_message(&message).expect("small");
        for cut in 0..frame.len() {
            assert_eq!(decode_frame(&frame[..cut]), Ok(None), "{name} cut at {cut}");
        }
        let decoded = decode_frame(&frame).expect(&name).expect("complete");
        assert_eq!(decoded.consumed, frame.len());
        assert_eq!(&frame[decoded.payload], &encode_message(&message)[..]);
    }
}

#[test]
fn frames_back_to_back_are_split_at_the_right_place() {
    let stream = all_frames();
    let mut rest = &stream[..];
    let mut count = 0;
    while let Some(frame) = decode_frame(rest).expect("valid") {
        decode_message(&rest[frame.payload]).expect("valid message");
        rest = &rest[frame.consumed..];
        count += 1;
    }
    assert!(rest.is_empty());
    assert_eq!(count, catalog().len());
}

#[test]
fn oversized_length_is_refused_from_the_header_alone() {
    let mut header = Vec::new();
    encode_frame(&[7u8; 65], &mut header).expect("small");
    header.truncate(FRAME_HEADER_LEN);
    assert_eq!(
        decode_frame_with_limit(&header, 64),
        Err(FrameError::FrameTooLarge {
            length: 65,
            max: 64
        })
    );
    let mut decoder = FrameDecoder::with_max_payload_len(64);
    decoder.extend(&header);
    assert!(matches!(
        decoder.next_frame(),
        Err(FrameError::FrameTooLarge { .. })
    ));
    // The decoder stays failed: a stream cannot be resynchronised.
    assert!(matches!(
        decoder.next_frame(),
        Err(FrameError::FrameTooLarge { .. })
    ));
}

#[test]
fn limit_is_clamped_to_the_protocol_maximum() {
    let decoder = FrameDecoder::with_max_payload_len(usize::MAX);
    assert_eq!(decoder.max_payload_len(), MAX_PAYLOAD_LEN);
    let mut header = b"VDB \x00\x05".to_vec();
    header.extend_from_slice(&(MAX_PAYLOAD_LEN as u32 + 1).to_be_bytes());
    header.extend_from_slice(&[0; 4]);
    assert!(matches!(
        decode_frame_with_limit(&header, usize::MAX),
        Err(FrameError::FrameTooLarge { .. })
    ));
}

#[test]
fn payload_of_exactly_the_maximum_is_accepted_and_one_more_is_not() {
    let payload = vec![0u8; MAX_PAYLOAD_LEN];
    let mut frame = Vec::new();
    encode_frame(&payload, &mut frame).expect("maximum size is allowed");
    let decoded = decode_frame(&frame).expect("valid").expect("complete");
    assert_eq!(decoded.payload.len(), MAX_PAYLOAD_LEN);
    let mut out = Vec::new();
    assert!(matches!(
        encode_frame(&vec![0u8; MAX_PAYLOAD_LEN + 1], &mut out),
        Err(FrameError::FrameTooLarge { .. })
    ));
    assert!(out.is_empty());
}

#[test]
fn garbage_is_refused_before_the_header_is_complete() {
    assert_eq!(decode_frame(b"GET"), Ok(None));
    assert_eq!(
        decode_frame(b"GET "),
        Err(FrameError::BadMagic { found: 0x4745_5420 })
    );
    assert!(matches!(
        decode_frame(b"VDB \x00\x04"),
        Err(FrameError::UnsupportedVersion { found: 4 })
    ));
    assert_eq!(decode_frame(b"VDB \x00"), Ok(None));
}

/// Found by the frame_decoder fuzz target: an early magic check on fewer than
/// four bytes reported a value that depended on how the bytes were chunked.
#[test]
fn errors_do_not_depend_on_chunking() {
    let stream = [0x29u8, 0x0a, 0x00, 0x00, 0x56];
    let whole = decode_frame(&stream);
    for chunk in 1..stream.len() {
        let mut decoder = FrameDecoder::new();
        let mut result = Ok(None);
        for piece in stream.chunks(chunk) {
            decoder.extend(piece);
            result = decoder.next_frame().map(|frame| frame.map(<[u8]>::to_vec));
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result.err(), whole.clone().err(), "chunk {chunk}");
    }
    assert!(matches!(
        whole,
        Err(FrameError::BadMagic { found: 0x290a_0000 })
    ));
}
