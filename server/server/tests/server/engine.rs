//! The server over the real storage engine: keys, appends, live tail,
//! verified reads checked on the client side, and a restart.

use std::net::SocketAddr;
use std::sync::Arc;

use kimberlite_protocol::checkpoint::{checkpoint_origin, open_checkpoint};
use kimberlite_protocol::merkle::verify_inclusion;
use kimberlite_protocol::message::{
    CreateApiKeyRequest, CreateTenantRequest, ReadVerifiedRequest, SubscribeRequest,
};
use kimberlite_protocol::note::NoteVerifier;
use kimberlite_protocol::record::{RecordKind, RecordRef};
use kimberlite_protocol::{
    capability, Offset, PushPayload, RequestPayload, ResponsePayload, StreamId, TenantId,
};
use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig, ServerError};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::harness::{append, enable, new_stream, read, stream_info, Client};

const IDENTITY: &str = "kimberlite.test";
const ADMIN: &str = "root-token";

struct EngineServer {
    address: SocketAddr,
    engine: Arc<Engine>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

async fn start_engine(dir: &std::path::Path, init: bool) -> EngineServer {
    let vfs = Arc::new(OsVfs);
    let config = EngineConfig::new(dir, IDENTITY);
    if init {
        Engine::init(vfs.clone(), &config).unwrap();
    }
    let (engine, _report) = Engine::open(vfs, config).unwrap();
    let engine = Arc::new(engine);
    let backend = Arc::new(EngineBackend::new(engine.clone()));
    let mut config = ServerConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        AuthMode::Required {
            admin_token: Some(AdminToken::new(ADMIN)),
        },
    );
    config.limits.shutdown_grace = std::time::Duration::from_secs(5);
    let server = Server::bind(config, backend).await.unwrap();
    let address = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    EngineServer {
        address,
        engine,
        stop,
        task,
    }
}

impl EngineServer {
    async fn client(&self, tenant: u64, token: &str) -> Client<TcpStream> {
        let mut client = Client::new(TcpStream::connect(self.address).await.unwrap());
        client.tenant = TenantId(tenant);
        let ResponsePayload::Handshake(answer) = client.handshake(Some(token)).await else {
            panic!("handshake refused");
        };
        assert!(answer.authenticated);
        client
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        self.engine.shutdown().unwrap();
    }
}

