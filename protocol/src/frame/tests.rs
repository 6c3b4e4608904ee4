//! Unit tests of frame encoding and the header checks.

use super::*;

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(payload, &mut out).expect("small payload");
    out
}

#[test]
fn header_layout_is_big_endian() {
    let frame = framed(b"abc");
    assert_eq!(&frame[0..4], b"VDB ");
    assert_eq!(&frame[4..6], &[0, 5]);
    assert_eq!(&frame[6..10], &[0, 0, 0, 3]);
    assert_eq!(&frame[10..14], &crc32fast::hash(b"abc").to_be_bytes());
    assert_eq!(&frame[14..], b"abc");
}

#[test]
fn empty_payload_is_a_valid_frame() {
    let frame = framed(&[]);
    assert_eq!(frame.len(), FRAME_HEADER_LEN);
    let decoded = decode_frame(&frame).expect("valid").expect("complete");
    assert!(decoded.payload.is_empty());
    assert_eq!(decoded.consumed, FRAME_HEADER_LEN);
}

#[test]
fn checks_run_in_order_magic_version_length_checksum() {
    let mut frame = framed(b"abc");
    frame[6..10].copy_from_slice(&u32::MAX.to_be_bytes());
    frame[4] = 9;
    frame[0] = b'X';
    assert!(matches!(
        decode_frame(&frame),
        Err(FrameError::BadMagic { .. })
    ));
    frame[0] = b'V';
    assert_eq!(
        decode_frame(&frame),
        Err(FrameError::UnsupportedVersion { found: 0x0905 })
    );
    frame[4] = 0;
    assert!(matches!(
        decode_frame(&frame),
        Err(FrameError::FrameTooLarge { .. })
    ));
    frame[6..10].copy_from_slice(&3u32.to_be_bytes());
    frame[14] ^= 1;
    assert!(matches!(
        decode_frame(&frame),
        Err(FrameError::ChecksumMismatch { .. })
    ));
}

#[test]
fn crc_is_checked_only_once_the_payload_is_complete() {
    let mut frame = framed(b"abcdef");
    frame[10] ^= 0xff;
    assert_eq!(decode_frame(&frame[..frame.len() - 1]), Ok(None));
    assert!(matches!(
        decode_frame(&frame),
        Err(FrameError::ChecksumMismatch { .. })
    ));
}

#[test]
fn error_names_are_distinct() {
    let errors = [
        FrameError::BadMagic { found: 0 },
        FrameError::UnsupportedVersion { found: 0 },
        FrameError::FrameTooLarge { length: 0, max: 0 },
        FrameError::ChecksumMismatch {
            expected: 0,
            computed: 0,
        },
    ];
    for (index, error) in errors.iter().enumerate() {
        for other in &errors[index + 1..] {
            assert_ne!(error.name(), other.name());
        }
    }
}

#[test]
fn decoder_compacts_and_keeps_partial_frames() {
    let mut stream = framed(b"one");
    stream.extend(framed(b"two"));
    let mut decoder = FrameDecoder::new();
    decoder.extend(&stream[..20]);
    assert_eq!(decoder.next_frame(), Ok(Some(&b"one"[..])));
    assert_eq!(decoder.next_frame(), Ok(None));
    assert_eq!(decoder.buffered_len(), 3);
    decoder.extend(&stream[20..]);
    assert_eq!(decoder.next_frame(), Ok(Some(&b"two"[..])));
    assert_eq!(decoder.buffered_len(), 0);
}
