//! The loopback server's answers to each request, over its in-memory model.

use std::collections::HashMap;
use std::sync::Mutex;

use kimberlite_protocol::capability::{self, CapabilitySet};
use kimberlite_protocol::message::*;
use kimberlite_protocol::{ErrorCode, Offset, StreamId, SubscriptionId, TenantId, Value};

use super::{Control, Subscription};
use crate::fixtures::Log;

pub(super) fn error(code: ErrorCode, message: &str) -> ResponsePayload {
    ResponsePayload::Error(ErrorResponse {
        code,
        message: message.to_owned(),
    })
}

pub(super) fn answer(
    control: &Mutex<Control>,
    request: &Request,
    subscriptions: &mut HashMap<u64, Subscription>,
) -> ResponsePayload {
    let mut control = control.lock().unwrap();
    let tenant = request.tenant_id;
    match &request.payload {
        _ if !control.extensions && request.payload.is_extension() => {
            error(ErrorCode::InvalidRequest, "unknown request")
        }
        RequestPayload::Handshake(handshake) => {
            if control.token.is_some() && handshake.auth_token != control.token {
                return error(ErrorCode::AuthenticationFailed, "bad token");
            }
            let capabilities = if let Some(advertised) = &control.advertise {
                advertised.clone()
            } else if control.extensions {
                capability::ALL
                    .iter()
                    .map(|name| (*name).to_owned())
                    .collect()
            } else {
                vec!["query".to_owned(), "append".to_owned()]
            };
            ResponsePayload::Handshake(HandshakeResponse {
                server_version: 5,
                authenticated: true,
                capabilities,
            })
        }
        RequestPayload::EnableExtensions(enable) => {
            let wanted = CapabilitySet::from_names(enable.capabilities.iter().map(String::as_str));
            ResponsePayload::ExtensionsEnabled(ExtensionsEnabledResponse {
                capabilities: wanted.names(),
            })
        }
        RequestPayload::ServerInfo => ResponsePayload::ServerInfo(ServerInfoResponse {
            server_version: "0.1.0".to_owned(),
            protocol_version: 5,
            signing_key: control.signer.verifier_key(),
            capabilities: capability::ALL
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
        }),
        RequestPayload::Subscribe(_)
        | RequestPayload::SubscribeCredit(_)
        | RequestPayload::Unsubscribe(_) => subscription_answer(&request.payload, subscriptions),
        payload if payload.is_extension() => extension_answer(&mut control, payload),
        payload => stream_answer(&mut control, tenant, payload),
    }
}

/// Streams, SQL and sync (protocol v5).
fn stream_answer(
    control: &mut Control,
    tenant: TenantId,
    request: &RequestPayload,
) -> ResponsePayload {
    match request {
        RequestPayload::CreateStream(create) => {
            let next = StreamId(control.names.len() as u64 + 1);
            let id = *control.names.entry(create.name.clone()).or_insert(next);
            control
                .logs
                .entry(id)
                .or_insert_with(|| Log::new(tenant, id));
            ResponsePayload::CreateStream(CreateStreamResponse { stream_id: id })
        }
        RequestPayload::AppendEvents(append) => {
            let Some(log) = control.logs.get_mut(&append.stream_id) else {
                return error(ErrorCode::StreamNotFound, "no such stream");
            };
            if append.events.is_empty() {
                return error(ErrorCode::InvalidRequest, "empty batch");
            }
            if append.expected_offset.0 != log.len() {
                return error(
                    ErrorCode::OffsetMismatch,
                    "expected offset is not the length",
                );
            }
            for event in &append.events {
                log.append(event.clone());
            }
            ResponsePayload::AppendEvents(AppendEventsResponse {
                first_offset: append.expected_offset,
                count: append.events.len() as u32,
            })
        }
        RequestPayload::ReadEvents(read) => {
            let Some(log) = control.logs.get(&read.stream_id) else {
                return error(ErrorCode::StreamNotFound, "no such stream");
            };
            let mut events = Vec::new();
            let mut bytes = 0;
            for record in log.records.iter().skip(read.from_offset.0 as usize) {
                if bytes >= read.max_bytes {
                    break;
                }
                bytes += record.payload.len() as u64;
                events.push(record.payload.clone());
            }
            let next_offset =
                (!events.is_empty()).then(|| Offset(read.from_offset.0 + events.len() as u64));
            ResponsePayload::ReadEvents(ReadEventsResponse {
                events,
                next_offset,
            })
        }
        RequestPayload::StreamInfo(info) => match control.logs.get(&info.stream_id) {
            Some(log) => ResponsePayload::StreamInfo(StreamInfoResponse { length: log.len() }),
            None => error(ErrorCode::StreamNotFound, "no such stream"),
        },
        RequestPayload::Sync => ResponsePayload::Sync(SyncResponse { success: true }),
        RequestPayload::Query(query) if query.sql.starts_with("SELECT") => {
            ResponsePayload::Query(QueryResponse {
                columns: vec!["answer".to_owned()],
                rows: vec![vec![Value::BigInt(42)]],
            })
        }
        RequestPayload::Query(_) => ResponsePayload::Query(QueryResponse {
            columns: vec!["rows_affected".to_owned(), "log_offset".to_owned()],
            rows: vec![vec![Value::BigInt(1), Value::BigInt(7)]],
        }),
        RequestPayload::QueryAt(query) => ResponsePayload::QueryAt(QueryResponse {
            columns: vec!["position".to_owned()],
            rows: vec![vec![Value::BigInt(query.position.0 as i64)]],
        }),
        _ => error(ErrorCode::InvalidRequest, "unexpected request"),
    }
}

