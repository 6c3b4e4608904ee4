//! TLS with a self-signed rcgen certificate.

use std::sync::Arc;

use kimberlite_protocol::ResponsePayload;
use kimberlite_server::{Server, ServerError, TlsConfig};
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::harness::{append, dev_config, new_stream, start, Client};
use crate::memory::MemoryBackend;

fn connector(cert_der: rustls::pki_types::CertificateDer<'static>) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert_der).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_work_over_tls() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let mut config = dev_config();
    config.tls = Some(TlsConfig::Pem {
        cert_pem: certified.cert.pem().into_bytes(),
        key_pem: certified.key_pair.serialize_pem().into_bytes(),
    });
    let server = start(MemoryBackend::with_tenant(1), config).await;
    let tcp = TcpStream::connect(server.address).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let tls = connector(certified.cert.der().clone())
        .connect(name, tcp)
        .await
        .unwrap();
    let mut client = Client::new(tls);
    assert!(matches!(
        client.handshake(None).await,
        ResponsePayload::Handshake(_)
    ));
    let stream = new_stream(&mut client, "secure").await;
    let answer = client.call(append(stream, &[b"over tls"], 0)).await;
    assert!(
        matches!(answer, ResponsePayload::AppendEvents(_)),
        "{answer:?}"
    );
    assert_eq!(server.backend.events(1, stream), vec![b"over tls".to_vec()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_files_are_read_and_bad_pem_is_refused() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let cert_path = directory.path().join("cert.pem");
    let key_path = directory.path().join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.key_pair.serialize_pem()).unwrap();
    let mut config = dev_config();
    config.tls = Some(TlsConfig::Files {
        cert_path: cert_path.clone(),
        key_path,
    });
    let backend = Arc::new(MemoryBackend::default());
    assert!(Server::bind(config.clone(), backend.clone()).await.is_ok());

    config.tls = Some(TlsConfig::Pem {
        cert_pem: b"nothing here".to_vec(),
        key_pem: Vec::new(),
    });
    let refused = Server::bind(config.clone(), backend.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ServerError::TlsNoCertificate),
        "{refused}"
    );

    let missing = directory.path().join("missing.pem");
    config.tls = Some(TlsConfig::Files {
        cert_path: missing,
        key_path: cert_path,
    });
    let refused = Server::bind(config, backend).await.unwrap_err();
    assert!(matches!(refused, ServerError::TlsRead { .. }), "{refused}");
}
