//! The Prometheus endpoint.

use kimberlite_protocol::{ErrorCode, RequestPayload};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::{dev_config, error_of, start, stream_info};
use crate::memory::MemoryBackend;

async fn get(address: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).await.unwrap();
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_in_prometheus_format() {
    let mut config = dev_config();
    config.metrics_address = Some("127.0.0.1:0".parse().unwrap());
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let address = server.metrics_address.unwrap();
    let mut client = server.ready_client().await;
    client.call(RequestPayload::Sync).await;
    assert_eq!(
        error_of(&client.call(stream_info(7)).await).0,
        ErrorCode::StreamNotFound
    );
    let page = get(address, "/metrics").await;
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("text/plain; version=0.0.4"));
    assert!(
        page.contains("kimberlite_requests_total{kind=\"Handshake\"} 1\n"),
        "{page}"
    );
    assert!(page.contains("kimberlite_requests_total{kind=\"Sync\"} 1\n"));
    assert!(page.contains("kimberlite_errors_total{code=\"StreamNotFound\"} 1\n"));
    assert!(page.contains("kimberlite_connections_open 1\n"));
    // The memory backend keeps no durable log, so no storage counters.
    assert!(!page.contains("kimberlite_storage_"), "{page}");
    assert!(get(address, "/other").await.starts_with("HTTP/1.1 404"));
}
