//! Verified reads end to end against the loopback server: trust on first use, a
//! persisted trusted state, and a server that lies (other key, rewritten or
//! truncated history, changed records).

use kimberlite::{
    Client, ConnectOptions, DataClass, ErrorCode, Offset, Placement, StreamId, TenantId,
    VerificationFailure,
};

use crate::fixtures::signer;
use crate::harness::TestServer;

async fn client_with_state(server: &TestServer, state: &std::path::Path) -> Client {
    let options = ConnectOptions::new(TenantId(1)).state_directory(state);
    Client::connect(server.address.as_str(), options)
        .await
        .unwrap()
}

async fn stream_with(client: &Client, count: u8) -> StreamId {
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let events = (0..count).map(|index| vec![index]).collect();
    client.append(stream, events, Offset(0)).await.unwrap();
    stream
}

fn failure(error: &kimberlite::Error) -> Option<VerificationFailure> {
    error.verification_failure()
}

/// Reads `stream` verified and checks that the read fails with `expected`.
async fn assert_read_fails(
    client: &Client,
    stream: StreamId,
    from: Offset,
    max_bytes: u64,
    expected: VerificationFailure,
) {
    let error = client
        .read_verified(stream, from, max_bytes)
        .await
        .unwrap_err();
    assert_eq!(failure(&error), Some(expected), "{error}");
}

/// A server, a state directory, a client of it and a stream of `count` records
/// the client has read verified once (so it trusts the stream's checkpoint).
async fn trusting_client(count: u8) -> (TestServer, tempfile::TempDir, Client, StreamId) {
    let server = TestServer::start(true).await;
    let state = tempfile::tempdir().unwrap();
    let client = client_with_state(&server, state.path()).await;
    let stream = stream_with(&client, count).await;
    client.read_verified(stream, Offset(0), 100).await.unwrap();
    (server, state, client, stream)
}

#[tokio::test]
async fn verified_reads_advance_the_trusted_checkpoint_across_clients() {
    let server = TestServer::start(true).await;
    let state = tempfile::tempdir().unwrap();
    let client = client_with_state(&server, state.path()).await;
    let stream = stream_with(&client, 5).await;
    let read = client
        .read_verified(stream, Offset(0), 1 << 20)
        .await
        .unwrap();
    let payloads: Vec<Vec<u8>> = read
        .events
        .iter()
        .map(|event| event.payload.clone())
        .collect();
    assert_eq!(
        payloads,
        (0..5).map(|index| vec![index]).collect::<Vec<_>>()
    );
    assert_eq!(read.checkpoint.size, 5);
    assert_eq!(read.next_offset, Some(Offset(5)));
    client
        .append(stream, vec![vec![5], vec![6]], Offset(5))
        .await
        .unwrap();
    let read = client
        .read_verified(stream, Offset(5), 1 << 20)
        .await
        .unwrap();
    assert_eq!(read.events.len(), 2);
    assert_eq!(read.events[1].offset, Offset(6));
    // A second client of the same state directory starts from the trusted size 7:
    // a history rewritten below it is caught as a fork.
    let second = client_with_state(&server, state.path()).await;
    server
        .control()
        .logs
        .get_mut(&stream)
        .unwrap()
        .rewrite(2, b"rewritten".to_vec());
    assert_read_fails(&second, stream, Offset(0), 1, VerificationFailure::Fork).await;
}

#[tokio::test]
async fn a_server_key_other_than_the_one_first_trusted_is_unknown_key() {
    let (server, state, client, stream) = trusting_client(2).await;
    server.control().signer = signer(2);
    assert_read_fails(
        &client,
        stream,
        Offset(0),
        100,
        VerificationFailure::UnknownKey,
    )
    .await;
    // The first key stays pinned for this address in the state directory.
    let later = client_with_state(&server, state.path()).await;
    let error = later.checkpoint(stream).await.unwrap_err();
    assert_eq!(
        failure(&error),
        Some(VerificationFailure::UnknownKey),
        "{error}"
    );
    // A user who pins the new key explicitly accepts it.
    let options = ConnectOptions::new(TenantId(1)).pinned_server_key(signer(2).verifier_key());
    let pinned = Client::connect(server.address.as_str(), options)
        .await
        .unwrap();
    assert_eq!(pinned.checkpoint(stream).await.unwrap().size, 2);
}

#[tokio::test]
async fn a_truncated_history_is_a_rollback() {
    let server = TestServer::start(true).await;
    let client = crate::calls::connect(&server).await;
    let stream = stream_with(&client, 6).await;
    client.read_verified(stream, Offset(0), 100).await.unwrap();
    server
        .control()
        .logs
        .get_mut(&stream)
        .unwrap()
        .records
        .truncate(4);
    // An honest server refuses the trusted size and the client finds out why; a
    // lying one answers with a smaller checkpoint.
    for lie in [false, true] {
        server.control().lie_about_ranges = lie;
        let rollback = VerificationFailure::Rollback;
        assert_read_fails(&client, stream, Offset(0), 100, rollback).await;
    }
    let error = client.checkpoint(stream).await.unwrap_err();
    assert_eq!(
        failure(&error),
        Some(VerificationFailure::Rollback),
        "{error}"
    );
}

