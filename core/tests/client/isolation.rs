//! Tenant isolation over the real server and storage engine with authentication on:
//! a client holding tenant A's API key gets every request kind aimed at tenant B
//! refused (never data), while the same requests on its own tenant are served; a
//! revoked key is refused from then on, and keys and revocations survive a restart.

use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;

use kimberlite::{
    Client, ConnectOptions, DataClass, Error, Offset, Placement, ServerErrorCode, StreamId,
    TenantId,
};
use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig, ServerError};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::calls::bounded;

const ADMIN: &str = "isolation-admin-token";
const TENANT_A: TenantId = TenantId(21);
const TENANT_B: TenantId = TenantId(22);
const SECRET: &[u8] = b"tenant B's record";
const MAX_BYTES: u64 = 1 << 20;

struct Running {
    address: String,
    engine: Arc<Engine>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

async fn start(dir: &Path, init: bool) -> Running {
    let vfs = Arc::new(OsVfs);
    let config = EngineConfig::new(dir, "db.isolation");
    if init {
        Engine::init(vfs.clone(), &config).unwrap();
    }
    let engine = Arc::new(Engine::open(vfs, config).unwrap().0);
    let auth = AuthMode::Required {
        admin_token: Some(AdminToken::new(ADMIN)),
    };
    let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), auth);
    let backend = Arc::new(EngineBackend::new(engine.clone()));
    let server = Server::bind(config, backend).await.unwrap();
    let address = server.local_addr().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    Running {
        address,
        engine,
        stop,
        task,
    }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        bounded(self.task).await.unwrap().unwrap();
        self.engine.shutdown().unwrap();
    }
}

async fn connect(address: &str, tenant: TenantId, token: &str, state: &Path) -> Client {
    let options = ConnectOptions::new(tenant)
        .auth_token(token)
        .state_directory(state);
    bounded(Client::connect(address, options)).await.unwrap()
}

/// Asserts that `result` is a refusal a server may give for another tenant's
/// request (authentication, permission, or nothing found) and therefore no data.
fn assert_refused<T: Debug>(what: &str, result: Result<T, Error>) {
    let error = match result {
        Ok(value) => panic!("{what}: served with {value:?}"),
        Err(error) => error,
    };
    let refused = matches!(
        error.server_code(),
        Some(
            ServerErrorCode::AuthenticationFailed
                | ServerErrorCode::PermissionDenied
                | ServerErrorCode::TenantNotFound
                | ServerErrorCode::StreamNotFound
        )
    );
    assert!(refused, "{what}: refused with the wrong error {error:?}");
}

/// Every request kind about a tenant's data, aimed at `stream`, each refused.
async fn assert_data_requests_refused(client: &Client, stream: StreamId, who: &str) {
    let events = vec![b"intrusion".to_vec()];
    let at_b = |what: &str| format!("{who}: {what}");
    let created = client
        .create_stream("intruder", DataClass::Public, Placement::Global)
        .await;
    assert_refused(&at_b("create stream"), created);
    // Offset 1 is the stream's length: were the request allowed, it would succeed.
    assert_refused(
        &at_b("append"),
        client.append(stream, events, Offset(1)).await,
    );
    assert_refused(
        &at_b("read"),
        client.read(stream, Offset(0), MAX_BYTES).await,
    );
    assert_refused(&at_b("stream info"), client.stream_length(stream).await);
    assert_refused(
        &at_b("subscribe"),
        client.subscribe(stream, Offset(0)).await.map(|_| ()),
    );
    assert_refused(&at_b("query"), client.query("SELECT 1", &[]).await);
    let at = client.query_at("SELECT 1", &[], Offset(0)).await;
    assert_refused(&at_b("query_at"), at);
    assert_refused(&at_b("execute"), client.execute("SELECT 1", &[]).await);
    assert_refused(&at_b("sync"), client.sync().await);
    assert_refused(
        &at_b("read verified"),
        client.read_verified(stream, Offset(0), MAX_BYTES).await,
    );
    assert_refused(&at_b("checkpoint"), client.checkpoint(stream).await);
    let proof = client.consistency_proof(stream, 1, 1).await;
    assert_refused(&at_b("consistency proof"), proof);
}

