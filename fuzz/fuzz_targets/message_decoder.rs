//! Fuzzes the message decoder and the hand prefix decoder on arbitrary
//! payloads. Whatever decodes must re-encode to a message that decodes to
//! itself, and the prefix decoder must agree with a successful full decode.

#![no_main]

use kimberlite_protocol::{decode_message, decode_prefix, encode_message, Message, MessagePrefix};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let prefix = decode_prefix(data);
    let Ok(message) = decode_message(data) else {
        return;
    };
    let again = decode_message(&encode_message(&message));
    assert_eq!(again.as_ref(), Ok(&message));
    match (&message, prefix) {
        (Message::Request(request), Ok(MessagePrefix::Request(prefix))) => {
            assert_eq!(prefix.id, request.id);
            assert_eq!(prefix.tenant_id, request.tenant_id);
            assert_eq!(prefix.audit, request.audit);
            assert_eq!(prefix.payload_index, request.payload.variant_index());
        }
        (Message::Response(response), Ok(MessagePrefix::Response(prefix))) => {
            assert_eq!(prefix.request_id, response.request_id);
            assert_eq!(prefix.payload_index, response.payload.variant_index());
        }
        (Message::Push(_), Ok(MessagePrefix::Push(prefix))) => {
            assert!(prefix.payload_index <= 1);
        }
        (_, other) => panic!("prefix {other:?} disagrees with {message:?}"),
    }
});
