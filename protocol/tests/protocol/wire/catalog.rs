//! Typed messages behind the wire vectors: the reference vectors in their file
//! order, and our catalogue of every message kind (extensions included).
//!
//! Shared by the integration tests and by `examples/gen_wire_vectors.rs`, which
//! includes this file, so the vectors and the tests cannot drift apart.

use kimberlite_protocol::message::*;
use kimberlite_protocol::{
    DataClass, ErrorCode, Hash, Message, Offset, Placement, Region, RequestId, StreamId,
    SubscriptionId, TenantId, Value,
};

fn request(id: u64, tenant: u64, payload: RequestPayload) -> Message {
    Message::request(RequestId(id), TenantId(tenant), payload)
}

fn response(id: u64, payload: ResponsePayload) -> Message {
    Message::response(RequestId(id), payload)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn events(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|item| item.as_bytes().to_vec()).collect()
}

fn hash(byte: u8) -> Hash {
    Hash([byte; 32])
}

/// The 27 messages of tests/vectors/reference/wire-v5-reference.json, in order.
pub fn reference_messages() -> Vec<Message> {
    let mut out = reference_requests();
    out.extend(reference_responses());
    out.extend(reference_pushes());
    out
}

fn reference_requests() -> Vec<Message> {
    vec![
        request(1, 1, handshake(None)),
        request(1, 7, handshake(Some("secret"))),
        request(
            2,
            1,
            create_stream("events", DataClass::Public, Placement::Global),
        ),
        request(
            3,
            1,
            create_stream(
                "phi",
                DataClass::PHI,
                Placement::Region(Region::Custom("eu".into())),
            ),
        ),
        Message::Request(Request {
            id: RequestId(300),
            tenant_id: TenantId(1),
            audit: Some(Audit {
                actor: Some("dr".into()),
                ..Audit::default()
            }),
            payload: RequestPayload::AppendEvents(AppendEventsRequest {
                stream_id: StreamId(4_294_967_297),
                events: events(&["a", "bc"]),
                expected_offset: Offset(300),
            }),
        }),
        request(
            5,
            1,
            RequestPayload::Query(QueryRequest {
                sql: "SELECT $1".into(),
                params: vec![
                    Value::BigInt(-2),
                    Value::Text("x".into()),
                    Value::Null,
                    Value::Boolean(true),
                    Value::Timestamp(1_700_000_000_000_000_000),
                ],
                break_glass_reason: None,
            }),
        ),
        request(
            6,
            1,
            RequestPayload::QueryAt(QueryAtRequest {
                sql: "SELECT 1".into(),
                params: vec![],
                position: Offset(9),
                break_glass_reason: Some("er".into()),
            }),
        ),
        request(
            7,
            1,
            RequestPayload::ReadEvents(ReadEventsRequest {
                stream_id: StreamId(1),
                from_offset: Offset(0),
                max_bytes: 1_048_576,
            }),
        ),
        request(
            8,
            1,
            RequestPayload::StreamInfo(StreamInfoRequest {
                stream_id: StreamId(1),
            }),
        ),
        request(
            9,
            1,
            RequestPayload::Subscribe(SubscribeRequest {
                stream_id: StreamId(1),
                from_offset: Offset(2),
                initial_credits: 64,
                consumer_group: None,
            }),
        ),
        request(10, 1, RequestPayload::Sync),
        request(
            11,
            1,
            RequestPayload::SubscribeCredit(SubscribeCreditRequest {
                subscription_id: SubscriptionId(77),
                additional_credits: 32,
            }),
        ),
        request(
            12,
            1,
            RequestPayload::Unsubscribe(UnsubscribeRequest {
                subscription_id: SubscriptionId(77),
            }),
        ),
    ]
}

fn handshake(token: Option<&str>) -> RequestPayload {
    RequestPayload::Handshake(HandshakeRequest {
        client_version: 5,
        auth_token: token.map(str::to_owned),
    })
}

fn create_stream(name: &str, data_class: DataClass, placement: Placement) -> RequestPayload {
    RequestPayload::CreateStream(CreateStreamRequest {
        name: name.into(),
        data_class,
        placement,
    })
}

