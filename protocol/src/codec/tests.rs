//! Unit tests of message encoding, framing and strict decoding.

use super::*;
use crate::frame::decode_frame;
use crate::ids::RequestId;
use crate::message::ResponsePayload;
use crate::ErrorCode;

#[test]
fn encode_into_appends_after_existing_bytes() {
    let message = Message::response(
        RequestId(1),
        ResponsePayload::Sync(crate::message::SyncResponse { success: true }),
    );
    let mut out = vec![0xee];
    encode_message_into(&message, &mut out);
    assert_eq!(out[0], 0xee);
    assert_eq!(&out[1..], &encode_message(&message)[..]);
}

#[test]
fn framed_message_appends_a_valid_frame() {
    let message = Message::error(RequestId(9), ErrorCode::NotLeader, "elsewhere");
    let mut out = vec![1, 2, 3];
    encode_message_frame(&message, &mut out).expect("small");
    let frame = decode_frame(&out[3..]).expect("valid").expect("complete");
    assert_eq!(decode_message(&out[3..][frame.payload]), Ok(message));
}

#[test]
fn trailing_bytes_are_counted() {
    let mut payload = encode_message(&Message::error(RequestId(1), ErrorCode::Unknown, ""));
    payload.extend_from_slice(&[0, 0]);
    assert_eq!(
        decode_message(&payload),
        Err(DecodeError::TrailingBytes { count: 2 })
    );
}

#[test]
fn postcard_errors_map_to_distinct_variants() {
    assert_eq!(decode_message(&[]), Err(DecodeError::Truncated));
    assert_eq!(decode_message(&[0x80; 6]), Err(DecodeError::BadVarint));
    assert_eq!(
        decode_message(&[0x01, 0x01, 0x09, 0x07]),
        Err(DecodeError::BadBool)
    );
    assert_eq!(
        decode_message(&[0x00, 0x01, 0x01, 0x05]),
        Err(DecodeError::BadOption)
    );
    assert_eq!(decode_message(&[0x07]), Err(DecodeError::UnknownVariant));
}
