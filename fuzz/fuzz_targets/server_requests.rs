//! Fuzzes the server's request handling: each input becomes the bytes one
//! client sends on a fresh connection to a running server (development auth,
//! the storage engine over an in-memory disk, SQL enabled). The first byte
//! chooses whether a valid handshake goes first and whether the rest is cut
//! into correctly framed payloads (so the fuzzer reaches message decoding and
//! dispatch past the frame checksum) or sent raw. The server must never panic
//! (any panic aborts the process), and must keep serving other connections:
//! every 32 inputs a fresh client handshakes and syncs within a deadline.

#![no_main]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kimberlite_protocol::frame::encode_frame;
use kimberlite_protocol::message::{HandshakeRequest, Request, RequestPayload};
use kimberlite_protocol::{encode_message, FrameDecoder, Message, RequestId, TenantId};
use kimberlite_server::{AuthMode, EngineBackend, Server, ServerConfig};
use kimberlite_sql::SqlEngine;
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::Vfs;
use libfuzzer_sys::fuzz_target;

struct Fixture {
    address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
    _sql_dir: tempfile::TempDir,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();
static INPUTS: AtomicU64 = AtomicU64::new(0);

fn start() -> Fixture {
    let sql_dir = tempfile::tempdir().expect("temporary directory");
    let vfs: Arc<dyn Vfs> = Arc::new(FaultVfs::new(0));
    let config = EngineConfig::new(PathBuf::from("/node"), "fuzz.kimberlite");
    Engine::init(vfs.clone(), &config).expect("init");
    let engine = Arc::new(Engine::open(vfs, config).expect("open").0);
    let sql = Arc::new(SqlEngine::open(engine.clone(), sql_dir.path()).expect("sql"));
    let backend = Arc::new(EngineBackend::with_sql(engine, sql));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let address = "127.0.0.1:0".parse().expect("address");
    let config = ServerConfig::new(address, AuthMode::Development);
    let server = runtime
        .block_on(Server::bind(config, backend))
        .expect("bind");
    let address = server.local_addr();
    runtime.spawn(server.run(std::future::pending()));
    Fixture {
        address,
        _runtime: runtime,
        _sql_dir: sql_dir,
    }
}

fn message_frame(payload: RequestPayload, id: u64) -> Vec<u8> {
    let message = Message::Request(Request {
        id: RequestId(id),
        tenant_id: TenantId(1),
        audit: None,
        payload,
    });
    framed(&encode_message(&message))
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(payload, &mut out).expect("payload within the frame limit");
    out
}

fn handshake() -> Vec<u8> {
    message_frame(
        RequestPayload::Handshake(HandshakeRequest {
            client_version: 5,
            auth_token: None,
        }),
        1_000_000,
    )
}

/// Cuts `rest` into `[u16 length][payload]` chunks and frames each payload.
fn frames(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while rest.len() >= 2 {
        let length = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let end = (2 + length).min(rest.len());
        out.extend(framed(&rest[2..end]));
        rest = &rest[end..];
    }
    out
}

/// Sends `bytes`, closes the sending side and reads until the server closes
/// (or stays quiet for a while: pipelined answers may still be on their way).
fn send(address: SocketAddr, bytes: &[u8]) {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(Shutdown::Write);
    let mut sink = [0u8; 16 * 1024];
    while let Ok(read) = stream.read(&mut sink) {
        if read == 0 {
            break;
        }
    }
}

/// A fresh client must still handshake and sync.
fn assert_serving(address: SocketAddr) {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut bytes = handshake();
    bytes.extend(message_frame(RequestPayload::Sync, 2));
    stream.write_all(&bytes).expect("write");
    let mut decoder = FrameDecoder::new();
    let mut answers = 0;
    let mut chunk = [0u8; 4096];
    while answers < 2 {
        while let Ok(Some(_)) = decoder.next_frame() {
            answers += 1;
        }
        if answers >= 2 {
            break;
        }
        let read = stream
            .read(&mut chunk)
            .expect("the server answers a fresh client");
        assert!(read > 0, "the server closed a well-behaved connection");
        decoder.extend(&chunk[..read]);
    }
}

fuzz_target!(|data: &[u8]| {
    let fixture = FIXTURE.get_or_init(start);
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = if mode & 1 == 0 {
        handshake()
    } else {
        Vec::new()
    };
    if mode & 2 == 0 {
        bytes.extend(frames(rest));
    } else {
        bytes.extend_from_slice(rest);
    }
    send(fixture.address, &bytes);
    if INPUTS.fetch_add(1, Ordering::Relaxed) % 32 == 0 {
        assert_serving(fixture.address);
    }
});
