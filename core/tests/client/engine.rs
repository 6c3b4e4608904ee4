//! End to end against the real server over the storage engine, started in process:
//! admin calls, API keys, appends, reads, a live subscription, verified reads with a
//! persisted trusted state, and a server restart under a connected client.

use std::net::SocketAddr;

use kimberlite::{
    Client, ConnectOptions, DataClass, ErrorCode, Offset, Placement, ServerErrorCode, TenantId,
};

use crate::calls::bounded;
use crate::real_server::{RealServer, Setup};

const ADMIN: &str = "admin-token";

/// The real server over the storage engine in `dir`, requiring the admin token,
/// on `address`; `init` creates the directory first.
async fn start(dir: &std::path::Path, address: SocketAddr, init: bool) -> (RealServer, String) {
    let setup = Setup {
        address,
        init,
        sql: false,
        admin_token: Some(ADMIN),
        ..Setup::default()
    };
    let server = RealServer::start(dir, setup).await;
    let address = server.address.clone();
    (server, address)
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
    let server = RealServer::start(data.path(), Setup::default()).await;
    let address = server.address.clone();
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
    drop(client);
    server.stop().await;
}
