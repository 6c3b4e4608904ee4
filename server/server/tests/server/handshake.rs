//! The handshake rules and per-connection extension opt-in.

use kimberlite_protocol::message::{HandshakeRequest, QueryRequest};
use kimberlite_protocol::{capability, ErrorCode, RequestPayload, ResponsePayload, Value};

use crate::harness::{enable, error_of, start_dev, stream_info};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_answers_version_five_and_the_capabilities() {
    let server = start_dev().await;
    let mut client = server.client().await;
    let ResponsePayload::Handshake(answer) = client.handshake(None).await else {
        panic!("no handshake answer");
    };
    assert_eq!(answer.server_version, 5);
    assert!(
        answer.authenticated,
        "development mode authenticates everyone"
    );
    assert_eq!(
        answer.capabilities,
        capability::ALL.map(str::to_owned).to_vec()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_client_versions_are_invalid_and_the_client_may_retry() {
    let server = start_dev().await;
    let mut client = server.client().await;
    for version in [4, 6, 0] {
        let request = HandshakeRequest {
            client_version: version,
            auth_token: None,
        };
        let (code, message) = error_of(&client.call(RequestPayload::Handshake(request)).await);
        assert_eq!(code, ErrorCode::InvalidRequest);
        assert!(message.contains(&version.to_string()), "{message}");
    }
    assert!(matches!(
        client.handshake(None).await,
        ResponsePayload::Handshake(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_before_the_handshake_are_refused() {
    let server = start_dev().await;
    let mut client = server.client().await;
    let (code, message) = error_of(&client.call(stream_info(1)).await);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(message.contains("Handshake"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_handshake_is_refused() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let (code, _) = error_of(&client.handshake(None).await);
    assert_eq!(code, ErrorCode::InvalidRequest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extension_requests_need_the_opt_in() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let verify =
        RequestPayload::GetCheckpoint(kimberlite_protocol::message::GetCheckpointRequest {
            stream_id: kimberlite_protocol::StreamId(1),
        });
    // Not enabled: the plain v5 code for ExtensionNotEnabled.
    let (code, message) = error_of(&client.call(verify.clone()).await);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(message.contains(capability::VERIFY), "{message}");
    let ResponsePayload::ExtensionsEnabled(enabled) = client
        .call(enable(&[capability::VERIFY, "kmb.future/9"]))
        .await
    else {
        panic!("no ExtensionsEnabled answer");
    };
    assert_eq!(enabled.capabilities, vec![capability::VERIFY.to_owned()]);
    // Enabled, but the backend cannot verify: its extension code is mapped
    // to InternalError because extension codes were not enabled.
    assert_eq!(
        error_of(&client.call(verify.clone()).await).0,
        ErrorCode::InternalError
    );
    client.call(enable(&[capability::ERRORS])).await;
    let (code, _) = error_of(&client.call(verify).await);
    assert_eq!(code, ErrorCode::VerificationUnavailable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_info_is_always_allowed() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let ResponsePayload::ServerInfo(info) = client.call(RequestPayload::ServerInfo).await else {
        panic!("no ServerInfo answer");
    };
    assert_eq!(info.protocol_version, 5);
    assert_eq!(info.signing_key, "test+00000000+AAAA");
    assert_eq!(info.server_version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extension_values_reach_only_connections_that_enabled_them() {
    let server = start_dev().await;
    let query = || {
        RequestPayload::Query(QueryRequest {
            sql: "SELECT 1.5 AS x".into(),
            params: Vec::new(),
            break_glass_reason: None,
        })
    };
    let mut plain = server.ready_client().await;
    let ResponsePayload::Query(rows) = plain.call(query()).await else {
        panic!("no rows")
    };
    assert_eq!(rows.rows, vec![vec![Value::Text("1.5".into())]]);
    let mut modern = server.ready_client().await;
    modern.call(enable(&[capability::VALUES])).await;
    let ResponsePayload::Query(rows) = modern.call(query()).await else {
        panic!("no rows")
    };
    assert_eq!(rows.rows, vec![vec![Value::Real(1.5)]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worked_handshake_bytes_of_the_protocol_are_answered() {
    let server = start_dev().await;
    let mut client = server.client().await;
    // PROTOCOL.md: Request { id 1, tenant 1, no audit, Handshake { 5, None } }.
    let payload = [0x00, 0x01, 0x01, 0x00, 0x00, 0x05, 0x00];
    let mut frame = vec![0x56, 0x44, 0x42, 0x20, 0x00, 0x05, 0x00, 0x00, 0x00, 0x07];
    frame.extend_from_slice(&kimberlite_protocol::frame::payload_checksum(&payload).to_be_bytes());
    frame.extend_from_slice(&payload);
    client.send_raw(&frame).await;
    let ResponsePayload::Handshake(answer) =
        client.response(kimberlite_protocol::RequestId(1)).await
    else {
        panic!("no handshake answer");
    };
    assert_eq!(answer.server_version, 5);
}
