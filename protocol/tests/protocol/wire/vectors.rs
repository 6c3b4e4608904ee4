//! Our own vectors (tests/vectors/wire.json and frames-negative.json): each
//! positive entry round-trips byte for byte and matches the typed catalogue;
//! each negative entry fails with exactly the named error.

use kimberlite_protocol::{
    decode_frame, decode_frame_with_limit, decode_message, decode_prefix, encode_message,
    frame_message, MessagePrefix,
};

use super::catalog::catalog;
use super::{field, read_vectors, unhex};

#[test]
fn wire_vectors_match_the_catalogue_and_round_trip() {
    let file = read_vectors("wire.json");
    let vectors = file["vectors"].as_array().expect("vectors array");
    let catalog = catalog();
    assert_eq!(
        vectors.len(),
        catalog.len(),
        "regenerate with gen_wire_vectors"
    );
    for (vector, (name, message)) in vectors.iter().zip(&catalog) {
        assert_eq!(field(vector, "name"), name);
        let payload = unhex(field(vector, "payload_hex"));
        let frame = unhex(field(vector, "frame_hex"));
        assert_eq!(
            hex::encode(encode_message(message)),
            hex::encode(&payload),
            "{name}"
        );
        assert_eq!(frame_message(message).expect("small"), frame, "{name}");
        let decoded = decode_message(&payload).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(&decoded, message, "{name}");
        let framed = decode_frame(&frame).expect(name).expect("complete");
        assert_eq!(&frame[framed.payload], &payload[..], "{name}");
    }
}

#[test]
fn every_extension_variant_has_a_vector() {
    let file = read_vectors("wire.json");
    let vectors = file["vectors"].as_array().expect("vectors array");
    for kind in ["request", "response"] {
        let covered: Vec<u64> = vectors
            .iter()
            .filter(|vector| vector["kind"] == kind)
            .filter_map(|vector| vector["variant_index"].as_u64())
            .collect();
        let all = if kind == "request" {
            kimberlite_protocol::RequestPayload::INDICES
        } else {
            kimberlite_protocol::ResponsePayload::INDICES
        };
        for index in all {
            assert!(
                covered.contains(&u64::from(*index)),
                "{kind} variant {index} has no vector"
            );
        }
    }
}

#[test]
fn negative_vectors_fail_with_the_named_error() {
    let file = read_vectors("frames-negative.json");
    let vectors = file["vectors"].as_array().expect("vectors array");
    assert!(vectors.len() >= 20);
    for vector in vectors {
        let name = field(vector, "name");
        let expected = field(vector, "error");
        let frame = unhex(field(vector, "frame_hex"));
        match field(vector, "layer") {
            "frame" => {
                let limit = vector["max_payload_len"]
                    .as_u64()
                    .map_or(kimberlite_protocol::MAX_PAYLOAD_LEN, |limit| limit as usize);
                match decode_frame_with_limit(&frame, limit) {
                    Ok(None) => assert_eq!(expected, "Incomplete", "{name}"),
                    Ok(Some(_)) => panic!("{name}: frame accepted"),
                    Err(error) => assert_eq!(error.name(), expected, "{name}"),
                }
            }
            "message" => check_message_vector(vector, name, expected, &frame),
            other => panic!("{name}: unknown layer {other}"),
        }
    }
}

fn check_message_vector(vector: &serde_json::Value, name: &str, expected: &str, frame: &[u8]) {
    let payload = unhex(field(vector, "payload_hex"));
    let framed = decode_frame(frame).expect(name).expect("complete frame");
    assert_eq!(&frame[framed.payload], &payload[..], "{name}");
    let error = decode_message(&payload).expect_err(name);
    assert_eq!(error.name(), expected, "{name}");
    let prefix = decode_prefix(&payload);
    if let Some(prefix_error) = vector["prefix_error"].as_str() {
        assert_eq!(prefix.expect_err(name).name(), prefix_error, "{name}");
        return;
    }
    let want = &vector["prefix"];
    match prefix.unwrap_or_else(|error| panic!("{name}: {error}")) {
        MessagePrefix::Request(prefix) => {
            assert_eq!(want["kind"], "request", "{name}");
            assert_eq!(want["id"].as_u64(), Some(prefix.id.get()), "{name}");
            assert_eq!(
                want["tenant_id"].as_u64(),
                Some(prefix.tenant_id.get()),
                "{name}"
            );
            assert_eq!(
                want["payload_index"].as_u64(),
                Some(u64::from(prefix.payload_index))
            );
            match (&want["audit"], prefix.audit) {
                (serde_json::Value::Null, None) => {}
                (audit, Some(found)) => {
                    assert_eq!(audit["actor"].as_str(), found.actor.as_deref(), "{name}");
                    assert_eq!(audit["reason"].as_str(), found.reason.as_deref(), "{name}");
                    assert_eq!(
                        audit["correlation_id"].as_str(),
                        found.correlation_id.as_deref()
                    );
                    assert_eq!(
                        audit["idempotency_key"].as_str(),
                        found.idempotency_key.as_deref()
                    );
                }
                (audit, found) => panic!("{name}: audit {audit} vs {found:?}"),
            }
        }
        MessagePrefix::Response(prefix) => {
            assert_eq!(want["kind"], "response", "{name}");
            assert_eq!(
                want["request_id"].as_u64(),
                Some(prefix.request_id.get()),
                "{name}"
            );
            assert_eq!(
                want["payload_index"].as_u64(),
                Some(u64::from(prefix.payload_index))
            );
        }
        MessagePrefix::Push(prefix) => {
            assert_eq!(want["kind"], "push", "{name}");
            assert_eq!(
                want["payload_index"].as_u64(),
                Some(u64::from(prefix.payload_index))
            );
        }
    }
}