fn reference_responses() -> Vec<Message> {
    vec![
        Message::error(RequestId(4), ErrorCode::OffsetMismatch, "expected 3"),
        response(
            1,
            ResponsePayload::Handshake(HandshakeResponse {
                server_version: 5,
                authenticated: true,
                capabilities: strings(&["query", "append", "subscribe"]),
            }),
        ),
        response(
            2,
            ResponsePayload::CreateStream(CreateStreamResponse {
                stream_id: StreamId(4_294_967_297),
            }),
        ),
        response(
            300,
            ResponsePayload::AppendEvents(AppendEventsResponse {
                first_offset: Offset(300),
                count: 2,
            }),
        ),
        response(
            5,
            ResponsePayload::Query(QueryResponse {
                columns: strings(&["rows_affected", "log_offset"]),
                rows: vec![vec![Value::BigInt(1), Value::BigInt(5)]],
            }),
        ),
        response(
            6,
            ResponsePayload::QueryAt(QueryResponse {
                columns: strings(&["id", "name"]),
                rows: vec![
                    vec![Value::BigInt(1), Value::Text("Alice".into())],
                    vec![Value::Null, Value::Boolean(false)],
                ],
            }),
        ),
        response(
            7,
            ResponsePayload::ReadEvents(ReadEventsResponse {
                events: events(&["a"]),
                next_offset: Some(Offset(1)),
            }),
        ),
        response(
            7,
            ResponsePayload::ReadEvents(ReadEventsResponse {
                events: vec![],
                next_offset: None,
            }),
        ),
        response(
            8,
            ResponsePayload::StreamInfo(StreamInfoResponse { length: 3 }),
        ),
        response(
            9,
            ResponsePayload::Subscribe(SubscribeResponse {
                subscription_id: SubscriptionId(77),
                start_offset: Offset(2),
                credits: 64,
            }),
        ),
        response(10, ResponsePayload::Sync(SyncResponse { success: true })),
        response(
            11,
            ResponsePayload::SubscriptionAck(SubscriptionAckResponse {
                subscription_id: SubscriptionId(77),
                credits_remaining: 96,
            }),
        ),
    ]
}

fn reference_pushes() -> Vec<Message> {
    vec![
        Message::push(PushPayload::SubscriptionEvents(SubscriptionEvents {
            subscription_id: SubscriptionId(77),
            start_offset: Offset(2),
            events: events(&["e"]),
            credits_remaining: 63,
        })),
        Message::push(PushPayload::SubscriptionClosed(SubscriptionClosed {
            subscription_id: SubscriptionId(77),
            reason: CloseReason::ServerShutdown,
        })),
    ]
}

/// Names for [`reference_messages`], used as vector names in wire.json.
pub const REFERENCE_NAMES: [&str; 27] = [
    "request/handshake",
    "request/handshake-with-token",
    "request/create-stream-global",
    "request/create-stream-custom-region",
    "request/append-events-with-audit",
    "request/query-all-v5-values",
    "request/query-at",
    "request/read-events",
    "request/stream-info",
    "request/subscribe",
    "request/sync",
    "request/subscribe-credit",
    "request/unsubscribe",
    "response/error-offset-mismatch",
    "response/handshake",
    "response/create-stream",
    "response/append-events",
    "response/query-dml",
    "response/query-at-rows",
    "response/read-events",
    "response/read-events-empty",
    "response/stream-info",
    "response/subscribe",
    "response/sync",
    "response/subscription-ack",
    "push/subscription-events",
    "push/subscription-closed",
];

/// Every message kind with a stable name: the reference set, more v5 shapes,
/// and every extension message.
pub fn catalog() -> Vec<(String, Message)> {
    let mut out: Vec<(String, Message)> = REFERENCE_NAMES
        .iter()
        .map(|name| (*name).to_owned())
        .zip(reference_messages())
        .collect();
    out.extend(more_v5_messages());
    out.extend(extension_messages());
    out
}

