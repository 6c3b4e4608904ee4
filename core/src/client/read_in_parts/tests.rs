use std::time::Duration;

use super::{first_part_bytes, PARTS_MIN_BYTES};

const MIB: u64 = 1024 * 1024;

#[test]
fn a_big_read_over_a_fast_connection_asks_for_three_quarters_first() {
    let fast = Some(Duration::from_micros(50));
    assert_eq!(first_part_bytes(MIB, fast), Some(768 * 1024));
    assert_eq!(first_part_bytes(16 * MIB, fast), Some(12 * MIB));
    assert_eq!(first_part_bytes(PARTS_MIN_BYTES, fast), Some(192 * 1024));
}

#[test]
fn small_reads_are_one_request() {
    let fast = Some(Duration::from_micros(1));
    assert_eq!(first_part_bytes(PARTS_MIN_BYTES - 1, fast), None);
    assert_eq!(first_part_bytes(64 * 1024, fast), None);
    assert_eq!(first_part_bytes(0, fast), None);
}

#[test]
fn a_round_trip_longer_than_half_the_first_check_keeps_one_request() {
    // 768 KiB take about 786 us to check at 1 GB/s; half of it is about 393 us.
    assert_eq!(
        first_part_bytes(MIB, Some(Duration::from_micros(390))),
        Some(768 * 1024)
    );
    assert_eq!(
        first_part_bytes(MIB, Some(Duration::from_micros(400))),
        None
    );
    assert_eq!(first_part_bytes(MIB, Some(Duration::from_millis(20))), None);
    // A huge budget is split over a slower link, as its check takes longer.
    assert_eq!(
        first_part_bytes(64 * MIB, Some(Duration::from_millis(20))),
        Some(48 * MIB)
    );
}

#[test]
fn without_a_measured_round_trip_a_read_is_one_request() {
    assert_eq!(first_part_bytes(MIB, None), None);
}

#[test]
fn the_largest_budgets_do_not_overflow() {
    let fast = Some(Duration::from_micros(1));
    assert_eq!(first_part_bytes(u64::MAX, fast), Some(u64::MAX / 4 * 3));
    assert_eq!(first_part_bytes(MIB, Some(Duration::MAX)), None);
}

/// Reads split by hand against a real server in process: whatever the first
/// part's budget, the records, `next_offset` and checkpoint are those of one
/// request for the whole budget; tampered parts are refused.
mod against_a_server {
    use std::sync::Arc;