/// Checks a verified read as a client would: signature, inclusion, chain.
fn check_verified(
    answer: &kimberlite_protocol::message::ReadVerifiedResponse,
    signing_key: &str,
    tenant: u64,
    stream: u64,
) -> Vec<Vec<u8>> {
    let verifier = NoteVerifier::from_verifier_key(signing_key).unwrap();
    let origin = checkpoint_origin(IDENTITY, TenantId(tenant), StreamId(stream));
    let checkpoint = open_checkpoint(&answer.checkpoint, &verifier, &origin).unwrap();
    let mut previous = None;
    for record in &answer.records {
        let reference = RecordRef {
            tenant_id: TenantId(tenant),
            stream_id: StreamId(stream),
            offset: record.offset,
            timestamp_ns: record.timestamp_ns,
            kind: RecordKind::from_u8(record.kind).unwrap(),
            prev_hash: record.prev_hash,
            payload: &record.payload,
        };
        let leaf = reference.hash();
        let index = record.offset.get();
        verify_inclusion(
            &leaf,
            index,
            checkpoint.size,
            &record.inclusion_proof,
            &checkpoint.root,
        )
        .unwrap();
        if let Some(previous) = previous {
            assert_eq!(record.prev_hash, previous, "chain link at {index}");
        }
        previous = Some(leaf);
    }
    answer
        .records
        .iter()
        .map(|record| record.payload.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_appends_tail_verified_reads_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_engine(dir.path(), true).await;
    let mut admin = server.client(1, ADMIN).await;
    admin.call(enable(&[capability::ADMIN])).await;
    let tenant = CreateTenantRequest {
        tenant_id: TenantId(7),
        name: "clinic".into(),
    };
    assert!(matches!(
        admin.call(RequestPayload::CreateTenant(tenant)).await,
        ResponsePayload::TenantCreated(_)
    ));
    let key = CreateApiKeyRequest {
        tenant_id: TenantId(7),
        label: "app".into(),
    };
    let ResponsePayload::ApiKeyCreated(key) = admin.call(RequestPayload::CreateApiKey(key)).await
    else {
        panic!("no key");
    };

    let mut client = server.client(7, &key.secret).await;
    let stream = new_stream(&mut client, "visits").await;
    let subscribe = RequestPayload::Subscribe(SubscribeRequest {
        stream_id: StreamId(stream),
        from_offset: Offset(0),
        initial_credits: 100,
        consumer_group: None,
    });
    assert!(matches!(
        client.call(subscribe).await,
        ResponsePayload::Subscribe(_)
    ));
    let appended = client.call(append(stream, &[b"in", b"out"], 0)).await;
    assert!(
        matches!(appended, ResponsePayload::AppendEvents(_)),
        "{appended:?}"
    );
    let mut pushed = Vec::new();
    while pushed.len() < 2 {
        let PushPayload::SubscriptionEvents(events) = client.push().await else {
            panic!("subscription closed");
        };
        pushed.extend(events.events);
    }
    assert_eq!(pushed, vec![b"in".to_vec(), b"out".to_vec()]);
    client.call(append(stream, &[b"again"], 2)).await;
    let ResponsePayload::ReadEvents(batch) = client.call(read(stream, 1, 100)).await else {
        panic!("read failed");
    };
    assert_eq!(batch.events, vec![b"out".to_vec(), b"again".to_vec()]);

    client.call(enable(&[capability::VERIFY])).await;
    let ResponsePayload::ServerInfo(info) = client.call(RequestPayload::ServerInfo).await else {
        panic!("no server info");
    };
    let verified = RequestPayload::ReadVerified(ReadVerifiedRequest {
        stream_id: StreamId(stream),
        from_offset: Offset(0),
        max_bytes: 1 << 20,
        trusted_size: None,
    });
    let ResponsePayload::ReadVerified(answer) = client.call(verified).await else {
        panic!("verified read failed");
    };
    let payloads = check_verified(&answer, &info.signing_key, 7, stream);
    assert_eq!(
        payloads,
        vec![b"in".to_vec(), b"out".to_vec(), b"again".to_vec()]
    );
    assert_eq!(answer.next_offset, Some(Offset(3)));
    server.stop().await;

    let server = start_engine(dir.path(), false).await;
    let mut client = server.client(7, &key.secret).await;
    let ResponsePayload::StreamInfo(info) = client.call(stream_info(stream)).await else {
        panic!("no stream info after restart");
    };
    assert_eq!(info.length, 3);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_mode_serves_a_fresh_tenant_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let vfs = Arc::new(OsVfs);
    let config = EngineConfig::new(dir.path(), IDENTITY);
    Engine::init(vfs.clone(), &config).unwrap();
    let engine = Arc::new(Engine::open(vfs, config).unwrap().0);
    let backend = Arc::new(EngineBackend::new(engine.clone()));
    let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), AuthMode::Development);
    let server = Server::bind(config, backend).await.unwrap();
    let mut client = Client::new(TcpStream::connect(server.local_addr()).await.unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    client.tenant = TenantId(3);
    assert!(matches!(
        client.handshake(None).await,
        ResponsePayload::Handshake(_)
    ));
    let stream = new_stream(&mut client, "demo").await;
    let answer = client.call(append(stream, &[b"hello"], 0)).await;
    assert!(
        matches!(answer, ResponsePayload::AppendEvents(_)),
        "{answer:?}"
    );
    assert!(engine.catalog().tenant(TenantId(3)).is_some());
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    engine.shutdown().unwrap();
}

/// Small reads try the page cache on the serving thread first: when the data is
/// not in memory, the read still answers, from the blocking pool, with the same
/// records, on both runtime flavours.
#[test]
fn a_small_read_of_data_not_in_memory_is_answered_from_the_pool() {
    use kimberlite_protocol::{DataClass, Placement};
    use kimberlite_server::{AppendBatch, Backend, StreamSpec};
    use kimberlite_storage::io::fault::FaultVfs;
    use kimberlite_storage::io::Vfs;

    let vfs = FaultVfs::new(11);
    let root = std::path::PathBuf::from("/data");
    let config = EngineConfig::new(&root, IDENTITY);
    Engine::init(Arc::new(vfs.clone()), &config).unwrap();
    let (engine, _report) = Engine::open(Arc::new(vfs.clone()), config).unwrap();
    let backend = EngineBackend::new(Arc::new(engine));
    let tenant = TenantId(1);
    for flavour in ["current-thread", "multi-thread"] {
        let runtime = match flavour {
            "current-thread" => tokio::runtime::Builder::new_current_thread(),
            _ => tokio::runtime::Builder::new_multi_thread(),
        }
        .enable_all()
        .build()
        .unwrap();
        runtime.block_on(async {
            backend.ensure_tenant(tenant).await.unwrap();
            let spec = StreamSpec {
                name: format!("events-{flavour}"),
                data_class: DataClass::Public,
                placement: Placement::Global,
            };
            let stream = backend.create_stream(tenant, spec).await.unwrap();
            let events: Vec<Vec<u8>> = (0..5u8).map(|index| vec![index; 100]).collect();
            let batch = AppendBatch {
                stream_id: stream,
                expected_offset: Offset(0),
                events: events.clone(),
            };
            backend.append(tenant, batch).await.unwrap();
            let from_memory = backend.read_events(tenant, stream, Offset(0), 1_000).await;
            for segment in vfs.read_dir(&root.join("wal")).unwrap() {
                vfs.evict(&segment).unwrap();
            }
            let from_disk = backend.read_events(tenant, stream, Offset(0), 1_000).await;
            let from_disk = from_disk.unwrap();
            assert_eq!(from_disk, from_memory.unwrap(), "{flavour}");
            assert_eq!(from_disk.events, events, "{flavour}");
        });
    }
}
