//! The v5 calls and the extension calls against the loopback server: streams,
//! appends, reads, SQL, admin, pipelining and subscriptions with credits.

use std::time::Duration;

use kimberlite::{
    Client, ConnectOptions, DataClass, ErrorCode, Offset, Placement, ServerErrorCode,
    SubscribeOptions, TenantId, Value,
};

use crate::harness::TestServer;

pub async fn connect(server: &TestServer) -> Client {
    Client::connect(server.address.as_str(), ConnectOptions::new(TenantId(1)))
        .await
        .unwrap()
}

/// Bounds a test step so a bug shows as a failure, not a hang.
pub async fn bounded<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("the step did not finish")
}

#[tokio::test]
async fn streams_append_read_and_length() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let stream = client
        .create_stream("events", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let again = client
        .create_stream("events", DataClass::PHI, Placement::Global)
        .await;
    assert_eq!(again.unwrap(), stream);
    let events = vec![b"a".to_vec(), b"bb".to_vec(), b"ccc".to_vec()];
    assert_eq!(
        client.append(stream, events, Offset(0)).await.unwrap(),
        Offset(0)
    );
    assert_eq!(client.stream_length(stream).await.unwrap(), 3);
    let read = client.read(stream, Offset(1), 2).await.unwrap();
    assert_eq!(read.events, vec![b"bb".to_vec()]);
    assert_eq!(read.next_offset, Some(Offset(2)));
    let empty = client.read(stream, Offset(3), 100).await.unwrap();
    assert!(empty.events.is_empty());
    assert_eq!(empty.next_offset, None);
    client.sync().await.unwrap();
}

#[tokio::test]
async fn server_errors_keep_their_code() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let error = client
        .append(stream, vec![b"x".to_vec()], Offset(5))
        .await
        .unwrap_err();
    assert_eq!(
        error.code(),
        ErrorCode::Server(ServerErrorCode::OffsetMismatch)
    );
    assert_eq!(error.code().number(), 16);
    assert!(!error.is_retryable());
    let error = client
        .stream_length(kimberlite::StreamId(99))
        .await
        .unwrap_err();
    assert_eq!(error.server_code(), Some(ServerErrorCode::StreamNotFound));
    let error = client.append(stream, vec![], Offset(0)).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
}

#[tokio::test]
async fn sql_query_execute_and_query_at() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let done = client
        .execute("INSERT INTO t VALUES ($1)", &[Value::BigInt(1)])
        .await
        .unwrap();
    assert_eq!((done.rows_affected, done.log_offset), (1, Offset(7)));
    let rows = client.query("SELECT 42", &[]).await.unwrap();
    assert_eq!(rows.columns, vec!["answer".to_owned()]);
    assert_eq!(rows.rows, vec![vec![Value::BigInt(42)]]);
    let error = client.execute("SELECT 42", &[]).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    let at = client.query_at("SELECT 1", &[], Offset(5)).await.unwrap();
    assert_eq!(at.rows, vec![vec![Value::BigInt(5)]]);
}

#[tokio::test]
async fn admin_and_server_info() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let info = client.server_info().await.unwrap();
    assert_eq!(info.protocol_version, 5);
    assert_eq!(info.signing_key, crate::fixtures::signer(1).verifier_key());
    assert_eq!(
        client.create_tenant(TenantId(9), "clinic").await.unwrap(),
        TenantId(9)
    );
    let tenants = client.list_tenants().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].name, "clinic");
    let key = client.create_api_key(TenantId(9), "app").await.unwrap();
    assert_eq!(key.key_id, "k9");
    assert!(client.revoke_api_key("k9").await.unwrap());
    assert!(client.list_api_keys(TenantId(9)).await.unwrap().is_empty());
}

#[tokio::test]
async fn pipelined_requests_are_matched_by_id_whatever_the_answer_order() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let mut streams = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let stream = client
            .create_stream(name, DataClass::Public, Placement::Global)
            .await;
        let stream = stream.unwrap();
        client
            .append(stream, vec![name.as_bytes().to_vec()], Offset(0))
            .await
            .unwrap();
        streams.push((name, stream));
    }
    // The server answers the next four requests in reverse order.
    server.control().reverse_next = 4;
    // If the client waited for each answer before sending the next request, the
    // server would hold the first forever and this would not finish.
    let [a, b, c, d] = [0, 1, 2, 3].map(|index| client.read(streams[index].1, Offset(0), 100));
    let results = bounded(async { tokio::join!(a, b, c, d) }).await;
    let results = [results.0, results.1, results.2, results.3];
    for ((name, _), result) in streams.iter().zip(results) {
        assert_eq!(result.unwrap().events, vec![name.as_bytes().to_vec()]);
    }
}

#[tokio::test]
async fn subscriptions_deliver_every_event_in_order_with_credits() {
    let server = TestServer::start(true).await;
    let client = connect(&server).await;
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let events: Vec<Vec<u8>> = (0..5).map(|index| vec![index]).collect();
    client.append(stream, events, Offset(0)).await.unwrap();
    let options = SubscribeOptions {
        credits: 4,
        consumer_group: None,
    };
    let mut subscription = client
        .subscribe_with(stream, Offset(1), options)
        .await
        .unwrap();
    assert_eq!(subscription.start_offset(), Offset(1));
    let more: Vec<Vec<u8>> = (5..20).map(|index| vec![index]).collect();
    client.append(stream, more, Offset(5)).await.unwrap();
    for expected in 1..20u8 {
        let event = bounded(subscription.next()).await.unwrap().unwrap();
        assert_eq!(event.offset, Offset(u64::from(expected)));
        assert_eq!(event.payload, vec![expected]);
    }
    // 19 events through a window of 4 credits: the client granted credits back.
    let granted = server
        .control()
        .requests
        .iter()
        .filter(|&&index| index == 9)
        .count();
    assert!(granted >= 4, "only {granted} credit grants");
    bounded(subscription.cancel()).await.unwrap();
}