fn more_v5_messages() -> Vec<(String, Message)> {
    let full_audit = Message::Request(Request {
        id: RequestId(u64::MAX),
        tenant_id: TenantId(u64::MAX),
        audit: Some(Audit {
            actor: Some("alice".into()),
            reason: Some("treatment".into()),
            correlation_id: Some("c-1".into()),
            idempotency_key: Some("k-1".into()),
        }),
        payload: RequestPayload::Sync,
    });
    let mut out = vec![
        ("request/sync-full-audit-max-ids".to_owned(), full_audit),
        (
            "request/create-stream-us-east-1".to_owned(),
            request(
                4,
                2,
                create_stream("s", DataClass::PII, Placement::Region(Region::USEast1)),
            ),
        ),
        (
            "request/subscribe-consumer-group".to_owned(),
            request(
                13,
                1,
                RequestPayload::Subscribe(SubscribeRequest {
                    stream_id: StreamId(1),
                    from_offset: Offset(0),
                    initial_credits: 1000,
                    consumer_group: Some("g".into()),
                }),
            ),
        ),
        (
            "response/error-rate-limited".to_owned(),
            Message::error(RequestId(14), ErrorCode::RateLimited, "slow down"),
        ),
    ];
    for reason in CloseReason::ALL {
        out.push((
            format!("push/subscription-closed-{reason:?}"),
            Message::push(PushPayload::SubscriptionClosed(SubscriptionClosed {
                subscription_id: SubscriptionId(1),
                reason,
            })),
        ));
    }
    out
}

fn extension_messages() -> Vec<(String, Message)> {
    let mut out = extension_requests();
    out.extend(extension_responses());
    out
}

fn extension_requests() -> Vec<(String, Message)> {
    let pairs = [
        (
            "ext/request/enable-extensions",
            RequestPayload::EnableExtensions(EnableExtensionsRequest {
                capabilities: strings(&["kmb.verify/1", "kmb.values/1"]),
            }),
        ),
        ("ext/request/server-info", RequestPayload::ServerInfo),
        (
            "ext/request/read-verified",
            RequestPayload::ReadVerified(ReadVerifiedRequest {
                stream_id: StreamId(1),
                from_offset: Offset(0),
                max_bytes: 4096,
                trusted_size: Some(2),
            }),
        ),
        (
            "ext/request/get-checkpoint",
            RequestPayload::GetCheckpoint(GetCheckpointRequest {
                stream_id: StreamId(1),
            }),
        ),
        (
            "ext/request/consistency-proof",
            RequestPayload::ConsistencyProof(ConsistencyProofRequest {
                stream_id: StreamId(1),
                from_size: 2,
                to_size: 3,
            }),
        ),
        (
            "ext/request/create-tenant",
            RequestPayload::CreateTenant(CreateTenantRequest {
                tenant_id: TenantId(2),
                name: "clinic".into(),
            }),
        ),
        ("ext/request/list-tenants", RequestPayload::ListTenants),
        (
            "ext/request/create-api-key",
            RequestPayload::CreateApiKey(CreateApiKeyRequest {
                tenant_id: TenantId(2),
                label: "app".into(),
            }),
        ),
        (
            "ext/request/revoke-api-key",
            RequestPayload::RevokeApiKey(RevokeApiKeyRequest {
                key_id: "k1".into(),
            }),
        ),
        (
            "ext/request/list-api-keys",
            RequestPayload::ListApiKeys(ListApiKeysRequest {
                tenant_id: TenantId(2),
            }),
        ),
        (
            "ext/request/query-extension-values",
            RequestPayload::Query(QueryRequest {
                sql: "SELECT $1".into(),
                params: extension_values(),
                break_glass_reason: None,
            }),
        ),
        (
            "ext/request/read-verified-range",
            RequestPayload::ReadVerifiedRange(ReadVerifiedRequest {
                stream_id: StreamId(1),
                from_offset: Offset(1),
                max_bytes: 4096,
                trusted_size: Some(2),
            }),
        ),
    ];
    pairs
        .into_iter()
        .zip(20u64..)
        .map(|((name, payload), id)| (name.to_owned(), request(id, 1, payload)))
        .collect()
}

/// One value of every extension kind.
pub fn extension_values() -> Vec<Value> {
    vec![
        Value::Real(1.5),
        Value::Bytes(vec![0, 255]),
        Value::Decimal("-12.50".into()),
        Value::Date(-1),
        Value::Time(45_296_000_000_001),
        Value::Uuid([
            0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17,
            0x40, 0x00,
        ]),
        Value::Json("{\"a\":1}".into()),
        Value::TimestampTz(-1),
    ]
}

const CHECKPOINT: &str = "example.org/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u{2014} example.org/log AAAAAA==\n";