#[tokio::test]
async fn a_changed_record_is_not_included_and_nothing_is_trusted() {
    let server = TestServer::start(true).await;
    let state = tempfile::tempdir().unwrap();
    let client = client_with_state(&server, state.path()).await;
    let stream = stream_with(&client, 3).await;
    server.control().tamper_payload = true;
    let error = client
        .read_verified(stream, Offset(1), 100)
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        Some(VerificationFailure::NotIncluded),
        "{error}"
    );
    assert_eq!(error.code().number(), 1104);
    let checkpoints = state.path().join("checkpoints");
    assert!(
        !checkpoints.exists(),
        "a refused answer must not be trusted"
    );
}

#[tokio::test]
async fn checkpoints_are_verified_and_extend_the_trusted_one() {
    let server = TestServer::start(true).await;
    let client = crate::calls::connect(&server).await;
    let stream = stream_with(&client, 3).await;
    let first = client.checkpoint(stream).await.unwrap();
    assert_eq!(first.size, 3);
    client
        .append(stream, vec![vec![3], vec![4]], Offset(3))
        .await
        .unwrap();
    let second = client.checkpoint(stream).await.unwrap();
    assert_eq!(second.size, 5);
    let proof = client.consistency_proof(stream, 3, 5).await.unwrap();
    kimberlite::verify::check_consistency(Some(&first), &second, &proof).unwrap();
    // Rewriting history under a trusted checkpoint is caught by the next one.
    server
        .control()
        .logs
        .get_mut(&stream)
        .unwrap()
        .rewrite(0, b"x".to_vec());
    let error = client.checkpoint(stream).await.unwrap_err();
    assert_eq!(failure(&error), Some(VerificationFailure::Fork), "{error}");
}

#[tokio::test]
async fn a_plain_v5_server_serves_v5_calls_and_refuses_extensions_clearly() {
    let server = TestServer::start(false).await;
    let client = crate::calls::connect(&server).await;
    let stream = stream_with(&client, 2).await;
    assert_eq!(
        client
            .read(stream, Offset(0), 100)
            .await
            .unwrap()
            .events
            .len(),
        2
    );
    assert_eq!(client.stream_length(stream).await.unwrap(), 2);
    client.sync().await.unwrap();
    let refusals = [
        client
            .read_verified(stream, Offset(0), 100)
            .await
            .map(|_| ()),
        client.checkpoint(stream).await.map(|_| ()),
        client.consistency_proof(stream, 1, 2).await.map(|_| ()),
        client.server_info().await.map(|_| ()),
        client.list_tenants().await.map(|_| ()),
        client.create_tenant(TenantId(3), "t").await.map(|_| ()),
    ];
    for refusal in refusals {
        let error = refusal.unwrap_err();
        assert_eq!(error.code(), ErrorCode::Unsupported, "{error}");
        assert!(error.message().contains("kmb."), "{error}");
    }
    // The plain server only ever saw protocol v5 requests.
    let requests = server.control().requests.clone();
    assert!(requests.iter().all(|&index| index <= 10), "{requests:?}");
}

#[tokio::test]
async fn a_server_with_only_another_proof_format_is_unsupported_version() {
    let server = TestServer::start(true).await;
    server.control().advertise = Some(vec!["kmb.ext/1".to_owned(), "kmb.verify/9".to_owned()]);
    let client = crate::calls::connect(&server).await;
    let stream = stream_with(&client, 1).await;
    let error = client
        .read_verified(stream, Offset(0), 100)
        .await
        .unwrap_err();
    assert_eq!(
        failure(&error),
        Some(VerificationFailure::UnsupportedVersion),
        "{error}"
    );
    assert!(error.message().contains("kmb.verify/9"), "{error}");
}

