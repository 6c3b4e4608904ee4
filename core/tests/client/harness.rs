//! A loopback server for the client tests: a tokio task speaking protocol v5 (and
//! the extensions) with the protocol crate over an in-memory model, with switches
//! that make it misbehave (drop, garbage, silence, reordering, lies).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use kimberlite_protocol::message::*;
use kimberlite_protocol::note::NoteSigner;
use kimberlite_protocol::{
    decode_message, frame_message, FrameDecoder, Offset, StreamId, SubscriptionId,
};
use rustls::crypto::ring::default_provider;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::fixtures::{signer, Log};

mod answer;

use answer::answer;

/// What the next request (after the handshake) gets instead of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The connection is closed.
    Drop,
    /// Bytes that are not a frame.
    Garbage,
    /// A valid frame whose payload does not decode.
    Undecodable,
    /// Nothing, ever.
    Silence,
    /// A response to the request whose body (after the Response tag and the id) is
    /// these bytes.
    Body(Vec<u8>),
}

/// The server's state and switches, shared with the test.
pub struct Control {
    pub extensions: bool,
    pub signer: NoteSigner,
    pub fault: Option<Fault>,
    /// Hold this many answers, then send them in reverse order.
    pub reverse_next: usize,
    /// Change the last record's payload in verified reads.
    pub tamper_payload: bool,
    /// Answer a verified read whose trusted size is beyond the tree with a smaller
    /// checkpoint, instead of refusing it as an honest server does.
    pub lie_about_ranges: bool,
    /// Runs once, while the next verified read is being answered (to change the
    /// client's trusted state behind its back, as another process would).
    pub on_verified_read: Option<Box<dyn FnOnce() + Send>>,
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
            lie_about_ranges: false,
            on_verified_read: None,
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
                Some(Fault::Body(body)) => {
                    let mut payload = vec![0x01];
                    let mut id = request.id.0;
                    while id >= 0x80 {
                        payload.push((id as u8 & 0x7f) | 0x80);
                        id >>= 7;
                    }
                    payload.push(id as u8);
                    payload.extend(body);
                    let mut bytes = Vec::new();
                    kimberlite_protocol::encode_frame(&payload, &mut bytes).unwrap();
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
