//! proptest strategies for every message, payload variant and value kind.

use kimberlite_protocol::message::*;
use kimberlite_protocol::{
    DataClass, ErrorCode, Hash, Offset, Placement, Region, RequestId, StreamId, SubscriptionId,
    TenantId, Value,
};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

fn text() -> impl Strategy<Value = String> {
    ".{0,12}"
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..24)
}

fn events() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(bytes(), 0..5)
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 0..4)
}

fn hashes() -> impl Strategy<Value = Vec<Hash>> {
    prop::collection::vec(any::<[u8; 32]>().prop_map(Hash), 0..4)
}

fn stream_id() -> impl Strategy<Value = StreamId> {
    any::<u64>().prop_map(StreamId)
}

fn offset() -> impl Strategy<Value = Offset> {
    any::<u64>().prop_map(Offset)
}

fn tenant_id() -> impl Strategy<Value = TenantId> {
    any::<u64>().prop_map(TenantId)
}

fn subscription_id() -> impl Strategy<Value = SubscriptionId> {
    any::<u64>().prop_map(SubscriptionId)
}

/// Any value, of every kind.
pub fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::BigInt),
        text().prop_map(Value::Text),
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(Value::Timestamp),
        any::<f64>().prop_map(Value::Real),
        bytes().prop_map(Value::Bytes),
        text().prop_map(Value::Decimal),
        any::<i32>().prop_map(Value::Date),
        any::<u64>().prop_map(Value::Time),
        any::<[u8; 16]>().prop_map(Value::Uuid),
        text().prop_map(Value::Json),
        any::<i64>().prop_map(Value::TimestampTz),
    ]
}

fn values() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(value(), 0..4)
}

fn data_class() -> impl Strategy<Value = DataClass> {
    prop::sample::select(DataClass::ALL.to_vec())
}

fn placement() -> impl Strategy<Value = Placement> {
    prop_oneof![
        Just(Placement::Global),
        Just(Placement::Region(Region::USEast1)),
        Just(Placement::Region(Region::APSoutheast2)),
        text().prop_map(|name| Placement::Region(Region::Custom(name))),
    ]
}

fn audit() -> impl Strategy<Value = Option<Audit>> {
    let field = || proptest::option::of(text());
    proptest::option::of((field(), field(), field(), field()).prop_map(
        |(actor, reason, correlation_id, idempotency_key)| Audit {
            actor,
            reason,
            correlation_id,
            idempotency_key,
        },
    ))
}

/// Any request payload, every variant.
pub fn request_payload() -> BoxedStrategy<RequestPayload> {
    use RequestPayload as R;
    let opt_text = || proptest::option::of(text());
    Union::new(vec![
        (any::<u16>(), opt_text())
            .prop_map(|(client_version, auth_token)| {
                R::Handshake(HandshakeRequest {
                    client_version,
                    auth_token,
                })
            })
            .boxed(),
        (text(), data_class(), placement())
            .prop_map(|(name, data_class, placement)| {
                R::CreateStream(CreateStreamRequest {
                    name,
                    data_class,
                    placement,
                })
            })
            .boxed(),
        (stream_id(), events(), offset())
            .prop_map(|(stream_id, events, expected_offset)| {
                R::AppendEvents(AppendEventsRequest {
                    stream_id,
                    events,
                    expected_offset,
                })
            })
            .boxed(),
        (text(), values(), opt_text())
            .prop_map(|(sql, params, break_glass_reason)| {
                R::Query(QueryRequest {
                    sql,
                    params,
                    break_glass_reason,
                })
            })
            .boxed(),
        (text(), values(), offset(), opt_text())
            .prop_map(|(sql, params, position, break_glass_reason)| {
                R::QueryAt(QueryAtRequest {
                    sql,
                    params,
                    position,
                    break_glass_reason,
                })
            })
            .boxed(),
        (stream_id(), offset(), any::<u64>())
            .prop_map(|(stream_id, from_offset, max_bytes)| {
                R::ReadEvents(ReadEventsRequest {
                    stream_id,
                    from_offset,
                    max_bytes,
                })
            })
            .boxed(),
        stream_id()
            .prop_map(|stream_id| R::StreamInfo(StreamInfoRequest { stream_id }))
            .boxed(),
        (stream_id(), offset(), any::<u32>(), opt_text())
            .prop_map(
                |(stream_id, from_offset, initial_credits, consumer_group)| {
                    R::Subscribe(SubscribeRequest {
                        stream_id,
                        from_offset,
                        initial_credits,
                        consumer_group,
                    })
                },
            )
            .boxed(),
        Just(R::Sync).boxed(),
        (subscription_id(), any::<u32>())
            .prop_map(|(subscription_id, additional_credits)| {
                R::SubscribeCredit(SubscribeCreditRequest {
                    subscription_id,
                    additional_credits,
                })
            })
            .boxed(),
        subscription_id()
            .prop_map(|subscription_id| R::Unsubscribe(UnsubscribeRequest { subscription_id }))
            .boxed(),
        extension_request_payload(),
    ])
    .boxed()
}

