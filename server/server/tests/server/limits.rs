//! Limits: connections, append size, in-flight requests, idle timeout.

use std::time::Duration;

use kimberlite_protocol::{ErrorCode, RequestPayload, ResponsePayload, TenantId};

use crate::harness::{append, dev_config, error_of, new_stream, start, stream_info};
use crate::memory::MemoryBackend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_over_the_limit_is_answered_rate_limited_and_closed() {
    let mut config = dev_config();
    config.limits.max_connections = 2;
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let mut first = server.ready_client().await;
    let second = server.ready_client().await;
    let mut third = server.client().await;
    let (code, message) = error_of(&third.handshake(None).await);
    assert_eq!(code, ErrorCode::RateLimited);
    assert!(message.contains('2'), "{message}");
    third.expect_closed().await;
    // The others are unaffected, and a slot freed by a closing client is reused.
    assert!(matches!(
        first.call(RequestPayload::Sync).await,
        ResponsePayload::Sync(_)
    ));
    drop(second);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut next = server.client().await;
        match next.handshake(None).await {
            ResponsePayload::Handshake(_) => break,
            other => assert_eq!(error_of(&other).0, ErrorCode::RateLimited),
        }
        assert!(attempts < 1000, "the freed slot was never reused");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let text = server.metrics.render();
    let rejected = text
        .lines()
        .find_map(|line| line.strip_prefix("kimberlite_connections_rejected_total "))
        .map(|value| value.parse::<u64>().unwrap());
    assert!(rejected.is_some_and(|count| count >= 1), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_over_the_event_or_byte_limit_are_invalid() {
    let mut config = dev_config();
    config.limits.max_append_events = 3;
    config.limits.max_append_bytes = 10;
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    let (code, message) = error_of(&client.call(append(stream, &[b"a".as_slice(); 4], 0)).await);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(message.contains("limit of 3"), "{message}");
    let (code, message) = error_of(&client.call(append(stream, &[b"123456", b"12345"], 0)).await);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(message.contains("limit of 10"), "{message}");
    assert!(
        server.backend.events(1, stream).is_empty(),
        "nothing was appended"
    );
    let at_limit = client
        .call(append(stream, &[b"12345", b"123", b"12"], 0))
        .await;
    assert!(
        matches!(at_limit, ResponsePayload::AppendEvents(_)),
        "{at_limit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_per_connection_are_bounded() {
    let (backend, gate) = MemoryBackend::gated();
    backend.insert_tenant(TenantId(1), "test");
    let mut config = dev_config();
    config.limits.max_in_flight_per_connection = 2;
    let server = start(backend, config).await;
    let mut client = server.ready_client().await;
    let mut streams = Vec::new();
    for name in ["a", "b", "c", "d"] {
        streams.push(new_stream(&mut client, name).await);
    }
    let mut ids = Vec::new();
    for stream in &streams {
        ids.push(client.send(append(*stream, &[b"x"], 0)).await);
    }
    gate.wait_until_waiting(2).await;
    // Round trips on another connection let the server run; the first
    // connection's third append still cannot start while two are held.
    let mut other = server.ready_client().await;
    for _ in 0..20 {
        other.call(stream_info(1)).await;
    }
    assert_eq!(gate.waiting(), 2);
    gate.release(4);
    for id in ids {
        let answer = client.response(id).await;
        assert!(
            matches!(answer, ResponsePayload::AppendEvents(_)),
            "{answer:?}"
        );
    }
    assert_eq!(gate.peak(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed() {
    let mut config = dev_config();
    config.limits.idle_timeout = Duration::from_millis(100);
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let mut client = server.ready_client().await;
    client.expect_closed().await;
    let mut fresh = server.ready_client().await;
    assert!(matches!(
        fresh.call(RequestPayload::Sync).await,
        ResponsePayload::Sync(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_are_capped_at_the_read_limit() {
    let mut config = dev_config();
    config.limits.max_read_bytes = 4;
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    client.call(append(stream, &[b"aaaa", b"bbbb"], 0)).await;
    let ResponsePayload::ReadEvents(batch) =
        client.call(crate::harness::read(stream, 0, 1000)).await
    else {
        panic!("read failed");
    };
    assert_eq!(batch.events.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_never_completes_its_handshake_is_closed() {
    let mut config = dev_config();
    config.limits.handshake_timeout = Duration::from_millis(100);
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let mut silent = server.client().await;
    silent.expect_closed().await;
    // Requests other than a successful handshake do not keep it open either.
    let mut chatty = server.client().await;
    let mut answered = 0;
    while chatty
        .next_message_after(RequestPayload::Sync)
        .await
        .is_some()
    {
        answered += 1;
        assert!(answered < 500, "the connection was never closed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A handshaken connection is held to the (long) idle timeout instead.
    let mut client = server.ready_client().await;
    assert!(matches!(
        client.call(RequestPayload::Sync).await,
        ResponsePayload::Sync(_)
    ));
}
