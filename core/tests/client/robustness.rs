//! Lost connections, bytes that break the protocol, silence and refusals: each ends
//! in a specific error, never a panic, and the next call reconnects where it can.

use std::time::Duration;

use kimberlite::{
    Client, ConnectOptions, DataClass, ErrorCode, Offset, Placement, ServerErrorCode, TenantId,
};

use crate::calls::{bounded, connect};
use crate::harness::{Fault, TestServer};

async fn fails_with_then_recovers(fault: Fault, code: ErrorCode) {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    server.control().fault = Some(fault);
    let error = bounded(client.stream_length(stream)).await.unwrap_err();
    assert_eq!(error.code(), code, "{error}");
    // The next call reconnects, handshakes and opts in again.
    client
        .append(stream, vec![b"x".to_vec()], Offset(0))
        .await
        .unwrap();
    assert_eq!(client.stream_length(stream).await.unwrap(), 1);
    assert_eq!(server.control().connections, 2);
    let handshakes = server
        .control()
        .requests
        .iter()
        .filter(|&&index| index == 0)
        .count();
    let opt_ins = server
        .control()
        .requests
        .iter()
        .filter(|&&index| index == 64)
        .count();
    assert_eq!((handshakes, opt_ins), (2, 2));
}

#[tokio::test]
async fn a_dropped_connection_fails_the_call_retryably_and_the_next_call_reconnects() {
    fails_with_then_recovers(Fault::Drop, ErrorCode::Connection).await;
}

#[tokio::test]
async fn garbage_bytes_are_a_protocol_error() {
    fails_with_then_recovers(Fault::Garbage, ErrorCode::Protocol).await;
}

#[tokio::test]
async fn an_undecodable_message_is_a_protocol_error() {
    fails_with_then_recovers(Fault::Undecodable, ErrorCode::Protocol).await;
}

#[tokio::test]
async fn every_request_in_flight_fails_when_the_connection_drops() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    // Hold three answers; the third request makes the server drop the connection.
    server.control().reverse_next = 3;
    let first = client.stream_length(stream);
    let second = client.read(stream, Offset(0), 10);
    let third = async {
        tokio::task::yield_now().await;
        server.control().fault = Some(Fault::Drop);
        client.sync().await
    };
    let (first, second, third) = bounded(async { tokio::join!(first, second, third) }).await;
    for error in [first.unwrap_err(), second.unwrap_err(), third.unwrap_err()] {
        assert_eq!(error.code(), ErrorCode::Connection, "{error}");
        assert!(error.is_retryable());
    }
}

#[tokio::test]
async fn a_silent_server_times_out_and_the_connection_stays_usable() {
    let server = TestServer::start(true).await;
    let options = ConnectOptions::new(TenantId(1)).request_timeout(Duration::from_millis(200));
    let client = Client::connect(server.address.as_str(), options)
        .await
        .unwrap();
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    server.control().fault = Some(Fault::Silence);
    let error = client.stream_length(stream).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::Timeout);
    assert!(error.is_retryable());
    assert_eq!(client.stream_length(stream).await.unwrap(), 0);
    assert_eq!(server.control().connections, 1);
}

#[tokio::test]
async fn no_server_is_a_connection_error_after_the_attempts() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    drop(listener);
    let error = Client::connect(address.as_str(), ConnectOptions::new(TenantId(1)))
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Connection);
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn a_refused_token_is_authentication_failed() {
    let server = TestServer::start(true).await;
    server.control().token = Some("right".to_owned());
    let options = ConnectOptions::new(TenantId(1)).auth_token("wrong");
    let error = Client::connect(server.address.as_str(), options)
        .await
        .unwrap_err();
    assert_eq!(
        error.server_code(),
        Some(ServerErrorCode::AuthenticationFailed)
    );
    let options = ConnectOptions::new(TenantId(1)).auth_token("right");
    assert!(Client::connect(server.address.as_str(), options)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_subscription_fails_when_its_connection_drops() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let mut subscription = client.subscribe(stream, Offset(0)).await.unwrap();
    server.control().fault = Some(Fault::Drop);
    let _ = client.stream_length(stream).await;
    let error = bounded(subscription.next()).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::Connection);
    assert_eq!(
        bounded(subscription.next()).await.unwrap_err().code(),
        ErrorCode::Connection
    );
}

/// A small deterministic generator, so every run tries the same bytes.
fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[tokio::test]
async fn arbitrary_answer_bodies_never_break_the_client() {
    let server = TestServer::start(true).await;
    let options = ConnectOptions::new(TenantId(1)).request_timeout(Duration::from_secs(5));
    let client = Client::connect(server.address.as_str(), options)
        .await
        .unwrap();
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    for seed in 0..200u64 {
        let body = pseudo_random_bytes(seed, (seed % 40) as usize);
        server.control().fault = Some(Fault::Body(body));
        // A body that happens to decode as an answer (StreamInfo, or an Error with
        // some code) is an answer; anything else must be a protocol error, never a
        // panic or a hang.
        if let Err(error) = client.stream_length(stream).await {
            let code = error.code();
            let answered = matches!(code, ErrorCode::Protocol | ErrorCode::Server(_));
            assert!(answered, "seed {seed}: {error}");
        }
        // The client is still usable: the next call reconnects if it must.
        assert_eq!(
            client.stream_length(stream).await.unwrap(),
            0,
            "seed {seed}"
        );
    }
}