#[tokio::test]
async fn reads_use_one_range_proof_where_offered_and_a_proof_each_elsewhere() {
    for (advertised, expected_request) in
        [(None, 74u32), (Some(vec!["kmb.ext/1", "kmb.verify/1"]), 66)]
    {
        let server = TestServer::start(true).await;
        let names = advertised.map(|names| names.into_iter().map(str::to_owned).collect());
        server.control().advertise = names;
        let client = crate::calls::connect(&server).await;
        let stream = stream_with(&client, 6).await;
        for from in [0, 2, 5, 6] {
            let read = client
                .read_verified(stream, Offset(from), 1 << 20)
                .await
                .unwrap();
            let offsets: Vec<u64> = read.events.iter().map(|event| event.offset.0).collect();
            assert_eq!(offsets, (from..6).collect::<Vec<_>>());
            assert_eq!(read.checkpoint.size, 6);
        }
        let requests = server.control().requests.clone();
        let reads: Vec<u32> = requests
            .iter()
            .copied()
            .filter(|index| *index == 66 || *index == 74)
            .collect();
        assert_eq!(reads, vec![expected_request; 4], "{requests:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sharing_a_state_directory_advance_it_together() {
    let server = TestServer::start(true).await;
    let state = tempfile::tempdir().unwrap();
    let writer = client_with_state(&server, state.path()).await;
    let stream = stream_with(&writer, 1).await;
    let first = client_with_state(&server, state.path()).await;
    let second = client_with_state(&server, state.path()).await;
    let appends = async {
        for offset in 1..30u8 {
            let events = vec![vec![offset]];
            writer
                .append(stream, events, Offset(u64::from(offset)))
                .await
                .unwrap();
            tokio::task::yield_now().await;
        }
    };
    // Each reader may find the trusted checkpoint moved by the other between its
    // load and its store; it must reconcile, never fail or go backwards.
    let reads = |client: Client| async move {
        for _ in 0..30 {
            client.read_verified(stream, Offset(0), 1).await.unwrap();
        }
    };
    crate::calls::bounded(async { tokio::join!(appends, reads(first), reads(second)) }).await;
    let last = writer.read_verified(stream, Offset(29), 10).await.unwrap();
    assert_eq!(last.checkpoint.size, 30);
    let directory = kimberlite::verify::TrustedStateDir::open(state.path()).unwrap();
    let trusted = directory
        .load_checkpoint(&signer(1).verifier(), TenantId(1), stream)
        .unwrap();
    assert_eq!(trusted, Some(last.checkpoint));
}

/// Trusts the checkpoint `note` of `stream` in `state` while the client's next
/// verified read is in flight, as another process would.
fn store_behind_the_clients_back(
    server: &TestServer,
    state: &std::path::Path,
    stream: StreamId,
    note: String,
) {
    let directory = kimberlite::verify::TrustedStateDir::open(state).unwrap();
    server.control().on_verified_read = Some(Box::new(move || {
        let verifier = signer(1).verifier();
        let current = directory
            .load_checkpoint(&verifier, TenantId(1), stream)
            .unwrap();
        let outcome = directory
            .compare_and_store(&verifier, TenantId(1), stream, current.as_ref(), &note)
            .unwrap();
        assert_eq!(outcome, kimberlite::verify::StoreOutcome::Stored);
    }));
}

#[tokio::test]
async fn a_trusted_state_moved_by_another_process_is_reconciled_with_a_proof() {
    let (server, state, client, stream) = trusting_client(3).await;
    client
        .append(stream, vec![vec![3], vec![4], vec![5]], Offset(3))
        .await
        .unwrap();
    // Another process trusts size 5 while this read (which will see size 6) runs.
    let log = server.control().logs[&stream].clone();
    store_behind_the_clients_back(&server, state.path(), stream, log.note(5, &signer(1)));
    let read = client.read_verified(stream, Offset(0), 100).await.unwrap();
    assert_eq!(read.checkpoint.size, 6);
    let proofs = server
        .control()
        .requests
        .iter()
        .filter(|&&index| index == 68)
        .count();
    assert_eq!(proofs, 1, "the client proves 5 -> 6 before trusting 6");
    let directory = kimberlite::verify::TrustedStateDir::open(state.path()).unwrap();
    let trusted = directory.load_checkpoint(&signer(1).verifier(), TenantId(1), stream);
    assert_eq!(trusted.unwrap().unwrap().size, 6);
}

#[tokio::test]
async fn a_forked_checkpoint_trusted_by_another_process_is_a_fork() {
    let (server, state, client, stream) = trusting_client(3).await;
    client
        .append(stream, vec![vec![3], vec![4], vec![5]], Offset(3))
        .await
        .unwrap();
    // Another process was shown (and trusted) a different history of size 5.
    let mut forked = server.control().logs[&stream].clone();
    forked.rewrite(4, b"other".to_vec());
    store_behind_the_clients_back(&server, state.path(), stream, forked.note(5, &signer(1)));
    assert_read_fails(&client, stream, Offset(0), 100, VerificationFailure::Fork).await;
}

/// The one trusted-checkpoint file under `state` (one stream was read verified).
fn only_checkpoint_file(state: &std::path::Path) -> std::path::PathBuf {
    let keys: Vec<_> = std::fs::read_dir(state.join("checkpoints"))
        .unwrap()
        .collect();
    assert_eq!(keys.len(), 1);
    let files: Vec<_> = std::fs::read_dir(keys[0].as_ref().unwrap().path())
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
    files[0].as_ref().unwrap().path()
}

#[tokio::test]
async fn only_reads_that_advance_the_trust_touch_the_state_directory() {
    let (_server, state, client, stream) = trusting_client(3).await;
    // The client remembers what it stored: reads that do not advance the trust
    // neither read nor write the file, so they still verify ...
    std::fs::write(only_checkpoint_file(state.path()), b"not a checkpoint").unwrap();
    let again = client.read_verified(stream, Offset(1), 100).await.unwrap();
    assert_eq!((again.events.len(), again.checkpoint.size), (2, 3));
    // ... while an advance goes through the file, under its lock, and finds it
    // unusable.
    client
        .append(stream, vec![vec![3]], Offset(3))
        .await
        .unwrap();
    assert_read_fails(
        &client,
        stream,
        Offset(0),
        100,
        VerificationFailure::CorruptTrustedState,
    )
    .await;
}