/// Subscribe, SubscribeCredit and Unsubscribe, on this connection's subscriptions.
fn subscription_answer(
    request: &RequestPayload,
    subscriptions: &mut HashMap<u64, Subscription>,
) -> ResponsePayload {
    match request {
        RequestPayload::Subscribe(subscribe) => {
            let id = subscriptions.len() as u64 + 100;
            subscriptions.insert(
                id,
                Subscription {
                    stream_id: subscribe.stream_id,
                    next: subscribe.from_offset.0,
                    credits: subscribe.initial_credits,
                },
            );
            ResponsePayload::Subscribe(SubscribeResponse {
                subscription_id: SubscriptionId(id),
                start_offset: subscribe.from_offset,
                credits: subscribe.initial_credits,
            })
        }
        RequestPayload::SubscribeCredit(credit) => {
            let Some(subscription) = subscriptions.get_mut(&credit.subscription_id.0) else {
                return error(ErrorCode::SubscriptionNotFound, "no such subscription");
            };
            subscription.credits += credit.additional_credits;
            ResponsePayload::SubscriptionAck(SubscriptionAckResponse {
                subscription_id: credit.subscription_id,
                credits_remaining: subscription.credits,
            })
        }
        RequestPayload::Unsubscribe(unsubscribe) => {
            match subscriptions.remove(&unsubscribe.subscription_id.0) {
                Some(_) => ResponsePayload::SubscriptionAck(SubscriptionAckResponse {
                    subscription_id: unsubscribe.subscription_id,
                    credits_remaining: 0,
                }),
                None => error(ErrorCode::SubscriptionNotFound, "no such subscription"),
            }
        }
        _ => error(ErrorCode::InvalidRequest, "unexpected request"),
    }
}

fn extension_answer(control: &mut Control, request: &RequestPayload) -> ResponsePayload {
    match request {
        RequestPayload::ReadVerified(read) | RequestPayload::ReadVerifiedRange(read) => {
            if let Some(hook) = control.on_verified_read.take() {
                hook();
            }
            let Some(log) = control.logs.get(&read.stream_id) else {
                return error(ErrorCode::StreamNotFound, "no such stream");
            };
            let beyond = read.trusted_size.is_some_and(|size| size > log.len());
            if beyond && !control.lie_about_ranges {
                return error(ErrorCode::InvalidProofRange, "trusted size beyond the tree");
            }
            let mut answer = log.read_verified(
                read.from_offset.0,
                read.max_bytes,
                read.trusted_size,
                &control.signer,
            );
            if control.tamper_payload {
                // The last record: a change in the middle of a run also breaks
                // the link of the record after it, which a range read checks first.
                if let Some(last) = answer.records.last_mut() {
                    last.payload = b"tampered".to_vec();
                }
            }
            if matches!(request, RequestPayload::ReadVerifiedRange(_)) {
                return ResponsePayload::VerifiedRange(log.as_range(answer));
            }
            ResponsePayload::ReadVerified(answer)
        }
        RequestPayload::GetCheckpoint(get) => match control.logs.get(&get.stream_id) {
            Some(log) => ResponsePayload::Checkpoint(CheckpointResponse {
                checkpoint: log.note(log.len(), &control.signer),
            }),
            None => error(ErrorCode::StreamNotFound, "no such stream"),
        },
        RequestPayload::ConsistencyProof(proof) => match control.logs.get(&proof.stream_id) {
            Some(log) if 0 < proof.from_size && proof.from_size <= proof.to_size => {
                ResponsePayload::ConsistencyProof(ConsistencyProofResponse {
                    proof: log.consistency(proof.from_size, proof.to_size),
                })
            }
            _ => error(ErrorCode::InvalidProofRange, "bad range"),
        },
        RequestPayload::CreateTenant(create) => {
            control.tenants.push(TenantInfo {
                id: create.tenant_id,
                name: create.name.clone(),
            });
            ResponsePayload::TenantCreated(TenantCreatedResponse {
                tenant_id: create.tenant_id,
            })
        }
        RequestPayload::ListTenants => ResponsePayload::Tenants(TenantsResponse {
            tenants: control.tenants.clone(),
        }),
        RequestPayload::CreateApiKey(create) => {
            ResponsePayload::ApiKeyCreated(ApiKeyCreatedResponse {
                key_id: format!("k{}", create.tenant_id),
                secret: "secret".to_owned(),
            })
        }
        RequestPayload::RevokeApiKey(_) => {
            ResponsePayload::ApiKeyRevoked(ApiKeyRevokedResponse { revoked: true })
        }
        RequestPayload::ListApiKeys(_) => {
            ResponsePayload::ApiKeys(ApiKeysResponse { keys: vec![] })
        }
        _ => error(ErrorCode::InvalidRequest, "unexpected request"),
    }
}
