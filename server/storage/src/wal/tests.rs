//! Unit tests of the WAL's byte layout.

use std::path::Path;

use super::error::EntryFault;
use super::format::{
    check_body, decode_entry_header, decode_segment_header, encode_entry, encode_segment_header,
    parse_segment_file_name, segment_file_name, ENTRY_HEADER_BYTES, MAX_ENTRY_BODY_BYTES,
};

#[test]
fn segment_headers_round_trip_and_reject_damage() {
    let header = encode_segment_header(123_456);
    assert_eq!(&header[0..8], b"KMBWAL01");
    assert_eq!(decode_segment_header(&header), Ok(123_456));
    for byte in 0..header.len() {
        let mut damaged = header;
        damaged[byte] ^= 0x10;
        assert!(
            decode_segment_header(&damaged).is_err(),
            "flip in byte {byte} accepted"
        );
    }
    assert!(decode_segment_header(&header[..20]).is_err());
}

#[test]
fn entries_round_trip_and_every_flipped_bit_is_caught() {
    let mut out = Vec::new();
    encode_entry(b"hello", &mut out);
    assert_eq!(out.len() as u64, ENTRY_HEADER_BYTES + 5);
    assert_eq!(&out[0..4], b"KMBR");
    assert_eq!(&out[4..8], &5u32.to_be_bytes());
    for bit in 0..out.len() * 8 {
        let mut damaged = out.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        let body_len = usize::try_from(u32::from_be_bytes([
            damaged[4], damaged[5], damaged[6], damaged[7],
        ]))
        .unwrap_or(usize::MAX);
        let verdict = decode_entry_header(&damaged).and_then(|header| {
            let body = damaged
                .get(12..12usize.saturating_add(body_len))
                .ok_or(EntryFault::Truncated)?;
            check_body(header, body)
        });
        assert!(verdict.is_err(), "flip of bit {bit} went unnoticed");
    }
    let header = decode_entry_header(&out).unwrap();
    assert_eq!(check_body(header, &out[12..]), Ok(()));
}

#[test]
fn oversized_lengths_are_rejected() {
    let mut frame = Vec::new();
    frame.extend_from_slice(&super::format::ENTRY_MAGIC.to_be_bytes());
    frame.extend_from_slice(&(MAX_ENTRY_BODY_BYTES + 1).to_be_bytes());
    frame.extend_from_slice(&[0; 4]);
    assert_eq!(
        decode_entry_header(&frame),
        Err(EntryFault::BadLength(MAX_ENTRY_BODY_BYTES + 1))
    );
    assert_eq!(decode_entry_header(&frame[..8]), Err(EntryFault::Truncated));
}

#[test]
fn segment_file_names_sort_like_positions() {
    assert_eq!(segment_file_name(42), "00000000000000000042.seg");
    assert_eq!(
        parse_segment_file_name(Path::new("/w/00000000000000000042.seg")),
        Some(42)
    );
    assert_eq!(parse_segment_file_name(Path::new("/w/42.seg")), None);
    assert_eq!(
        parse_segment_file_name(Path::new("/w/00000000000000000042.seg.tmp")),
        None
    );
    assert!(segment_file_name(9) < segment_file_name(10));
}
