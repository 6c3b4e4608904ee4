//! A loopback server for the client tests: a tokio task speaking protocol v5 (and
//! the extensions) with the protocol crate over an in-memory model, with switches
//! that make it misbehave (drop, garbage, silence, reordering, lies).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use kimberlite_protocol::capability::{self, CapabilitySet};
use kimberlite_protocol::message::*;
use kimberlite_protocol::note::NoteSigner;
use kimberlite_protocol::{
    decode_message, frame_message, ErrorCode, FrameDecoder, Offset, StreamId, SubscriptionId, Value,
};
use rustls::crypto::ring::default_provider;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::fixtures::{signer, Log};

/// What the next request (after the handshake) gets instead of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The connection is closed.
    Drop,
    /// Bytes that are not a frame.
    Garbage,
    /// A valid frame whose payload does not decode.
    Undecodable,
    /// Nothing, ever.
    Silence,
}

/// The server's state and switches, shared with the test.
pub struct Control {
    pub extensions: bool,
    pub signer: NoteSigner,
    pub fault: Option<Fault>,
    /// Hold this many answers, then send them in reverse order.
    pub reverse_next: usize,
    /// Change the first record's payload in verified reads.
    pub tamper_payload: bool,
    /// Capabilities advertised instead of the usual ones.
    pub advertise: Option<Vec<String>>,
    /// The token the handshake requires, if any.
    pub token: Option<String>,
    pub logs: HashMap<StreamId, Log>,
    pub names: HashMap<String, StreamId>,
    pub tenants: Vec<TenantInfo>,
    pub connections: usize,
    /// Variant index of every request received.
    pub requests: Vec<u32>,
}

/// A running loopback server.
#[derive(Clone)]
pub struct TestServer {
    pub address: String,
    control: Arc<Mutex<Control>>,
}

impl TestServer {
    /// A server with the extensions (`extensions = true`) or a plain v5 server.
    pub async fn start(extensions: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Self::new(listener.local_addr().unwrap().to_string(), extensions);
        let shared = Arc::clone(&server.control);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                shared.lock().unwrap().connections += 1;
                tokio::spawn(serve(socket, Arc::clone(&shared)));
            }
        });
        server
    }

    /// A server with the extensions behind TLS, and the certificate to trust
    /// (self-signed for `localhost`).
    pub async fn start_tls() -> (Self, CertificateDer<'static>) {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let certificate = certified.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Self::new(listener.local_addr().unwrap().to_string(), true);
        let shared = Arc::clone(&server.control);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                shared.lock().unwrap().connections += 1;
                let (acceptor, shared) = (acceptor.clone(), Arc::clone(&shared));
                tokio::spawn(async move {
                    if let Ok(stream) = acceptor.accept(socket).await {
                        serve(stream, shared).await;
                    }
                });
            }
        });
        (server, certificate)
    }

    fn new(address: String, extensions: bool) -> Self {
        let control = Arc::new(Mutex::new(Control {
            extensions,
            signer: signer(1),
            fault: None,
            reverse_next: 0,
            tamper_payload: false,
            advertise: None,
            token: None,
            logs: HashMap::new(),
            names: HashMap::new(),
            tenants: vec![],
            connections: 0,
            requests: vec![],
        }));
        Self { address, control }
    }

    pub fn control(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap()
    }
}

struct Subscription {
    stream_id: StreamId,
    next: u64,
    credits: u32,
}

async fn serve(mut socket: impl AsyncRead + AsyncWrite + Unpin, control: Arc<Mutex<Control>>) {
    let mut decoder = FrameDecoder::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut subscriptions: HashMap<u64, Subscription> = HashMap::new();
    let mut held: Vec<Vec<u8>> = Vec::new();
    loop {
        let count = match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(count) => count,
        };
        decoder.extend(&chunk[..count]);
        loop {
            let message = match decoder.next_frame() {
                Ok(Some(payload)) => decode_message(payload),
                Ok(None) => break,
                Err(_) => return,
            };
            let Ok(Message::Request(request)) = message else {
                return;
            };
            let is_handshake = matches!(request.payload, RequestPayload::Handshake(_));
            let fault = {
                let mut control = control.lock().unwrap();
                control.requests.push(request.payload.variant_index());
                if is_handshake {
                    None
                } else {
                    control.fault.take()
                }
            };
            let mut out = match fault {
                Some(Fault::Drop) => return,
                Some(Fault::Silence) => continue,
                Some(Fault::Garbage) => b"GET / HTTP/1.1\r\n\r\n".to_vec(),
                Some(Fault::Undecodable) => {
                    let mut bytes = Vec::new();
                    kimberlite_protocol::encode_frame(&[0x01, 0x05, 0x7f], &mut bytes).unwrap();
                    bytes
                }
                None => {
                    let answer = answer(&control, &request, &mut subscriptions);
                    frame_message(&Message::response(request.id, answer)).unwrap()
                }
            };
            out.extend(pushes(&control, &mut subscriptions));
            let reverse = {
                let mut control = control.lock().unwrap();
                if control.reverse_next > 0 {
                    held.push(std::mem::take(&mut out));
                    if held.len() == control.reverse_next {
                        control.reverse_next = 0;
                        out = held.drain(..).rev().flatten().collect();
                    }
                }
                out
            };
            if socket.write_all(&reverse).await.is_err() {
                return;
            }
        }
    }
}

fn error(code: ErrorCode, message: &str) -> ResponsePayload {
    ResponsePayload::Error(ErrorResponse {
        code,
        message: message.to_owned(),
    })
}

fn answer(
    control: &Mutex<Control>,
    request: &Request,
    subscriptions: &mut HashMap<u64, Subscription>,
) -> ResponsePayload {
    let mut control = control.lock().unwrap();
    let tenant = request.tenant_id;
    match &request.payload {
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
        _ if !control.extensions => error(ErrorCode::InvalidRequest, "unknown request"),
        other => extension_answer(&mut control, other),
    }
}

fn extension_answer(control: &mut Control, request: &RequestPayload) -> ResponsePayload {
    match request {
        RequestPayload::ReadVerified(read) => {
            let Some(log) = control.logs.get(&read.stream_id) else {
                return error(ErrorCode::StreamNotFound, "no such stream");
            };
            let mut answer = log.read_verified(
                read.from_offset.0,
                read.max_bytes,
                read.trusted_size,
                &control.signer,
            );
            if control.tamper_payload {
                if let Some(first) = answer.records.first_mut() {
                    first.payload = b"tampered".to_vec();
                }
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

/// Pushes every event the subscriptions have credits for.
fn pushes(control: &Mutex<Control>, subscriptions: &mut HashMap<u64, Subscription>) -> Vec<u8> {
    let control = control.lock().unwrap();
    let mut out = Vec::new();
    for (id, subscription) in subscriptions.iter_mut() {
        let Some(log) = control.logs.get(&subscription.stream_id) else {
            continue;
        };
        let available = log.len().saturating_sub(subscription.next);
        let count = available.min(u64::from(subscription.credits));
        if count == 0 {
            continue;
        }
        let start = subscription.next as usize;
        let events = log.records[start..start + count as usize]
            .iter()
            .map(|record| record.payload.clone())
            .collect();
        subscription.credits -= count as u32;
        let push = Message::push(PushPayload::SubscriptionEvents(SubscriptionEvents {
            subscription_id: SubscriptionId(*id),
            start_offset: Offset(subscription.next),
            events,
            credits_remaining: subscription.credits,
        }));
        subscription.next += count;
        out.extend(frame_message(&push).unwrap());
    }
    out
}