fn extension_request_payload() -> BoxedStrategy<RequestPayload> {
    use RequestPayload as R;
    Union::new(vec![
        strings()
            .prop_map(|capabilities| R::EnableExtensions(EnableExtensionsRequest { capabilities }))
            .boxed(),
        Just(R::ServerInfo).boxed(),
        (
            stream_id(),
            offset(),
            any::<u64>(),
            proptest::option::of(any::<u64>()),
        )
            .prop_map(|(stream_id, from_offset, max_bytes, trusted_size)| {
                R::ReadVerified(ReadVerifiedRequest {
                    stream_id,
                    from_offset,
                    max_bytes,
                    trusted_size,
                })
            })
            .boxed(),
        stream_id()
            .prop_map(|stream_id| R::GetCheckpoint(GetCheckpointRequest { stream_id }))
            .boxed(),
        (stream_id(), any::<u64>(), any::<u64>())
            .prop_map(|(stream_id, from_size, to_size)| {
                R::ConsistencyProof(ConsistencyProofRequest {
                    stream_id,
                    from_size,
                    to_size,
                })
            })
            .boxed(),
        (tenant_id(), text())
            .prop_map(|(tenant_id, name)| R::CreateTenant(CreateTenantRequest { tenant_id, name }))
            .boxed(),
        Just(R::ListTenants).boxed(),
        (tenant_id(), text())
            .prop_map(|(tenant_id, label)| {
                R::CreateApiKey(CreateApiKeyRequest { tenant_id, label })
            })
            .boxed(),
        text()
            .prop_map(|key_id| R::RevokeApiKey(RevokeApiKeyRequest { key_id }))
            .boxed(),
        tenant_id()
            .prop_map(|tenant_id| R::ListApiKeys(ListApiKeysRequest { tenant_id }))
            .boxed(),
        (
            stream_id(),
            offset(),
            any::<u64>(),
            proptest::option::of(any::<u64>()),
        )
            .prop_map(|(stream_id, from_offset, max_bytes, trusted_size)| {
                R::ReadVerifiedRange(ReadVerifiedRequest {
                    stream_id,
                    from_offset,
                    max_bytes,
                    trusted_size,
                })
            })
            .boxed(),
    ])
    .boxed()
}

fn error_code() -> impl Strategy<Value = ErrorCode> {
    prop::sample::select(ErrorCode::ALL.to_vec())
}

fn query_response() -> impl Strategy<Value = QueryResponse> {
    (strings(), prop::collection::vec(values(), 0..3))
        .prop_map(|(columns, rows)| QueryResponse { columns, rows })
}

/// Any response payload, every variant.
pub fn response_payload() -> BoxedStrategy<ResponsePayload> {
    use ResponsePayload as R;
    Union::new(vec![
        (error_code(), text())
            .prop_map(|(code, message)| R::Error(ErrorResponse { code, message }))
            .boxed(),
        (any::<u16>(), any::<bool>(), strings())
            .prop_map(|(server_version, authenticated, capabilities)| {
                R::Handshake(HandshakeResponse {
                    server_version,
                    authenticated,
                    capabilities,
                })
            })
            .boxed(),
        stream_id()
            .prop_map(|stream_id| R::CreateStream(CreateStreamResponse { stream_id }))
            .boxed(),
        (offset(), any::<u32>())
            .prop_map(|(first_offset, count)| {
                R::AppendEvents(AppendEventsResponse {
                    first_offset,
                    count,
                })
            })
            .boxed(),
        query_response().prop_map(R::Query).boxed(),
        query_response().prop_map(R::QueryAt).boxed(),
        (events(), proptest::option::of(offset()))
            .prop_map(|(events, next_offset)| {
                R::ReadEvents(ReadEventsResponse {
                    events,
                    next_offset,
                })
            })
            .boxed(),
        any::<u64>()
            .prop_map(|length| R::StreamInfo(StreamInfoResponse { length }))
            .boxed(),
        (subscription_id(), offset(), any::<u32>())
            .prop_map(|(subscription_id, start_offset, credits)| {
                R::Subscribe(SubscribeResponse {
                    subscription_id,
                    start_offset,
                    credits,
                })
            })
            .boxed(),
        any::<bool>()
            .prop_map(|success| R::Sync(SyncResponse { success }))
            .boxed(),
        (subscription_id(), any::<u32>())
            .prop_map(|(subscription_id, credits_remaining)| {
                R::SubscriptionAck(SubscriptionAckResponse {
                    subscription_id,
                    credits_remaining,
                })
            })
            .boxed(),
        extension_response_payload(),
    ])
    .boxed()
}

