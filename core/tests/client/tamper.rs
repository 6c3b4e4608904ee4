//! Every tampering mode of `kimberlite-testkit`'s proxy, between the client and
//! the real server over the storage engine: each lie is refused with its own
//! verification failure, nothing tampered is returned, and the trusted
//! checkpoint stays where the last honest answer left it.

use std::path::Path;

use kimberlite::verify::{parse_verifier_key, Checkpoint, TrustedStateDir};
use kimberlite::{
    Client, ConnectOptions, DataClass, Offset, Placement, StreamId, TenantId, VerificationFailure,
};
use kimberlite_testkit::{Mode, ProxyConfig, TamperProxy};

use crate::real_server::{RealServer, Setup};

pub(crate) const ADMIN: &str = "admin-token";
const TENANT: TenantId = TenantId(1);

/// A real server over a fresh engine in `dir`, requiring authentication, with
/// tenant 1; `key_from` copies the signing key of another data directory before
/// the engine opens (a fork of the same server). Stops when the returned server
/// is dropped.
pub(crate) async fn real_server(dir: &Path, key_from: Option<&Path>) -> (String, RealServer) {
    let setup = Setup {
        admin_token: Some(ADMIN),
        key_from,
        tenants: &[(TENANT, "tamper")],
        ..Setup::default()
    };
    let server = RealServer::start(dir, setup).await;
    (server.address.clone(), server)
}

pub(crate) async fn client(address: &str, state: &Path) -> Client {
    let options = ConnectOptions::new(TENANT)
        .auth_token(ADMIN)
        .state_directory(state);
    Client::connect(address, options).await.unwrap()
}

/// A stream named `name` with events `first..first + count` appended.
pub(crate) async fn stream_with(client: &Client, name: &str, first: u8, count: u8) -> StreamId {
    let stream = client
        .create_stream(name, DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let events: Vec<_> = (first..first + count).map(|byte| vec![byte; 40]).collect();
    client.append(stream, events, Offset(0)).await.unwrap();
    stream
}

/// The trusted checkpoint of `stream` in the state directory, read from disk.
pub(crate) async fn trusted(client: &Client, state: &Path, stream: StreamId) -> Option<Checkpoint> {
    let key = client.server_info().await.unwrap().signing_key;
    let verifier = parse_verifier_key(&key).unwrap();
    let dir = TrustedStateDir::open(state).unwrap();
    dir.load_checkpoint(&verifier, TENANT, stream).unwrap()
}

/// Asserts that a verified read and a checkpoint fetch through `liar` fail
/// with `expected`, and that the trusted checkpoint did not move.
async fn refused(liar: &Client, honest: &Client, state: &Path, stream: StreamId, mode: Mode) {
    let before = trusted(honest, state, stream).await;
    let read = liar.read_verified(stream, Offset(1), 1 << 20).await;
    let error = read.expect_err(mode.name());
    let expected = mode.expected_failure().unwrap();
    let failure = error
        .verification_failure()
        .map(VerificationFailure::as_str);
    assert_eq!(failure, Some(expected), "{mode}: {error}");
    assert_eq!(trusted(honest, state, stream).await, before, "{mode}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tampering_mode_is_refused_with_its_own_failure() {
    let data = tempfile::tempdir().unwrap();
    let (address, _stop) = real_server(data.path(), None).await;
    for mode in Mode::ALL {
        if mode == Mode::ForkedCheckpoint {
            continue; // Needs a second server: see the next test.
        }
        let state = tempfile::tempdir().unwrap();
        let honest = client(&address, state.path()).await;
        let stream = stream_with(&honest, mode.name(), 0, 4).await;
        // Trust size 4, then let the stream grow so any accepted answer would
        // move the trusted checkpoint.
        honest
            .read_verified(stream, Offset(0), 1 << 20)
            .await
            .unwrap();
        honest
            .append(stream, vec![vec![9; 40]; 2], Offset(4))
            .await
            .unwrap();
        let proxy = TamperProxy::start(ProxyConfig::new(address.as_str(), mode))
            .await
            .unwrap();
        let liar = client(&proxy.address().to_string(), state.path()).await;
        match mode {
            Mode::None => {
                let read = liar
                    .read_verified(stream, Offset(1), 1 << 20)
                    .await
                    .unwrap();
                assert_eq!(read.events.len(), 5);
                let now = trusted(&honest, state.path(), stream).await.unwrap();
                assert_eq!(now.size, 6);
            }
            Mode::StaleCheckpoint => {
                // The proxy's first checkpoint (size 6) is trusted, then a newer
                // one (size 7); after that it serves size 6 again.
                liar.checkpoint(stream).await.unwrap();
                honest
                    .append(stream, vec![vec![8; 40]], Offset(6))
                    .await
                    .unwrap();
                let newer = liar
                    .read_verified(stream, Offset(0), 1 << 20)
                    .await
                    .unwrap();
                assert_eq!(newer.checkpoint.size, 7);
                refused(&liar, &honest, state.path(), stream, mode).await;
                let error = liar.checkpoint(stream).await.unwrap_err();
                let failure = error.verification_failure();
                assert_eq!(failure, Some(VerificationFailure::Rollback), "{error}");
            }
            _ => refused(&liar, &honest, state.path(), stream, mode).await,
        }
        // The honest server still verifies from the trusted checkpoint.
        let read = honest.read_verified(stream, Offset(0), 1 << 20).await;
        assert!(read.unwrap().events.len() >= 6, "{mode}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_signed_with_the_same_key_is_refused() {
    let (data, fork_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (address, _stop) = real_server(data.path(), None).await;
    let (fork_address, _stop_fork) = real_server(fork_data.path(), Some(data.path())).await;
    let state = tempfile::tempdir().unwrap();
    let honest = client(&address, state.path()).await;
    let stream = stream_with(&honest, "forked", 0, 3).await;
    // The fork holds another history of the same stream, longer than the real one.
    let fork_writer = client(&fork_address, tempfile::tempdir().unwrap().path()).await;
    assert_eq!(stream_with(&fork_writer, "forked", 100, 5).await, stream);
    let config = ProxyConfig::new(address.as_str(), Mode::ForkedCheckpoint)
        .fork_upstream(fork_address.as_str());
    let proxy = TamperProxy::start(config).await.unwrap();
    let liar = client(&proxy.address().to_string(), state.path()).await;
    // First verified answer from the real server: trusted at size 3.
    let first = liar
        .read_verified(stream, Offset(0), 1 << 20)
        .await
        .unwrap();
    assert_eq!(first.checkpoint.size, 3);
    honest
        .append(stream, vec![vec![7; 40]], Offset(3))
        .await
        .unwrap();
    refused(&liar, &honest, state.path(), stream, Mode::ForkedCheckpoint).await;
    let error = liar.checkpoint(stream).await.unwrap_err();
    let failure = error.verification_failure();
    assert_eq!(failure, Some(VerificationFailure::Fork), "{error}");
    let trusted = trusted(&honest, state.path(), stream).await.unwrap();
    assert_eq!(trusted.root, first.checkpoint.root);
}
