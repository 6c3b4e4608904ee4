//! Writes the wire test vectors: tests/vectors/wire.json (every message kind,
//! payload and frame) and tests/vectors/frames-negative.json (frames and
//! payloads every decoder must refuse, with the expected error).
//!
//! Output is deterministic (sorted keys, fixed order), so scripts/check-vectors
//! can regenerate it and fail on any difference. Run with
//! `cargo run -p kimberlite-protocol --example gen_wire_vectors`.

#[path = "../tests/protocol/wire/catalog.rs"]
#[allow(
    dead_code,
    reason = "the tests use parts of the catalogue this program does not"
)]
mod catalog;

use std::path::{Path, PathBuf};

use kimberlite_protocol::{encode_frame, encode_message, frame_message, Message};
use serde_json::{json, Value as Json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    write_json(&directory.join("wire.json"), &positive_vectors()?)?;
    write_json(
        &directory.join("frames-negative.json"),
        &negative_vectors()?,
    )?;
    Ok(())
}

fn write_json(path: &Path, value: &Json) -> Result<(), Box<dyn std::error::Error>> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(())
}

fn describe(message: &Message) -> (&'static str, &'static str, u32, bool) {
    match message {
        Message::Request(request) => (
            "request",
            request.payload.variant_name(),
            request.payload.variant_index(),
            request.payload.is_extension(),
        ),
        Message::Response(response) => (
            "response",
            response.payload.variant_name(),
            response.payload.variant_index(),
            response.payload.is_extension(),
        ),
        Message::Push(push) => {
            let index = match push.payload {
                kimberlite_protocol::PushPayload::SubscriptionEvents(_) => 0,
                kimberlite_protocol::PushPayload::SubscriptionClosed(_) => 1,
            };
            let name = if index == 0 {
                "SubscriptionEvents"
            } else {
                "SubscriptionClosed"
            };
            ("push", name, index, false)
        }
    }
}

/// The message's Debug rendering with non-ASCII characters as `\u{..}` escapes.
fn ascii_debug(message: &Message) -> String {
    format!("{message:?}")
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                c.escape_unicode().to_string()
            }
        })
        .collect()
}

fn positive_vectors() -> Result<Json, Box<dyn std::error::Error>> {
    let mut entries = Vec::new();
    for (name, message) in catalog::catalog() {
        let (kind, variant, index, extension) = describe(&message);
        entries.push(json!({
            "name": name,
            "kind": kind,
            "variant": variant,
            "variant_index": index,
            "extension": extension,
            "debug": ascii_debug(&message),
            "payload_hex": hex::encode(encode_message(&message)),
            "frame_hex": hex::encode(frame_message(&message)?),
        }));
    }
    Ok(json!({
        "description": "Kimberlite wire protocol v5 messages, including the kmb.* extensions \
            (variant indices >= 64). Each entry: a stable name, the message kind and variant, \
            the postcard payload and the whole 14-byte-header frame, in hex. Every decoder \
            must read each payload back to the same message and re-encode it to the same bytes.",
        "vectors": entries,
    }))
}

/// A frame around arbitrary payload bytes.
fn frame(payload: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    encode_frame(payload, &mut out)?;
    Ok(out)
}

fn frame_entry(name: &str, bytes: &[u8], error: &str, note: &str) -> Json {
    json!({
        "name": name,
        "layer": "frame",
        "frame_hex": hex::encode(bytes),
        "error": error,
        "note": note,
    })
}

fn negative_vectors() -> Result<Json, Box<dyn std::error::Error>> {
    let payload = encode_message(&catalog::reference_messages()[0]);
    let good = frame(&payload)?;
    let mut entries = frame_negatives(&good)?;
    entries.extend(message_negatives(&payload)?);
    Ok(json!({
        "description": "Inputs every Kimberlite wire decoder must refuse. layer \"frame\": \
            decoding frame_hex fails with error (\"Incomplete\" means: needs more bytes, not \
            an error), with max_payload_len as the receiver's limit when present. layer \
            \"message\": the frame is valid, decoding payload_hex fails with error; prefix \
            is what the hand prefix decoder reads from it (or prefix_error).",
        "vectors": entries,
    }))
}

fn frame_negatives(good: &[u8]) -> Result<Vec<Json>, Box<dyn std::error::Error>> {
    let mut bad_magic = good.to_vec();
    bad_magic[3] = b'!';
    let mut version_4 = good.to_vec();
    version_4[5] = 4;
    let mut version_6 = good.to_vec();
    version_6[5] = 6;
    let mut bad_crc = good.to_vec();
    bad_crc[13] ^= 0x01;
    let mut flipped_payload = good.to_vec();
    if let Some(last) = flipped_payload.last_mut() {
        *last ^= 0x80;
    }
    let mut oversized = good[..10].to_vec();
    oversized[6..10].copy_from_slice(&(16 * 1024 * 1024 + 1u32).to_be_bytes());
    oversized.extend_from_slice(&[0; 4]);
    let mut max_length = oversized.clone();
    max_length[6..10].copy_from_slice(&u32::MAX.to_be_bytes());
    let big = frame(&[0u8; 100])?;
    let mut limited = frame_entry(
        "frame/over-receiver-limit",
        &big[..14],
        "FrameTooLarge",
        "100-byte payload, receiver limit 64: refused from the header alone",
    );
    limited["max_payload_len"] = json!(64);
    Ok(vec![
        frame_entry("frame/bad-magic", &bad_magic, "BadMagic", "magic \"VDB!\""),
        frame_entry(
            "frame/bad-magic-http",
            b"GET / HTTP/1.1\r\n",
            "BadMagic",
            "not a frame",
        ),
        frame_entry(
            "frame/bad-version-4",
            &version_4,
            "UnsupportedVersion",
            "version 4",
        ),
        frame_entry(
            "frame/bad-version-6",
            &version_6,
            "UnsupportedVersion",
            "version 6",
        ),
        frame_entry(
            "frame/bad-crc",
            &bad_crc,
            "ChecksumMismatch",
            "CRC low bit flipped",
        ),
        frame_entry(
            "frame/corrupt-payload",
            &flipped_payload,
            "ChecksumMismatch",
            "payload bit flipped",
        ),
        frame_entry(
            "frame/truncated-header",
            &good[..10],
            "Incomplete",
            "10 of 14 bytes",
        ),
        frame_entry(
            "frame/truncated-payload",
            &good[..good.len() - 1],
            "Incomplete",
            "last payload byte missing",
        ),
        frame_entry(
            "frame/oversized",
            &oversized,
            "FrameTooLarge",
            "length 16 MiB + 1: refused from the header alone",
        ),
        frame_entry(
            "frame/oversized-u32-max",
            &max_length,
            "FrameTooLarge",
            "length 2^32-1",
        ),
        limited,
    ])
}

