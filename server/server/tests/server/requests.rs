//! Every v5 request kind, answered by id, including pipelined out of order.

use kimberlite_protocol::message::{
    QueryAtRequest, QueryRequest, SubscribeCreditRequest, UnsubscribeRequest,
};
use kimberlite_protocol::{
    ErrorCode, Message, Offset, Request, RequestId, RequestPayload, ResponsePayload,
    SubscriptionId, TenantId,
};

use crate::harness::{
    append, create_stream, dev_config, error_of, new_stream, read, start, start_dev, stream_info,
};
use crate::memory::MemoryBackend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_stream_is_idempotent_by_name() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let first = new_stream(&mut client, "events").await;
    let other = new_stream(&mut client, "other").await;
    assert_ne!(first, other);
    assert_eq!(new_stream(&mut client, "events").await, first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_checks_the_expected_offset_and_is_stored() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    let ResponsePayload::AppendEvents(appended) =
        client.call(append(stream, &[b"a", b"bb"], 0)).await
    else {
        panic!("append failed");
    };
    assert_eq!((appended.first_offset, appended.count), (Offset(0), 2));
    let (code, _) = error_of(&client.call(append(stream, &[b"c"], 0)).await);
    assert_eq!(code, ErrorCode::OffsetMismatch);
    let ResponsePayload::AppendEvents(appended) = client.call(append(stream, &[b"c"], 2)).await
    else {
        panic!("append failed");
    };
    assert_eq!((appended.first_offset, appended.count), (Offset(2), 1));
    assert_eq!(
        server.backend.events(1, stream),
        vec![b"a".to_vec(), b"bb".to_vec(), b"c".to_vec()]
    );
    let (code, _) = error_of(&client.call(append(stream, &[], 3)).await);
    assert_eq!(
        code,
        ErrorCode::InvalidRequest,
        "an empty append is invalid"
    );
    let (code, _) = error_of(&client.call(append(99, &[b"x"], 0)).await);
    assert_eq!(code, ErrorCode::StreamNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_events_follows_the_max_bytes_rule() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    client
        .call(append(stream, &[b"aaaa", b"bbbb", b"cccc", b"dddd"], 0))
        .await;
    for (max_bytes, expected) in [(0, 0), (1, 1), (4, 1), (5, 2), (9, 3)] {
        let ResponsePayload::ReadEvents(batch) = client.call(read(stream, 0, max_bytes)).await
        else {
            panic!("read failed");
        };
        assert_eq!(batch.events.len(), expected, "max_bytes {max_bytes}");
        let next = (expected > 0).then_some(Offset(expected as u64));
        assert_eq!(batch.next_offset, next);
    }
    let ResponsePayload::ReadEvents(tail) = client.call(read(stream, 3, 100)).await else {
        panic!("read failed");
    };
    assert_eq!(tail.events, vec![b"dddd".to_vec()]);
    assert_eq!(tail.next_offset, Some(Offset(4)));
    assert_eq!(
        error_of(&client.call(read(42, 0, 10)).await).0,
        ErrorCode::StreamNotFound
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_info_sync_query_and_unknown_subscriptions() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    client.call(append(stream, &[b"x", b"y"], 0)).await;
    let ResponsePayload::StreamInfo(info) = client.call(stream_info(stream)).await else {
        panic!("no StreamInfo");
    };
    assert_eq!(info.length, 2);
    let ResponsePayload::Sync(sync) = client.call(RequestPayload::Sync).await else {
        panic!("no Sync");
    };
    assert!(sync.success);
    assert_eq!(server.backend.syncs(), 1);
    let query = QueryRequest {
        sql: "SELECT 1".into(),
        params: vec![],
        break_glass_reason: None,
    };
    let (code, message) = error_of(&client.call(RequestPayload::Query(query)).await);
    assert_eq!(code, ErrorCode::QueryExecutionError);
    assert!(message.contains("SQL"), "{message}");
    let query_at = QueryAtRequest {
        sql: "SELECT 1".into(),
        params: vec![],
        position: Offset(0),
        break_glass_reason: None,
    };
    let (code, _) = error_of(&client.call(RequestPayload::QueryAt(query_at)).await);
    assert_eq!(code, ErrorCode::QueryExecutionError);
    let credit = SubscribeCreditRequest {
        subscription_id: SubscriptionId(5),
        additional_credits: 1,
    };
    let (code, _) = error_of(&client.call(RequestPayload::SubscribeCredit(credit)).await);
    assert_eq!(code, ErrorCode::SubscriptionNotFound);
    let unsubscribe = UnsubscribeRequest {
        subscription_id: SubscriptionId(5),
    };
    let (code, _) = error_of(&client.call(RequestPayload::Unsubscribe(unsubscribe)).await);
    assert_eq!(code, ErrorCode::SubscriptionNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_requests_are_answered_by_id_out_of_order() {
    let (backend, gate) = MemoryBackend::gated();
    backend.insert_tenant(TenantId(1), "test");
    let server = start(backend, dev_config()).await;
    let mut client = server.ready_client().await;
    let stream = new_stream(&mut client, "events").await;
    // The append waits at the gate; the two requests sent after it overtake it.
    let slow = client.send(append(stream, &[b"slow"], 0)).await;
    gate.wait_until_waiting(1).await;
    let info = client.send(stream_info(stream)).await;
    let created = client.send(create_stream("second")).await;
    let first = client.any_response().await;
    let second = client.any_response().await;
    let mut early = [first.request_id, second.request_id];
    early.sort();
    assert_eq!(early, [info, created]);
    gate.release(1);
    let last = client.any_response().await;
    assert_eq!(last.request_id, slow);
    assert!(
        matches!(last.payload, ResponsePayload::AppendEvents(_)),
        "{last:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_data_and_request_ids_travel_unchanged() {
    let server = start_dev().await;
    let mut client = server.ready_client().await;
    let request = Request {
        id: RequestId(u64::MAX),
        tenant_id: TenantId(1),
        audit: Some(kimberlite_protocol::Audit {
            actor: Some("nurse".into()),
            reason: Some("care".into()),
            correlation_id: None,
            idempotency_key: Some("k1".into()),
        }),
        payload: create_stream("audited"),
    };
    client.send_message(&Message::Request(request)).await;
    let answer = client.response(RequestId(u64::MAX)).await;
    assert!(
        matches!(answer, ResponsePayload::CreateStream(_)),
        "{answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_mode_creates_a_tenant_on_first_use() {
    let server = start(MemoryBackend::default(), dev_config()).await;
    let mut client = server.ready_client().await;
    client.tenant = TenantId(42);
    let stream = new_stream(&mut client, "first").await;
    client.call(append(stream, &[b"hello"], 0)).await;
    assert_eq!(server.backend.events(42, stream), vec![b"hello".to_vec()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_pipelining_appends_lose_nothing() {
    const CLIENTS: usize = 8;
    const APPENDS: u64 = 40;
    let server = start_dev().await;
    let mut setup = server.ready_client().await;
    let stream = new_stream(&mut setup, "shared").await;
    let mut tasks = Vec::new();
    for client_index in 0..CLIENTS {
        let mut client = server.ready_client().await;
        let own = new_stream(&mut client, &format!("own-{client_index}")).await;
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for offset in 0..APPENDS {
                ids.push(client.send(append(own, &[b"e"], offset)).await);
                ids.push(client.send(stream_info(stream)).await);
            }
            for id in ids {
                let answer = client.response(id).await;
                assert!(!matches!(answer, ResponsePayload::Error(_)), "{answer:?}");
            }
            own
        }));
    }
    for task in tasks {
        let own = task.await.unwrap();
        assert_eq!(server.backend.events(1, own).len() as u64, APPENDS);
    }
}