/// Every administrative request, each refused to a client without the admin token.
async fn assert_admin_requests_refused(client: &Client, key_of_b: &str, who: &str) {
    let at = |what: &str| format!("{who}: {what}");
    assert_refused(
        &at("create tenant"),
        client.create_tenant(TenantId(99), "x").await,
    );
    assert_refused(&at("list tenants"), client.list_tenants().await);
    for tenant in [TENANT_A, TENANT_B] {
        assert_refused(&at("create key"), client.create_api_key(tenant, "x").await);
        assert_refused(&at("list keys"), client.list_api_keys(tenant).await);
    }
    assert_refused(&at("revoke key"), client.revoke_api_key(key_of_b).await);
}

/// Tenants A and B, each with an API key; returns the key id and token of each.
async fn two_tenants(admin: &Client) -> [(String, String); 2] {
    admin.create_tenant(TENANT_A, "a").await.unwrap();
    admin.create_tenant(TENANT_B, "b").await.unwrap();
    let a = admin.create_api_key(TENANT_A, "app a").await.unwrap();
    let b = admin.create_api_key(TENANT_B, "app b").await.unwrap();
    [(a.key_id, a.secret), (b.key_id, b.secret)]
}

/// Tenant A, with its own key, is served every request on its own stream.
async fn assert_own_tenant_served(client: &Client) {
    let stream = client
        .create_stream("own", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let mut subscription = client.subscribe(stream, Offset(0)).await.unwrap();
    let events = vec![b"tenant A's record".to_vec()];
    assert_eq!(
        client
            .append(stream, events.clone(), Offset(0))
            .await
            .unwrap(),
        Offset(0)
    );
    assert_eq!(
        client
            .read(stream, Offset(0), MAX_BYTES)
            .await
            .unwrap()
            .events,
        events
    );
    assert_eq!(client.stream_length(stream).await.unwrap(), 1);
    let pushed = bounded(subscription.next()).await.unwrap().unwrap();
    assert_eq!(pushed.payload, events[0]);
    client.sync().await.unwrap();
    let verified = client
        .read_verified(stream, Offset(0), MAX_BYTES)
        .await
        .unwrap();
    assert_eq!(verified.events.len(), 1);
    assert_eq!(verified.events[0].payload, events[0]);
    assert_eq!(client.checkpoint(stream).await.unwrap().size, 1);
    client.consistency_proof(stream, 1, 1).await.unwrap();
    // This server runs without SQL, so a query is answered with an error, but
    // never with one about who is asking.
    for answer in [
        client.query("SELECT 1", &[]).await.map(|_| ()),
        client
            .query_at("SELECT 1", &[], Offset(0))
            .await
            .map(|_| ()),
    ] {
        if let Err(error) = answer {
            let code = error.server_code();
            assert!(
                !matches!(
                    code,
                    Some(ServerErrorCode::AuthenticationFailed | ServerErrorCode::PermissionDenied)
                ),
                "own tenant's query refused: {error:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_of_one_tenant_never_reaches_another() {
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let server = start(data.path(), true).await;
    let address = server.address.clone();
    let admin = connect(&address, TenantId(1), ADMIN, &state.path().join("admin")).await;
    let [(key_id_a, key_a), (key_id_b, key_b)] = two_tenants(&admin).await;

    let b = connect(&address, TENANT_B, &key_b, &state.path().join("b")).await;
    let stream_b = b
        .create_stream("secrets", DataClass::PHI, Placement::Global)
        .await
        .unwrap();
    b.append(stream_b, vec![SECRET.to_vec()], Offset(0))
        .await
        .unwrap();

    // A's key used for tenant B: the key is valid, so the connection opens (the
    // opt-in is about no tenant), and then every request is refused.
    let a_on_b = connect(&address, TENANT_B, &key_a, &state.path().join("a-on-b")).await;
    assert_data_requests_refused(&a_on_b, stream_b, "A's key on tenant B").await;
    assert_admin_requests_refused(&a_on_b, &key_id_b, "A's key on tenant B").await;

    // A's key on its own tenant, naming B's stream id: A has no such stream yet.
    let a = connect(&address, TENANT_A, &key_a, &state.path().join("a")).await;
    assert_refused(
        "read of B's stream id",
        a.read(stream_b, Offset(0), MAX_BYTES).await,
    );
    assert_refused("length of B's stream id", a.stream_length(stream_b).await);
    let verified = a.read_verified(stream_b, Offset(0), MAX_BYTES).await;
    assert_refused("verified read of B's stream id", verified);
    assert_refused("checkpoint of B's stream id", a.checkpoint(stream_b).await);
    let subscribed = a.subscribe(stream_b, Offset(0)).await.map(|_| ());
    assert_refused("subscribe to B's stream id", subscribed);
    assert_admin_requests_refused(&a, &key_id_b, "A's key on tenant A").await;

    assert_own_tenant_served(&a).await;
    // B's record is still B's alone, and B still reads it.
    let read = b.read(stream_b, Offset(0), MAX_BYTES).await.unwrap();
    assert_eq!(read.events, vec![SECRET.to_vec()]);

    // Revoked: new connections with A's key are refused, whatever the tenant.
    assert!(admin.revoke_api_key(&key_id_a).await.unwrap());
    for tenant in [TENANT_A, TENANT_B] {
        let options = ConnectOptions::new(tenant).auth_token(key_a.as_str());
        let refused = bounded(Client::connect(address.as_str(), options)).await;
        assert_refused("connect with a revoked key", refused.map(|_| ()));
    }
    b.sync().await.unwrap();
    drop((a, a_on_b, b, admin));
    server.stop().await;

    // After a restart the keys are what they were: B's works, A's stays revoked.
    let server = start(data.path(), false).await;
    let address = server.address.clone();
    let b = connect(&address, TENANT_B, &key_b, &state.path().join("b")).await;
    let read = b
        .read_verified(stream_b, Offset(0), MAX_BYTES)
        .await
        .unwrap();
    assert_eq!(read.events[0].payload, SECRET);
    for tenant in [TENANT_A, TENANT_B] {
        let options = ConnectOptions::new(tenant).auth_token(key_a.as_str());
        let refused = bounded(Client::connect(address.as_str(), options)).await;
        assert_refused("revoked key after a restart", refused.map(|_| ()));
    }
    let admin = connect(&address, TenantId(1), ADMIN, &state.path().join("admin")).await;
    let keys_a = admin.list_api_keys(TENANT_A).await.unwrap();
    assert!(keys_a
        .iter()
        .any(|key| key.key_id == key_id_a && key.revoked));
    let keys_b = admin.list_api_keys(TENANT_B).await.unwrap();
    assert!(keys_b
        .iter()
        .any(|key| key.key_id == key_id_b && !key.revoked));
    drop((b, admin));
    server.stop().await;
}

/// A key revoked while a connection that used it is open stops that connection's
/// requests too, not only new connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_fails_on_a_connection_opened_before() {
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let server = start(data.path(), true).await;
    let address = server.address.clone();
    let admin = connect(&address, TenantId(1), ADMIN, &state.path().join("admin")).await;
    let [(key_id_a, key_a), _] = two_tenants(&admin).await;
    let a = connect(&address, TENANT_A, &key_a, &state.path().join("a")).await;
    let stream = a
        .create_stream("own", DataClass::Public, Placement::Global)
        .await
        .unwrap();

    assert!(admin.revoke_api_key(&key_id_a).await.unwrap());
    let events = vec![b"after revocation".to_vec()];
    assert_refused(
        "append after revocation",
        a.append(stream, events, Offset(0)).await,
    );
    assert_refused(
        "read after revocation",
        a.read(stream, Offset(0), MAX_BYTES).await,
    );
    drop((a, admin));
    server.stop().await;
}
