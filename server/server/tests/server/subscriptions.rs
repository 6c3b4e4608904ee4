//! Subscriptions: credits, catch-up from an offset, live tail, closing.

use kimberlite_protocol::message::{
    CloseReason, SubscribeCreditRequest, SubscribeRequest, SubscriptionEvents, UnsubscribeRequest,
};
use kimberlite_protocol::{
    ErrorCode, Offset, PushPayload, RequestPayload, ResponsePayload, StreamId, SubscriptionId,
};
use tokio::net::TcpStream;

use crate::harness::{append, dev_config, error_of, new_stream, start, start_dev, Client};
use crate::memory::MemoryBackend;

fn subscribe(stream: u64, from: u64, credits: u32) -> RequestPayload {
    RequestPayload::Subscribe(SubscribeRequest {
        stream_id: StreamId(stream),
        from_offset: Offset(from),
        initial_credits: credits,
        consumer_group: None,
    })
}

fn credit(id: SubscriptionId, additional_credits: u32) -> RequestPayload {
    RequestPayload::SubscribeCredit(SubscribeCreditRequest {
        subscription_id: id,
        additional_credits,
    })
}

async fn events_push(client: &mut Client<TcpStream>) -> SubscriptionEvents {
    match client.push().await {
        PushPayload::SubscriptionEvents(events) => events,
        other => panic!("expected events, got {other:?}"),
    }
}

/// Collects pushes until `count` events have arrived; checks their offsets
/// are contiguous from `from`. Returns the events and the last credit balance.
async fn collect(client: &mut Client<TcpStream>, from: u64, count: usize) -> (Vec<Vec<u8>>, u32) {
    let mut events = Vec::new();
    let mut credits = 0;
    while events.len() < count {
        let push = events_push(client).await;
        assert_eq!(push.start_offset, Offset(from + events.len() as u64));
        events.extend(push.events);
        credits = push.credits_remaining;
    }
    assert_eq!(events.len(), count, "no more events than asked for");
    (events, credits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credits_gate_catch_up_and_live_tail() {
    let server = start_dev().await;
    let mut writer = server.ready_client().await;
    let stream = new_stream(&mut writer, "events").await;
    writer
        .call(append(stream, &[b"e0", b"e1", b"e2", b"e3", b"e4"], 0))
        .await;
    let mut reader = server.ready_client().await;
    let ResponsePayload::Subscribe(subscribed) = reader.call(subscribe(stream, 1, 3)).await else {
        panic!("subscribe failed");
    };
    assert_eq!(
        (subscribed.start_offset, subscribed.credits),
        (Offset(1), 3)
    );
    let id = subscribed.subscription_id;
    let (events, credits) = collect(&mut reader, 1, 3).await;
    assert_eq!(events, vec![b"e1".to_vec(), b"e2".to_vec(), b"e3".to_vec()]);
    assert_eq!(credits, 0);
    // Without credits nothing more comes; a grant resumes the catch-up.
    let ResponsePayload::SubscriptionAck(ack) = reader.call(credit(id, 10)).await else {
        panic!("credit failed");
    };
    assert_eq!((ack.subscription_id, ack.credits_remaining), (id, 10));
    let (events, credits) = collect(&mut reader, 4, 1).await;
    assert_eq!((events, credits), (vec![b"e4".to_vec()], 9));
    // Live tail: events appended later are pushed.
    writer.call(append(stream, &[b"e5", b"e6"], 5)).await;
    let (events, credits) = collect(&mut reader, 5, 2).await;
    assert_eq!((events, credits), (vec![b"e5".to_vec(), b"e6".to_vec()], 7));
    let unsubscribe = RequestPayload::Unsubscribe(UnsubscribeRequest {
        subscription_id: id,
    });
    let ResponsePayload::SubscriptionAck(ack) = reader.call(unsubscribe).await else {
        panic!("unsubscribe failed");
    };
    assert_eq!(ack.credits_remaining, 7);
    let PushPayload::SubscriptionClosed(closed) = reader.push().await else {
        panic!("no SubscriptionClosed push");
    };
    assert_eq!(
        (closed.subscription_id, closed.reason),
        (id, CloseReason::ClientCancelled)
    );
    let (code, _) = error_of(&reader.call(credit(id, 1)).await);
    assert_eq!(code, ErrorCode::SubscriptionNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credits_are_capped_at_the_limit() {
    let mut config = dev_config();
    config.limits.max_subscription_credits = 5;
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    let ResponsePayload::Subscribe(subscribed) = client.call(subscribe(stream, 0, 100)).await
    else {
        panic!("subscribe failed");
    };
    assert_eq!(subscribed.credits, 5);
    let ResponsePayload::SubscriptionAck(ack) = client
        .call(credit(subscribed.subscription_id, u32::MAX))
        .await
    else {
        panic!("credit failed");
    };
    assert_eq!(ack.credits_remaining, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_checks_stream_offset_group_and_count() {
    let mut config = dev_config();
    config.limits.max_subscriptions_per_connection = 2;
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    client.call(append(stream, &[b"a"], 0)).await;
    assert_eq!(
        error_of(&client.call(subscribe(99, 0, 1)).await).0,
        ErrorCode::StreamNotFound
    );
    assert_eq!(
        error_of(&client.call(subscribe(stream, 2, 1)).await).0,
        ErrorCode::InvalidOffset
    );
    let grouped = RequestPayload::Subscribe(SubscribeRequest {
        stream_id: StreamId(stream),
        from_offset: Offset(0),
        initial_credits: 1,
        consumer_group: Some("workers".into()),
    });
    assert_eq!(
        error_of(&client.call(grouped).await).0,
        ErrorCode::InvalidRequest
    );
    for _ in 0..2 {
        let answer = client.call(subscribe(stream, 1, 1)).await;
        assert!(
            matches!(answer, ResponsePayload::Subscribe(_)),
            "{answer:?}"
        );
    }
    assert_eq!(
        error_of(&client.call(subscribe(stream, 1, 1)).await).0,
        ErrorCode::RateLimited
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_subscriptions_on_one_connection_interleave() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let first_stream = new_stream(&mut client, "one").await;
    let second_stream = new_stream(&mut client, "two").await;
    let ResponsePayload::Subscribe(first) = client.call(subscribe(first_stream, 0, 10)).await
    else {
        panic!("subscribe failed");
    };
    let ResponsePayload::Subscribe(second) = client.call(subscribe(second_stream, 0, 10)).await
    else {
        panic!("subscribe failed");
    };
    client.call(append(first_stream, &[b"1"], 0)).await;
    client.call(append(second_stream, &[b"2"], 0)).await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let push = events_push(&mut client).await;
        seen.push((push.subscription_id, push.events));
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (first.subscription_id, vec![b"1".to_vec()]),
            (second.subscription_id, vec![b"2".to_vec()])
        ]
    );
}