    use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig};
    use kimberlite_storage::engine::{Engine, EngineConfig};
    use kimberlite_storage::io::os::OsVfs;
    use kimberlite_storage::io::Vfs;
    use kimberlite_testkit::{Mode, ProxyConfig, TamperProxy};

    use crate::{Client, ConnectOptions, DataClass, Offset, Placement, StreamId, TenantId};

    const TENANT: TenantId = TenantId(1);
    const ADMIN: &str = "parts-admin";
    const RECORDS: usize = 300;

    /// Event `index`: 100 to 499 bytes, every byte `index` (mod 256).
    fn event(index: usize) -> Vec<u8> {
        vec![index as u8; 100 + index * 37 % 400]
    }

    async fn server(dir: &std::path::Path) -> String {
        server_reading_at_most(dir, None).await
    }

    /// A server whose answers carry at most `max_read_bytes` (its default if None).
    async fn server_reading_at_most(dir: &std::path::Path, max_read_bytes: Option<u64>) -> String {
        let vfs: Arc<dyn Vfs> = Arc::new(OsVfs);
        let config = EngineConfig::new(dir, "parts.kimberlite");
        Engine::init(vfs.clone(), &config).unwrap();
        let engine = Arc::new(Engine::open(vfs, config).unwrap().0);
        engine.create_tenant(TENANT, "parts").unwrap();
        let auth = AuthMode::Required {
            admin_token: Some(AdminToken::new(ADMIN)),
        };
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), auth);
        if let Some(limit) = max_read_bytes {
            config.limits.max_read_bytes = limit;
        }
        let backend = Arc::new(EngineBackend::new(engine));
        let server = Server::bind(config, backend).await.unwrap();
        let address = server.local_addr().to_string();
        tokio::spawn(server.run(std::future::pending::<()>()));
        address
    }

    async fn client(address: &str) -> Client {
        let options = ConnectOptions::new(TENANT).auth_token(ADMIN);
        Client::connect(address, options).await.unwrap()
    }

    async fn stream(client: &Client) -> StreamId {
        let stream = client
            .create_stream("parts", DataClass::Public, Placement::Global)
            .await
            .unwrap();
        let events: Vec<_> = (0..RECORDS).map(event).collect();
        client.append(stream, events, Offset(0)).await.unwrap();
        stream
    }

    /// A server (kept until the directory is dropped), a client of it and a
    /// stream of [`RECORDS`] events.
    async fn served_stream() -> (tempfile::TempDir, String, Client, StreamId) {
        let dir = tempfile::tempdir().unwrap();
        let address = server(dir.path()).await;
        let client = client(&address).await;
        let stream = stream(&client).await;
        (dir, address, client, stream)
    }

    /// A read of `max_bytes` from `from` whose first part asks for `first_bytes`.
    async fn in_parts(
        client: &Client,
        stream_id: StreamId,
        from: u64,
        budgets: (u64, u64),
    ) -> crate::Result<crate::VerifiedRead> {
        client.read_in_parts(stream_id, Offset(from), budgets).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_parts_return_what_one_request_returns() {
        let (_dir, _address, client, stream) = served_stream().await;
        let total: u64 = (0..RECORDS).map(|index| event(index).len() as u64).sum();
        for from in [0, 7, 150, 299, 300] {
            for max_bytes in [1, 450, 4_000, 20_000, 60_000, total, 10 * total] {
                let firsts = [1, max_bytes / 2, max_bytes / 4 * 3, max_bytes - 1];
                let plain = client.read(stream, Offset(from), max_bytes).await.unwrap();
                for first in firsts.into_iter().filter(|first| *first > 0) {
                    let case = format!("from {from}, {first} of {max_bytes} bytes first");
                    let read = in_parts(&client, stream, from, (first, max_bytes))
                        .await
                        .unwrap();
                    let payloads: Vec<_> = read.events.iter().map(|e| &e.payload).collect();
                    let expected: Vec<_> = plain.events.iter().collect();
                    assert_eq!(payloads, expected, "{case}");
                    let offsets: Vec<_> = read.events.iter().map(|e| e.offset.0).collect();
                    let wanted: Vec<_> = (from..from + offsets.len() as u64).collect();
                    assert_eq!(offsets, wanted, "{case}");
                    assert_eq!(read.next_offset, plain.next_offset, "{case}");
                    assert_eq!(read.checkpoint.size, RECORDS as u64, "{case}");
                }
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_first_part_the_server_cut_short_is_the_whole_answer() {
        // The server answers at most 10 000 bytes (the last record may cross
        // it), as it would one request for the whole budget: no second part.
        let dir = tempfile::tempdir().unwrap();
        let address = server_reading_at_most(dir.path(), Some(10_000)).await;
        let client = client(&address).await;
        let stream = stream(&client).await;
        let plain = client.read(stream, Offset(3), 40_000).await.unwrap();
        let bytes: usize = plain.events.iter().map(Vec::len).sum();
        assert!((10_000..10_500).contains(&bytes), "{bytes}");
        let read = in_parts(&client, stream, 3, (30_000, 40_000))
            .await
            .unwrap();
        let payloads: Vec<_> = read.events.into_iter().map(|e| e.payload).collect();
        assert_eq!(payloads, plain.events);
        assert_eq!(read.next_offset, plain.next_offset);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_big_read_verified_returns_what_a_plain_read_returns() {
        let dir = tempfile::tempdir().unwrap();
        let address = server(dir.path()).await;
        let client = client(&address).await;
        let stream = client
            .create_stream("big", DataClass::Public, Placement::Global)
            .await
            .unwrap();
        // 1,200 events of 1 KiB: a 1 MiB read stops inside the stream, so a
        // split read needs its second part.
        for batch in 0..3u64 {
            let events: Vec<_> = (0..400)
                .map(|i| vec![(batch * 400 + i) as u8; 1024])
                .collect();
            client
                .append(stream, events, Offset(batch * 400))
                .await
                .unwrap();
        }
        for from in [0, 5, 1_000] {
            let read = client
                .read_verified(stream, Offset(from), 1 << 20)
                .await
                .unwrap();
            let plain = client.read(stream, Offset(from), 1 << 20).await.unwrap();
            let payloads: Vec<_> = read.events.into_iter().map(|e| e.payload).collect();
            assert_eq!(payloads, plain.events, "from {from}");
            assert_eq!(read.next_offset, plain.next_offset, "from {from}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tampered_part_fails_the_read_with_its_own_failure() {
        let (_dir, address, _honest, stream) = served_stream().await;
        for mode in [
            Mode::FlipPayloadByte,
            Mode::DropEvent,
            Mode::ReorderEvents,
            Mode::DuplicateEvent,
            Mode::TruncateProof,
            Mode::ForeignKey,
            Mode::AlterCheckpoint,
        ] {
            let proxy = TamperProxy::start(ProxyConfig::new(address.as_str(), mode))
                .await
                .unwrap();
            let liar = client(&proxy.address().to_string()).await;
            // From offset 1 so a range proof has hashes to lose; both parts
            // are lied about, the first is refused.
            let error = in_parts(&liar, stream, 1, (5_000, 20_000))
                .await
                .expect_err(mode.name());
            let failure = error.verification_failure().map(|f| f.as_str());
            assert_eq!(failure, mode.expected_failure(), "{mode}: {error}");
        }
    }
}
