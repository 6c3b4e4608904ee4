//! Scans against the real server: a verified scan returns every record once, in
//! order, checked, and trusts the last checkpoint; a plain scan reads to the end;
//! every tampering mode ends a verified scan with its own failure and nothing
//! tampered is handed over; the blocking facade iterates the same parts.

use kimberlite::{Offset, VerificationFailure};
use kimberlite_testkit::{Mode, ProxyConfig, TamperProxy};

use crate::tamper::{client, real_server, stream_with, trusted};

/// Payloads of the events `stream_with(.., first, count)` appended.
fn expected(first: u8, count: u8) -> Vec<Vec<u8>> {
    (first..first + count).map(|byte| vec![byte; 40]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_scan_returns_every_record_once_and_trusts_the_last_checkpoint() {
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (address, _stop) = real_server(data.path(), None).await;
    let client = client(&address, state.path()).await;
    let stream = stream_with(&client, "scanned", 0, 50).await;
    // 100 bytes per part: three 40-byte events (the last one crosses the limit).
    let mut scan = client.scan_verified(stream, Offset(2), 100).await.unwrap();
    let mut payloads = Vec::new();
    let mut parts = 0;
    while let Some(part) = scan.next().await.unwrap() {
        assert_eq!(part.checkpoint.size, 50);
        for (index, event) in part.events.iter().enumerate() {
            assert_eq!(event.offset.0, 2 + payloads.len() as u64 + index as u64);
        }
        assert_eq!(
            part.next_offset,
            Some(Offset(2 + (payloads.len() + part.events.len()) as u64))
        );
        payloads.extend(part.events.into_iter().map(|event| event.payload));
        parts += 1;
    }
    assert!(scan.is_done());
    assert!(scan.next().await.unwrap().is_none(), "a scan stays ended");
    assert_eq!(payloads, expected(2, 48));
    assert_eq!(parts, 16);
    assert_eq!(
        trusted(&client, state.path(), stream).await.unwrap().size,
        50
    );

    // A scan from the end returns nothing; one after an append reads the rest,
    // checked from the trusted size 50.
    let mut at_end = client.scan_verified(stream, Offset(50), 100).await.unwrap();
    assert!(at_end.next().await.unwrap().is_none());
    client
        .append(stream, expected(50, 5), Offset(50))
        .await
        .unwrap();
    let mut rest = client.scan_verified(stream, Offset(48), 1).await.unwrap();
    let mut offsets = Vec::new();
    while let Some(part) = rest.next().await.unwrap() {
        assert_eq!(part.events.len(), 1, "one record per part at max_bytes 1");
        offsets.push(part.events[0].offset.0);
    }
    assert_eq!(offsets, (48..55).collect::<Vec<_>>());
    assert_eq!(
        trusted(&client, state.path(), stream).await.unwrap().size,
        55
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_scan_reads_to_the_end() {
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (address, _stop) = real_server(data.path(), None).await;
    let client = client(&address, state.path()).await;
    let stream = stream_with(&client, "plain", 10, 20).await;
    // max_bytes 0 still reads a record per part.
    for max_bytes in [0, 100, 1 << 20] {
        let mut scan = client.scan(stream, Offset(0), max_bytes).await.unwrap();
        let mut payloads = Vec::new();
        while let Some(part) = scan.next().await.unwrap() {
            assert!(!part.events.is_empty());
            payloads.extend(part.events);
            assert_eq!(part.next_offset, Some(Offset(payloads.len() as u64)));
        }
        assert!(scan.is_done());
        assert_eq!(payloads, expected(10, 20), "max_bytes {max_bytes}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tampering_mode_ends_a_verified_scan_with_its_failure() {
    let data = tempfile::tempdir().unwrap();
    let (address, _stop) = real_server(data.path(), None).await;
    for mode in Mode::ALL {
        let Some(expected_failure) = mode.expected_failure() else {
            continue;
        };
        if matches!(mode, Mode::ForkedCheckpoint | Mode::StaleCheckpoint) {
            continue; // Need a second server or a history of checkpoints: tamper.rs.
        }
        let state = tempfile::tempdir().unwrap();
        let honest = client(&address, state.path()).await;
        let stream = stream_with(&honest, mode.name(), 0, 12).await;
        honest.checkpoint(stream).await.unwrap();
        let before = trusted(&honest, state.path(), stream).await;
        let proxy = TamperProxy::start(ProxyConfig::new(address.as_str(), mode))
            .await
            .unwrap();
        let liar = client(&proxy.address().to_string(), state.path()).await;
        let mut scan = liar.scan_verified(stream, Offset(1), 100).await.unwrap();
        // Every answer is tampered with, so the first part must already fail.
        let error = match scan.next().await {
            Ok(Some(part)) => panic!("{mode}: a tampered part was returned: {part:?}"),
            Ok(None) => panic!("{mode}: the scan ended without noticing"),
            Err(error) => error,
        };
        let failure = error
            .verification_failure()
            .map(VerificationFailure::as_str);
        assert_eq!(failure, Some(expected_failure), "{mode}: {error}");
        assert!(scan.is_done(), "{mode}");
        assert!(scan.next().await.unwrap().is_none(), "{mode}");
        assert_eq!(
            trusted(&honest, state.path(), stream).await,
            before,
            "{mode}"
        );
    }
}

#[test]
fn the_blocking_facade_iterates_scans() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (address, _stop) = runtime.block_on(real_server(data.path(), None));
    let stream = runtime.block_on(async {
        let client = client(&address, state.path()).await;
        stream_with(&client, "blocking", 0, 9).await
    });
    let options = kimberlite::ConnectOptions::new(kimberlite::TenantId(1))
        .auth_token(crate::tamper::ADMIN)
        .state_directory(state.path());
    let client = kimberlite::blocking::Client::connect(address.as_str(), options).unwrap();
    let verified: Vec<Vec<u8>> = client
        .scan_verified(stream, Offset(0), 100)
        .unwrap()
        .flat_map(|part| part.unwrap().events)
        .map(|event| event.payload)
        .collect();
    assert_eq!(verified, expected(0, 9));
    let plain: Vec<Vec<u8>> = client
        .scan(stream, Offset(4), 100)
        .unwrap()
        .flat_map(|part| part.unwrap().events)
        .collect();
    assert_eq!(plain, expected(4, 5));
}

/// How many requests of `variant` the harness server has received, once it has
/// received at least `at_least` of them (waiting for the socket, at most 10 s).
async fn received(server: &crate::harness::TestServer, variant: u32, at_least: usize) -> usize {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let count = server
            .control()
            .requests
            .iter()
            .filter(|&&index| index == variant)
            .count();
        if count >= at_least || tokio::time::Instant::now() > deadline {
            return count;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_keep_exactly_one_request_ahead() {
    const READ_EVENTS: u32 = 5;
    const READ_VERIFIED_RANGE: u32 = 74;
    let server = crate::harness::TestServer::start(true).await;
    let state = tempfile::tempdir().unwrap();
    let options =
        kimberlite::ConnectOptions::new(kimberlite::TenantId(1)).state_directory(state.path());
    let client = kimberlite::Client::connect(server.address.as_str(), options)
        .await
        .unwrap();
    let stream = client
        .create_stream(
            "ahead",
            kimberlite::DataClass::Public,
            kimberlite::Placement::Global,
        )
        .await
        .unwrap();
    let events: Vec<Vec<u8>> = (0..4u8).map(|byte| vec![byte]).collect();
    client.append(stream, events, Offset(0)).await.unwrap();

    let mut verified = client.scan_verified(stream, Offset(0), 1).await.unwrap();
    for handed_over in 1..=4 {
        let part = verified.next().await.unwrap().unwrap();
        assert_eq!(part.events[0].offset, Offset(handed_over as u64 - 1));
        // The request for the next part left before this one was handed over
        // (none after the last: the checkpoint says the stream ends there).
        let ahead = if handed_over < 4 { 1 } else { 0 };
        let count = received(&server, READ_VERIFIED_RANGE, handed_over + ahead).await;
        assert_eq!(count, handed_over + ahead, "after part {handed_over}");
    }
    assert!(verified.next().await.unwrap().is_none());

    let mut plain = client.scan(stream, Offset(0), 1).await.unwrap();
    for handed_over in 1..=4 {
        plain.next().await.unwrap().unwrap();
        let count = received(&server, READ_EVENTS, handed_over + 1).await;
        assert_eq!(count, handed_over + 1, "after part {handed_over}");
    }
    // The request after the last part finds the end.
    assert!(plain.next().await.unwrap().is_none());
    assert_eq!(received(&server, READ_EVENTS, 5).await, 5);
}