fn range_record() -> impl Strategy<Value = RangeRecord> {
    (
        offset(),
        any::<u64>(),
        any::<u8>(),
        any::<[u8; 32]>(),
        bytes(),
    )
        .prop_map(
            |(offset, timestamp_ns, kind, prev_hash, payload)| RangeRecord {
                offset,
                timestamp_ns,
                kind,
                prev_hash: Hash(prev_hash),
                payload,
            },
        )
}

fn verified_record() -> impl Strategy<Value = VerifiedRecord> {
    (
        offset(),
        any::<u64>(),
        any::<u8>(),
        any::<[u8; 32]>(),
        bytes(),
        hashes(),
    )
        .prop_map(
            |(offset, timestamp_ns, kind, prev_hash, payload, inclusion_proof)| VerifiedRecord {
                offset,
                timestamp_ns,
                kind,
                prev_hash: Hash(prev_hash),
                payload,
                inclusion_proof,
            },
        )
}

fn extension_response_payload() -> BoxedStrategy<ResponsePayload> {
    use ResponsePayload as R;
    Union::new(vec![
        strings()
            .prop_map(|capabilities| {
                R::ExtensionsEnabled(ExtensionsEnabledResponse { capabilities })
            })
            .boxed(),
        (text(), any::<u16>(), text(), strings())
            .prop_map(
                |(server_version, protocol_version, signing_key, capabilities)| {
                    R::ServerInfo(ServerInfoResponse {
                        server_version,
                        protocol_version,
                        signing_key,
                        capabilities,
                    })
                },
            )
            .boxed(),
        (
            text(),
            prop::collection::vec(verified_record(), 0..3),
            hashes(),
            proptest::option::of(offset()),
        )
            .prop_map(|(checkpoint, records, consistency_proof, next_offset)| {
                R::ReadVerified(ReadVerifiedResponse {
                    checkpoint,
                    records,
                    consistency_proof,
                    next_offset,
                })
            })
            .boxed(),
        text()
            .prop_map(|checkpoint| R::Checkpoint(CheckpointResponse { checkpoint }))
            .boxed(),
        hashes()
            .prop_map(|proof| R::ConsistencyProof(ConsistencyProofResponse { proof }))
            .boxed(),
        tenant_id()
            .prop_map(|tenant_id| R::TenantCreated(TenantCreatedResponse { tenant_id }))
            .boxed(),
        prop::collection::vec(
            (tenant_id(), text()).prop_map(|(id, name)| TenantInfo { id, name }),
            0..3,
        )
        .prop_map(|tenants| R::Tenants(TenantsResponse { tenants }))
        .boxed(),
        (text(), text())
            .prop_map(|(key_id, secret)| R::ApiKeyCreated(ApiKeyCreatedResponse { key_id, secret }))
            .boxed(),
        any::<bool>()
            .prop_map(|revoked| R::ApiKeyRevoked(ApiKeyRevokedResponse { revoked }))
            .boxed(),
        prop::collection::vec(
            (text(), text(), any::<u64>(), any::<bool>()).prop_map(
                |(key_id, label, created_ns, revoked)| ApiKeyInfo {
                    key_id,
                    label,
                    created_ns,
                    revoked,
                },
            ),
            0..3,
        )
        .prop_map(|keys| R::ApiKeys(ApiKeysResponse { keys }))
        .boxed(),
        (
            text(),
            prop::collection::vec(range_record(), 0..3),
            hashes(),
            hashes(),
            proptest::option::of(offset()),
        )
            .prop_map(
                |(checkpoint, records, range_proof, consistency_proof, next_offset)| {
                    R::VerifiedRange(VerifiedRangeResponse {
                        checkpoint,
                        records,
                        range_proof,
                        consistency_proof,
                        next_offset,
                    })
                },
            )
            .boxed(),
    ])
    .boxed()
}

/// Any push payload.
pub fn push_payload() -> impl Strategy<Value = PushPayload> {
    prop_oneof![
        (subscription_id(), offset(), events(), any::<u32>()).prop_map(
            |(subscription_id, start_offset, events, credits_remaining)| {
                PushPayload::SubscriptionEvents(SubscriptionEvents {
                    subscription_id,
                    start_offset,
                    events,
                    credits_remaining,
                })
            }
        ),
        (
            subscription_id(),
            prop::sample::select(CloseReason::ALL.to_vec())
        )
            .prop_map(|(subscription_id, reason)| {
                PushPayload::SubscriptionClosed(SubscriptionClosed {
                    subscription_id,
                    reason,
                })
            }),
    ]
}

/// Any message of any kind.
pub fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        (any::<u64>(), tenant_id(), audit(), request_payload()).prop_map(
            |(id, tenant_id, audit, payload)| {
                Message::Request(Request {
                    id: RequestId(id),
                    tenant_id,
                    audit,
                    payload,
                })
            }
        ),
        (any::<u64>(), response_payload())
            .prop_map(|(id, payload)| Message::response(RequestId(id), payload)),
        push_payload().prop_map(Message::push),
    ]
}