fn message_entry(
    name: &str,
    payload: &[u8],
    error: &str,
    prefix: Json,
) -> Result<Json, Box<dyn std::error::Error>> {
    let mut entry = json!({
        "name": name,
        "layer": "message",
        "payload_hex": hex::encode(payload),
        "frame_hex": hex::encode(frame(payload)?),
        "error": error,
    });
    if prefix.is_string() {
        entry["prefix_error"] = prefix;
    } else {
        entry["prefix"] = prefix;
    }
    Ok(entry)
}

fn request_prefix(id: u64, tenant: u64, audit: Json, index: u32) -> Json {
    json!({ "kind": "request", "id": id, "tenant_id": tenant, "audit": audit, "payload_index": index })
}

fn message_negatives(handshake: &[u8]) -> Result<Vec<Json>, Box<dyn std::error::Error>> {
    let mut trailing = handshake.to_vec();
    trailing.push(0);
    let plain_prefix = request_prefix(1, 1, Json::Null, 0);
    let ops_audit = json!({ "actor": "ops", "reason": null, "correlation_id": null,
        "idempotency_key": null });
    let no_audit = Json::Null;
    // Request id 42, tenant 3, audit {actor "ops"}, variant 11, then a body.
    let unknown_11 = [
        0x00, 0x2a, 0x03, 0x01, 0x01, 0x03, b'o', b'p', b's', 0x00, 0x00, 0x00, 0x0b, 0x05,
    ];
    Ok(vec![
        message_entry(
            "message/trailing-byte",
            &trailing,
            "TrailingBytes",
            plain_prefix.clone(),
        )?,
        message_entry(
            "message/truncated",
            &handshake[..handshake.len() - 1],
            "Truncated",
            plain_prefix,
        )?,
        message_entry(
            "message/garbage",
            &[0xff; 6],
            "BadVarint",
            json!("BadVarint"),
        )?,
        message_entry("message/empty", &[], "Truncated", json!("Truncated"))?,
        message_entry(
            "message/unknown-message-tag",
            &[0x03, 0x01],
            "UnknownVariant",
            json!("UnknownMessageTag"),
        )?,
        message_entry(
            "message/bad-option-tag",
            &[0x00, 0x01, 0x01, 0x02],
            "BadOption",
            json!("BadOption"),
        )?,
        message_entry(
            "message/bad-bool",
            &[0x01, 0x0a, 0x09, 0x02],
            "BadBool",
            json!({ "kind": "response", "request_id": 10, "payload_index": 9 }),
        )?,
        message_entry(
            "message/bad-utf8-token",
            &[0x00, 0x01, 0x01, 0x00, 0x00, 0x05, 0x01, 0x01, 0xff],
            "BadUtf8",
            request_prefix(1, 1, Json::Null, 0),
        )?,
        message_entry(
            "message/bad-utf8-audit",
            &[0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0xc3, 0x00],
            "BadUtf8",
            json!("BadUtf8"),
        )?,
        message_entry(
            "message/unknown-request-variant-11",
            &unknown_11,
            "UnknownVariant",
            request_prefix(42, 3, ops_audit, 11),
        )?,
        message_entry(
            "message/unknown-request-variant-42",
            &[0x00, 0x07, 0x01, 0x00, 0x2a],
            "UnknownVariant",
            request_prefix(7, 1, no_audit.clone(), 42),
        )?,
        message_entry(
            "message/unknown-request-variant-63",
            &[0x00, 0x08, 0x02, 0x00, 0x3f, 0x00],
            "UnknownVariant",
            request_prefix(8, 2, no_audit.clone(), 63),
        )?,
        message_entry(
            "message/unknown-request-variant-200",
            &[0x00, 0x09, 0x01, 0x00, 0xc8, 0x01],
            "UnknownVariant",
            request_prefix(9, 1, no_audit, 200),
        )?,
        message_entry(
            "message/unknown-error-code-40",
            &[0x01, 0x04, 0x00, 0x28, 0x00],
            "UnknownVariant",
            json!({ "kind": "response", "request_id": 4, "payload_index": 0 }),
        )?,
        message_entry(
            "message/unknown-value-kind-5",
            &[0x00, 0x05, 0x01, 0x00, 0x03, 0x00, 0x01, 0x05, 0x00, 0x00],
            "UnknownVariant",
            request_prefix(5, 1, Json::Null, 3),
        )?,
        message_entry(
            "message/overlong-varint-id",
            &[
                0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00, 0x08,
            ],
            "BadVarint",
            json!("BadVarint"),
        )?,
    ])
}
