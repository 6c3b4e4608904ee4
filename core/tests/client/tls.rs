//! TLS: a client that trusts the server's certificate works over it; one that does
//! not trust it fails to connect with a `Connection` error.

use kimberlite::{
    Client, ConnectOptions, DataClass, ErrorCode, Offset, Placement, TenantId, TlsOptions,
};

use crate::harness::TestServer;

#[tokio::test]
async fn calls_over_tls_with_a_trusted_certificate() {
    let (server, certificate) = TestServer::start_tls().await;
    let tls = TlsOptions {
        root_certificates: vec![certificate],
        server_name: Some("localhost".to_owned()),
    };
    let options = ConnectOptions::new(TenantId(1)).tls(tls);
    let client = Client::connect(server.address.as_str(), options)
        .await
        .unwrap();
    let stream = client
        .create_stream("s", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    client
        .append(stream, vec![b"secret".to_vec()], Offset(0))
        .await
        .unwrap();
    let read = client.read_verified(stream, Offset(0), 100).await.unwrap();
    assert_eq!(read.events[0].payload, b"secret".to_vec());
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_connection_error() {
    let (server, _) = TestServer::start_tls().await;
    let tls = TlsOptions {
        root_certificates: vec![],
        server_name: Some("localhost".to_owned()),
    };
    let options = ConnectOptions::new(TenantId(1)).tls(tls);
    let error = Client::connect(server.address.as_str(), options)
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Connection, "{error}");
    // Plain TCP against the TLS port fails too.
    let options =
        ConnectOptions::new(TenantId(1)).connect_timeout(std::time::Duration::from_secs(2));
    let error = Client::connect(server.address.as_str(), options)
        .await
        .unwrap_err();
    // The TLS server answers with a TLS alert, which is not a frame.
    assert_eq!(error.code(), ErrorCode::Protocol, "{error}");
}
