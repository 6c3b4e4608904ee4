//! Unit tests of the hand prefix decoder's primitives.

use super::*;

#[test]
fn varints_follow_postcard_limits() {
    // u64::MAX takes ten bytes, the last being 0x01.
    let mut max = vec![0xff; 9];
    max.push(0x01);
    let mut cursor = Cursor {
        bytes: &max,
        position: 0,
    };
    assert_eq!(cursor.varint_u64(), Ok(u64::MAX));
    let mut over = vec![0xff; 9];
    over.push(0x02);
    let mut cursor = Cursor {
        bytes: &over,
        position: 0,
    };
    assert_eq!(cursor.varint_u64(), Err(PrefixError::BadVarint));
    let mut cursor = Cursor {
        bytes: &[0xff, 0xff, 0xff, 0xff, 0x10],
        position: 0,
    };
    assert_eq!(cursor.varint_u32(), Err(PrefixError::BadVarint));
    let mut cursor = Cursor {
        bytes: &[0xff, 0xff, 0xff, 0xff, 0x0f],
        position: 0,
    };
    assert_eq!(cursor.varint_u32(), Ok(u32::MAX));
}

#[test]
fn truncation_anywhere_is_reported() {
    let payload = [
        0x00, 0x2a, 0x03, 0x01, 0x01, 0x03, b'o', b'p', b's', 0x00, 0x00, 0x00, 0x0b,
    ];
    for cut in 0..payload.len() {
        assert_eq!(
            decode_prefix(&payload[..cut]),
            Err(PrefixError::Truncated),
            "cut {cut}"
        );
    }
    let prefix = decode_request_prefix(&payload).expect("complete prefix");
    assert_eq!(prefix.payload_index, 11);
    assert_eq!(prefix.body_offset, payload.len());
    assert_eq!(
        prefix.audit.and_then(|audit| audit.actor).as_deref(),
        Some("ops")
    );
}

#[test]
fn huge_string_length_is_truncation_not_a_panic() {
    let mut payload = vec![0x00, 0x01, 0x01, 0x01, 0x01];
    payload.extend_from_slice(&[0xff; 9]);
    payload.push(0x01);
    assert_eq!(decode_prefix(&payload), Err(PrefixError::Truncated));
}

#[test]
fn bad_option_tag_is_named() {
    assert_eq!(
        decode_prefix(&[0x00, 0x01, 0x01, 0x07]),
        Err(PrefixError::BadOption { tag: 7 })
    );
}