fn extension_responses() -> Vec<(String, Message)> {
    let pairs = [
        (
            "ext/response/extensions-enabled",
            ResponsePayload::ExtensionsEnabled(ExtensionsEnabledResponse {
                capabilities: strings(&["kmb.verify/1"]),
            }),
        ),
        (
            "ext/response/server-info",
            ResponsePayload::ServerInfo(ServerInfoResponse {
                server_version: "0.1.0".into(),
                protocol_version: 5,
                signing_key: "example.org/log+0a0b0c0d+AQID".into(),
                capabilities: strings(&["kmb.ext/1", "kmb.verify/1"]),
            }),
        ),
        ("ext/response/read-verified", read_verified_response()),
        (
            "ext/response/checkpoint",
            ResponsePayload::Checkpoint(CheckpointResponse {
                checkpoint: CHECKPOINT.into(),
            }),
        ),
        (
            "ext/response/consistency-proof",
            ResponsePayload::ConsistencyProof(ConsistencyProofResponse {
                proof: vec![hash(0xaa), hash(0xbb)],
            }),
        ),
        (
            "ext/response/tenant-created",
            ResponsePayload::TenantCreated(TenantCreatedResponse {
                tenant_id: TenantId(2),
            }),
        ),
        (
            "ext/response/tenants",
            ResponsePayload::Tenants(TenantsResponse {
                tenants: vec![
                    TenantInfo {
                        id: TenantId(1),
                        name: "default".into(),
                    },
                    TenantInfo {
                        id: TenantId(2),
                        name: "clinic".into(),
                    },
                ],
            }),
        ),
        (
            "ext/response/api-key-created",
            ResponsePayload::ApiKeyCreated(ApiKeyCreatedResponse {
                key_id: "k1".into(),
                secret: "kmb_secret".into(),
            }),
        ),
        (
            "ext/response/api-key-revoked",
            ResponsePayload::ApiKeyRevoked(ApiKeyRevokedResponse { revoked: true }),
        ),
        (
            "ext/response/api-keys",
            ResponsePayload::ApiKeys(ApiKeysResponse {
                keys: vec![ApiKeyInfo {
                    key_id: "k1".into(),
                    label: "app".into(),
                    created_ns: 1_700_000_000_000_000_000,
                    revoked: false,
                }],
            }),
        ),
        (
            "ext/response/error-extension-not-enabled",
            ResponsePayload::Error(ErrorResponse {
                code: ErrorCode::ExtensionNotEnabled,
                message: "enable kmb.verify/1 first".into(),
            }),
        ),
        (
            "ext/response/query-extension-values",
            ResponsePayload::Query(QueryResponse {
                columns: (0..extension_values().len())
                    .map(|index| format!("c{index}"))
                    .collect(),
                rows: vec![extension_values()],
            }),
        ),
        ("ext/response/verified-range", verified_range_response()),
    ];
    pairs
        .into_iter()
        .zip(20u64..)
        .map(|((name, payload), id)| (name.to_owned(), response(id, payload)))
        .collect()
}

fn verified_range_response() -> ResponsePayload {
    let record = |offset: u64, prev: u8, payload: &str| RangeRecord {
        offset: Offset(offset),
        timestamp_ns: 1_700_000_000_000_000_000 + offset,
        kind: 0,
        prev_hash: hash(prev),
        payload: payload.as_bytes().to_vec(),
    };
    ResponsePayload::VerifiedRange(VerifiedRangeResponse {
        checkpoint: CHECKPOINT.into(),
        records: vec![record(1, 0x11, "e1"), record(2, 0x12, "e2")],
        range_proof: vec![hash(0x22)],
        consistency_proof: vec![hash(0x33)],
        next_offset: Some(Offset(3)),
    })
}

fn read_verified_response() -> ResponsePayload {
    ResponsePayload::ReadVerified(ReadVerifiedResponse {
        checkpoint: CHECKPOINT.into(),
        records: vec![VerifiedRecord {
            offset: Offset(2),
            timestamp_ns: 1_700_000_000_000_000_000,
            kind: 0,
            prev_hash: hash(0x11),
            payload: b"e2".to_vec(),
            inclusion_proof: vec![hash(0x22)],
        }],
        consistency_proof: vec![hash(0x33)],
        next_offset: Some(Offset(3)),
    })
}
