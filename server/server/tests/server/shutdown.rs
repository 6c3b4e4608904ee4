//! Graceful shutdown: in-flight requests finish, subscriptions close with
//! ServerShutdown, the backend is synced, no new connection is accepted.

use kimberlite_protocol::message::{CloseReason, SubscribeRequest};
use kimberlite_protocol::{
    Offset, PushPayload, RequestPayload, ResponsePayload, StreamId, TenantId,
};
use tokio::net::TcpStream;

use crate::harness::{append, dev_config, new_stream, start};
use crate::memory::MemoryBackend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_requests_and_closes_subscriptions() {
    let (backend, gate) = MemoryBackend::gated();
    backend.insert_tenant(TenantId(1), "test");
    let mut server = start(backend, dev_config()).await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    let subscribe = RequestPayload::Subscribe(SubscribeRequest {
        stream_id: StreamId(stream),
        from_offset: Offset(0),
        initial_credits: 10,
        consumer_group: None,
    });
    let ResponsePayload::Subscribe(subscribed) = client.call(subscribe).await else {
        panic!("subscribe failed");
    };
    let pending = client.send(append(stream, &[b"last"], 0)).await;
    gate.wait_until_waiting(1).await;
    server.signal_stop();
    // Once new connections are refused, the server is draining.
    while TcpStream::connect(server.address).await.is_ok() {
        tokio::task::yield_now().await;
    }
    gate.release(1);
    let answer = client.response(pending).await;
    assert!(
        matches!(answer, ResponsePayload::AppendEvents(_)),
        "{answer:?}"
    );
    let mut closed = None;
    while closed.is_none() {
        match client.push().await {
            PushPayload::SubscriptionClosed(push) => closed = Some(push),
            PushPayload::SubscriptionEvents(events) => {
                assert_eq!(events.events, vec![b"last".to_vec()])
            }
        }
    }
    let closed = closed.unwrap();
    assert_eq!(closed.subscription_id, subscribed.subscription_id);
    assert_eq!(closed.reason, CloseReason::ServerShutdown);
    client.expect_closed().await;
    let backend = server.backend.clone();
    server.stop().await.unwrap();
    assert_eq!(backend.syncs(), 1, "the backend is synced once at shutdown");
    assert_eq!(backend.events(1, stream), vec![b"last".to_vec()]);
}
