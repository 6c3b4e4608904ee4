//! Bad frames and messages close only their own connection; unknown request
//! variants are answered with InvalidRequest and the right id.

use kimberlite_protocol::{
    encode_message, ErrorCode, Message, RequestId, RequestPayload, ResponsePayload, TenantId,
};

use kimberlite_protocol::frame::payload_checksum;

use crate::harness::{error_of, start_dev, stream_info, Running};

fn frame(magic: u32, version: u16, length: u32, crc: u32, payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&magic.to_be_bytes());
    bytes.extend_from_slice(&version.to_be_bytes());
    bytes.extend_from_slice(&length.to_be_bytes());
    bytes.extend_from_slice(&crc.to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

fn good_frame(payload: &[u8]) -> Vec<u8> {
    frame(
        0x5644_4220,
        5,
        payload.len() as u32,
        payload_checksum(payload),
        payload,
    )
}

fn sync_payload(id: u64) -> Vec<u8> {
    encode_message(&Message::request(
        RequestId(id),
        TenantId(1),
        RequestPayload::Sync,
    ))
}

/// Sends `bytes` on a fresh handshaken connection, expects it closed, and
/// checks that another connection opened before keeps working.
async fn closes_only_its_connection(server: &Running, bytes: &[u8], shut_write: bool) {
    let mut bystander = server.ready_client().await;
    let mut victim = server.ready_client().await;
    victim.send_raw(bytes).await;
    if shut_write {
        victim.shutdown_write().await;
    }
    victim.expect_closed().await;
    let answer = bystander.call(stream_info(1)).await;
    assert_eq!(
        error_of(&answer).0,
        ErrorCode::StreamNotFound,
        "bystander still served"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_magic_closes_the_connection() {
    let server = start_dev().await;
    let payload = sync_payload(9);
    let bytes = frame(
        0x4745_5420,
        5,
        payload.len() as u32,
        payload_checksum(&payload),
        &payload,
    );
    closes_only_its_connection(&server, &bytes, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_version_closes_the_connection() {
    let server = start_dev().await;
    let payload = sync_payload(9);
    let bytes = frame(
        0x5644_4220,
        4,
        payload.len() as u32,
        payload_checksum(&payload),
        &payload,
    );
    closes_only_its_connection(&server, &bytes, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_checksum_closes_the_connection() {
    let server = start_dev().await;
    let payload = sync_payload(9);
    let crc = payload_checksum(&payload) ^ 1;
    let bytes = frame(0x5644_4220, 5, payload.len() as u32, crc, &payload);
    closes_only_its_connection(&server, &bytes, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_length_closes_the_connection_before_the_payload() {
    let server = start_dev().await;
    let bytes = frame(0x5644_4220, 5, 16 * 1024 * 1024 + 1, 0, &[]);
    closes_only_its_connection(&server, &bytes, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_frame_then_close_is_not_served() {
    let server = start_dev().await;
    let whole = good_frame(&sync_payload(9));
    closes_only_its_connection(&server, &whole[..whole.len() - 1], true).await;
    closes_only_its_connection(&server, &whole[..5], true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_postcard_closes_the_connection() {
    let server = start_dev().await;
    for payload in [
        &[0x07, 0x01][..],
        &[0x00],
        &[0x00, 0x01, 0x01, 0x05],
        &[0xff; 12],
    ] {
        closes_only_its_connection(&server, &good_frame(payload), false).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trailing_bytes_close_the_connection() {
    let server = start_dev().await;
    let mut payload = sync_payload(9);
    payload.push(0);
    closes_only_its_connection(&server, &good_frame(&payload), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_from_the_client_closes_the_connection() {
    let server = start_dev().await;
    let message = Message::error(RequestId(1), ErrorCode::Unknown, "not for the server");
    closes_only_its_connection(&server, &good_frame(&encode_message(&message)), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_variants_get_invalid_request_with_their_id() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    for (id, index) in [(77u64, 11u8), (78, 42), (79, 63), (80, 120)] {
        // Sync is the unit variant 8: its index is the payload's last byte.
        let mut payload = sync_payload(id);
        *payload.last_mut().unwrap() = index;
        client.send_raw(&good_frame(&payload)).await;
        let (code, message) = error_of(&client.response(RequestId(id)).await);
        assert_eq!(code, ErrorCode::InvalidRequest);
        assert!(message.contains(&index.to_string()), "{message}");
    }
    // With audit data before the variant, and the connection still works.
    let audited = Message::Request(kimberlite_protocol::Request {
        id: RequestId(300),
        tenant_id: TenantId(1),
        audit: Some(kimberlite_protocol::Audit {
            actor: Some("a".into()),
            ..Default::default()
        }),
        payload: RequestPayload::Sync,
    });
    let mut payload = encode_message(&audited);
    *payload.last_mut().unwrap() = 30;
    client.send_raw(&good_frame(&payload)).await;
    assert_eq!(
        error_of(&client.response(RequestId(300)).await).0,
        ErrorCode::InvalidRequest
    );
    assert!(matches!(
        client.call(RequestPayload::Sync).await,
        ResponsePayload::Sync(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_nested_variant_gets_invalid_request() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let create = RequestPayload::CreateStream(kimberlite_protocol::message::CreateStreamRequest {
        name: "events".into(),
        data_class: kimberlite_protocol::DataClass::Public,
        placement: kimberlite_protocol::Placement::Global,
    });
    let mut payload = encode_message(&Message::request(RequestId(5), TenantId(1), create));
    // The body ends with DataClass (7) then Placement (1); 9 is no DataClass.
    let at = payload.len() - 2;
    assert_eq!(payload[at], 7);
    payload[at] = 9;
    client.send_raw(&good_frame(&payload)).await;
    let (code, message) = error_of(&client.response(RequestId(5)).await);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(message.contains("CreateStream"), "{message}");
}
