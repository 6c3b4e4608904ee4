//! End to end against the real server over the storage engine, started in process:
//! admin calls, API keys, appends, reads, a live subscription, verified reads with a
//! persisted trusted state, and a server restart under a connected client.

use std::net::SocketAddr;
use std::sync::Arc;

use kimberlite::{
    Client, ConnectOptions, DataClass, ErrorCode, Offset, Placement, ServerErrorCode, TenantId,
};
use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig, ServerError};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::calls::bounded;

const ADMIN: &str = "admin-token";

struct EngineServer {
    engine: Arc<Engine>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

async fn start(dir: &std::path::Path, address: SocketAddr, init: bool) -> (EngineServer, String) {
    let vfs = Arc::new(OsVfs);
    let config = EngineConfig::new(dir, "db.test");
    if init {
        Engine::init(vfs.clone(), &config).unwrap();
    }
    let (engine, _report) = Engine::open(vfs, config).unwrap();
    let engine = Arc::new(engine);
    let backend = Arc::new(EngineBackend::new(engine.clone()));
    let auth = AuthMode::Required {
        admin_token: Some(AdminToken::new(ADMIN)),
    };
    let server = Server::bind(ServerConfig::new(address, auth), backend)
        .await
        .unwrap();
    let address = server.local_addr().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    (EngineServer { engine, stop, task }, address)
}

impl EngineServer {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        self.engine.shutdown().unwrap();
    }
}

/// Creates tenant 7 and a key for it as the administrator; returns a client of
/// tenant 7 using that key and the state directory `state`.
async fn tenant_client(address: &str, state: &std::path::Path) -> Client {
    let admin_options = ConnectOptions::new(TenantId(1)).auth_token(ADMIN);
    let admin = Client::connect(address, admin_options).await.unwrap();
    assert_eq!(
        admin.create_tenant(TenantId(7), "clinic").await.unwrap(),
        TenantId(7)
    );
    let key = admin.create_api_key(TenantId(7), "app").await.unwrap();
    let tenants = admin.list_tenants().await.unwrap();
    assert!(tenants.iter().any(|tenant| tenant.id == TenantId(7)));

    let options = ConnectOptions::new(TenantId(7))
        .auth_token(key.secret)
        .state_directory(state);
    Client::connect(address, options).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_against_the_server_over_the_storage_engine() {
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (server, address) = start(data.path(), "127.0.0.1:0".parse().unwrap(), true).await;

    let client = tenant_client(&address, state.path()).await;
    // Without a token the server refuses the opt-in, so connect says why at once.
    let anonymous = Client::connect(address.as_str(), ConnectOptions::new(TenantId(7))).await;
    let error = anonymous.unwrap_err();
    assert_eq!(
        error.server_code(),
        Some(ServerErrorCode::AuthenticationFailed)
    );
    let error = client.create_tenant(TenantId(8), "no").await.unwrap_err();
    assert_eq!(error.server_code(), Some(ServerErrorCode::PermissionDenied));

    let stream = client
        .create_stream("visits", DataClass::PHI, Placement::Global)
        .await
        .unwrap();
    let mut subscription = client.subscribe(stream, Offset(0)).await.unwrap();
    let events = vec![b"in".to_vec(), b"out".to_vec()];
    assert_eq!(
        client.append(stream, events, Offset(0)).await.unwrap(),
        Offset(0)
    );
    for (offset, payload) in [(0, b"in".as_slice()), (1, b"out")] {
        let event = bounded(subscription.next()).await.unwrap().unwrap();
        assert_eq!(
            (event.offset, event.payload.as_slice()),
            (Offset(offset), payload)
        );
    }
    let error = client
        .append(stream, vec![b"x".to_vec()], Offset(0))
        .await
        .unwrap_err();
    assert_eq!(
        error.code(),
        ErrorCode::Server(ServerErrorCode::OffsetMismatch)
    );
    let read = client.read(stream, Offset(1), 100).await.unwrap();
    assert_eq!(read.events, vec![b"out".to_vec()]);

    let verified = client
        .read_verified(stream, Offset(0), 1 << 20)
        .await
        .unwrap();
    assert_eq!(verified.events.len(), 2);
    assert_eq!(verified.checkpoint.size, 2);
    assert_eq!(verified.events[1].payload, b"out".to_vec());
    drop(subscription);

    // Restart the server on the same address; the same client reconnects on its
    // next call and keeps verifying from the trusted checkpoint of size 2.
    server.stop().await;
    let (server, _) = start(data.path(), address.parse().unwrap(), false).await;
    let appended = bounded(client.append(stream, vec![b"again".to_vec()], Offset(2))).await;
    assert_eq!(appended.unwrap(), Offset(2));
    let verified = client
        .read_verified(stream, Offset(2), 1 << 20)
        .await
        .unwrap();
    assert_eq!(verified.checkpoint.size, 3);
    assert_eq!(verified.events[0].payload, b"again".to_vec());
    let checkpoint = client.checkpoint(stream).await.unwrap();
    assert_eq!(checkpoint.root, verified.checkpoint.root);
    client.sync().await.unwrap();
    server.stop().await;
}

#[allow(dead_code, reason = "the example's main is not called from the tests")]
#[path = "../../examples/quickstart.rs"]
mod quickstart;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_runs_against_a_development_server() {
    let data = tempfile::tempdir().unwrap();
    let vfs = Arc::new(OsVfs);
    let config = EngineConfig::new(data.path(), "db.test");
    Engine::init(vfs.clone(), &config).unwrap();
    let (engine, _report) = Engine::open(vfs, config).unwrap();
    let engine = Arc::new(engine);
    let sql = kimberlite_sql::SqlEngine::open(engine.clone(), data.path().join("sql")).unwrap();
    let backend = Arc::new(EngineBackend::with_sql(engine.clone(), Arc::new(sql)));
    let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), AuthMode::Development);
    let server = Server::bind(config, backend).await.unwrap();
    let address = server.local_addr().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    bounded(quickstart::run(&address)).await.unwrap();
    // Run twice: the second run appends after the first run's events.
    bounded(quickstart::run(&address)).await.unwrap();
    let client = Client::connect(address.as_str(), ConnectOptions::new(TenantId(1)))
        .await
        .unwrap();
    let stream = client
        .create_stream("quickstart", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    assert_eq!(client.stream_length(stream).await.unwrap(), 4);
    let _ = stop.send(());
    task.await.unwrap().unwrap();
    engine.shutdown().unwrap();
}
