//! The hand prefix decoder agrees with the full decoder on every valid message.

use kimberlite_protocol::{decode_prefix, decode_request_prefix, encode_message, Message};
use kimberlite_protocol::{MessagePrefix, PrefixError};

use super::catalog::catalog;

#[test]
fn prefix_of_every_catalogued_message_matches_the_message() {
    for (name, message) in catalog() {
        let payload = encode_message(&message);
        let prefix = decode_prefix(&payload).unwrap_or_else(|error| panic!("{name}: {error}"));
        match (&message, prefix) {
            (Message::Request(request), MessagePrefix::Request(prefix)) => {
                assert_eq!(prefix.id, request.id, "{name}");
                assert_eq!(prefix.tenant_id, request.tenant_id, "{name}");
                assert_eq!(prefix.audit, request.audit, "{name}");
                assert_eq!(
                    prefix.payload_index,
                    request.payload.variant_index(),
                    "{name}"
                );
                assert!(prefix.body_offset <= payload.len());
            }
            (Message::Response(response), MessagePrefix::Response(prefix)) => {
                assert_eq!(prefix.request_id, response.request_id, "{name}");
                assert_eq!(
                    prefix.payload_index,
                    response.payload.variant_index(),
                    "{name}"
                );
            }
            (Message::Push(_), MessagePrefix::Push(prefix)) => {
                assert!(prefix.payload_index <= 1, "{name}");
            }
            (_, prefix) => panic!("{name}: wrong prefix kind {prefix:?}"),
        }
    }
}

#[test]
fn request_prefix_refuses_responses_and_pushes() {
    assert_eq!(
        decode_request_prefix(&[0x01, 0x04, 0x09, 0x01]),
        Err(PrefixError::NotARequest { tag: 1 })
    );
    assert_eq!(
        decode_request_prefix(&[0x02, 0x01]),
        Err(PrefixError::NotARequest { tag: 2 })
    );
    assert_eq!(
        decode_request_prefix(&[0x05]),
        Err(PrefixError::UnknownMessageTag { tag: 5 })
    );
}

#[test]
fn prefix_of_an_unknown_variant_carries_the_id_to_answer() {
    // Request id 300, tenant 9, no audit, variant 17 with a body we cannot read.
    let payload = [0x00, 0xac, 0x02, 0x09, 0x00, 0x11, 0xde, 0xad];
    assert!(kimberlite_protocol::decode_message(&payload).is_err());
    let prefix = decode_request_prefix(&payload).expect("prefix readable");
    assert_eq!(prefix.id.get(), 300);
    assert_eq!(prefix.tenant_id.get(), 9);
    assert_eq!(prefix.audit, None);
    assert_eq!(prefix.payload_index, 17);
    assert_eq!(prefix.body_offset, 6);
}
