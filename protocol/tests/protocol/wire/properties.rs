//! Property tests: every message variant round-trips through payload and
//! frame, and no decoder panics on arbitrary bytes.

use kimberlite_protocol::{
    decode_frame, decode_frame_with_limit, decode_message, decode_prefix, encode_message,
    frame_message, FrameDecoder, Message, MessagePrefix,
};
use proptest::prelude::*;

use super::strategies::message;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn message_round_trips_through_payload_and_frame(message in message()) {
        let payload = encode_message(&message);
        prop_assert_eq!(&decode_message(&payload).expect("own encoding decodes"), &message);
        let frame = frame_message(&message).expect("small");
        let decoded = decode_frame(&frame).expect("valid").expect("complete");
        prop_assert_eq!(decoded.consumed, frame.len());
        prop_assert_eq!(&frame[decoded.payload], &payload[..]);
    }

    #[test]
    fn prefix_agrees_with_full_decode(message in message()) {
        let payload = encode_message(&message);
        let prefix = decode_prefix(&payload).expect("own encoding has a prefix");
        match (&message, prefix) {
            (Message::Request(request), MessagePrefix::Request(prefix)) => {
                prop_assert_eq!(prefix.id, request.id);
                prop_assert_eq!(prefix.tenant_id, request.tenant_id);
                prop_assert_eq!(&prefix.audit, &request.audit);
                prop_assert_eq!(prefix.payload_index, request.payload.variant_index());
            }
            (Message::Response(response), MessagePrefix::Response(prefix)) => {
                prop_assert_eq!(prefix.request_id, response.request_id);
                prop_assert_eq!(prefix.payload_index, response.payload.variant_index());
            }
            (Message::Push(_), MessagePrefix::Push(prefix)) => {
                prop_assert!(prefix.payload_index <= 1);
            }
            (_, other) => prop_assert!(false, "prefix of the wrong kind: {:?}", other),
        }
    }

    #[test]
    fn trailing_bytes_are_always_refused(message in message(), extra in prop::collection::vec(any::<u8>(), 1..8)) {
        let mut payload = encode_message(&message);
        payload.extend_from_slice(&extra);
        let refused = decode_message(&payload).is_err();
        prop_assert!(refused);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_message(&bytes);
        let _ = decode_prefix(&bytes);
        let _ = decode_frame(&bytes);
        let _ = decode_frame_with_limit(&bytes, 16);
        let mut decoder = FrameDecoder::with_max_payload_len(1024);
        decoder.extend(&bytes);
        while let Ok(Some(payload)) = decoder.next_frame() {
            let _ = decode_message(payload);
        }
    }

    #[test]
    fn decoders_never_panic_on_mutated_messages(
        message in message(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut payload = encode_message(&message);
        for (index, byte) in flips {
            let at = index.index(payload.len());
            payload[at] = byte;
        }
        if let Ok(decoded) = decode_message(&payload) {
            // Whatever decodes re-encodes to bytes that decode to the same message
            // (not always the same bytes: postcard accepts overlong varints).
            let again = decode_message(&encode_message(&decoded)).expect("own encoding decodes");
            prop_assert_eq!(again, decoded);
        }
        let _ = decode_prefix(&payload);
    }

    #[test]
    fn frame_decoder_handles_any_chunking(
        messages in prop::collection::vec(message(), 1..6),
        chunk in 1usize..40,
    ) {
        let mut stream = Vec::new();
        for message in &messages {
            stream.extend(frame_message(message).expect("small"));
        }
        let mut decoder = FrameDecoder::new();
        let mut decoded = Vec::new();
        for piece in stream.chunks(chunk) {
            decoder.extend(piece);
            while let Some(payload) = decoder.next_frame().expect("valid stream") {
                decoded.push(decode_message(payload).expect("valid message"));
            }
        }
        prop_assert_eq!(decoded, messages);
    }
}
