//! The independent reference vectors: every message encodes to exactly the
//! reference bytes, payload and frame, and those bytes decode to the message.

use kimberlite_protocol::{decode_frame, decode_message, encode_message, frame_message};

use super::catalog::reference_messages;
use super::{field, read_vectors, unhex};

#[test]
fn every_reference_vector_matches_byte_for_byte() {
    let file = read_vectors("reference/wire-v5-reference.json");
    let vectors = file["vectors"].as_array().expect("vectors array");
    let messages = reference_messages();
    assert_eq!(vectors.len(), 27);
    assert_eq!(vectors.len(), messages.len());
    for (vector, message) in vectors.iter().zip(&messages) {
        let description = field(vector, "message");
        let payload = unhex(field(vector, "payload_hex"));
        let frame = unhex(field(vector, "frame_hex"));
        assert_eq!(
            hex::encode(encode_message(message)),
            hex::encode(&payload),
            "{description}"
        );
        assert_eq!(
            hex::encode(frame_message(message).expect("small frame")),
            hex::encode(&frame),
            "{description}"
        );
        assert_eq!(
            &decode_message(&payload).expect(description),
            message,
            "{description}"
        );
        let decoded = decode_frame(&frame)
            .expect(description)
            .expect("complete frame");
        assert_eq!(decoded.consumed, frame.len(), "{description}");
        assert_eq!(&frame[decoded.payload], &payload[..], "{description}");
    }
}

#[test]
fn worked_examples_of_the_specification() {
    let messages = reference_messages();
    assert_eq!(hex::encode(encode_message(&messages[0])), "00010100000500");
    let frame = frame_message(&messages[0]).expect("small frame");
    assert_eq!(hex::encode(&frame[..10]), "56444220000500000007");
    assert_eq!(frame[10..14], crc32fast::hash(&frame[14..]).to_be_bytes());
    // The CreateStream body follows the Message tag, id, tenant and audit tag.
    let create = encode_message(&messages[2]);
    assert_eq!(hex::encode(&create[4..]), "01066576656e74730701");
}
