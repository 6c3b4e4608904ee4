//! Opening the byte stream to a server: TCP, optionally wrapped in TLS (rustls, `ring`).

use std::sync::Arc;

use rustls::crypto::ring::default_provider;
use rustls::RootCertStore;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::error::{Error, ErrorCode, Result};
use crate::options::TlsOptions;

/// A connected byte stream, TCP or TLS.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// Connects to `address` (`host:port`), with TLS when `tls` is given.
pub(crate) async fn open(address: &str, tls: Option<&TlsOptions>) -> Result<Box<dyn Io>> {
    let tcp = TcpStream::connect(address).await.map_err(|error| {
        Error::connection(format!("cannot connect to {address}")).with_source(error)
    })?;
    // Requests are small and latency-bound; do not let Nagle hold them back.
    let _ = tcp.set_nodelay(true);
    let Some(tls) = tls else {
        return Ok(Box::new(tcp));
    };
    let connector = tls_connector(tls)?;
    let name = tls
        .server_name
        .clone()
        .unwrap_or_else(|| host_of(address).to_owned());
    let server_name = ServerName::try_from(name.clone()).map_err(|error| {
        Error::invalid_argument(format!("invalid TLS server name {name:?}")).with_source(error)
    })?;
    let stream = connector.connect(server_name, tcp).await.map_err(|error| {
        Error::connection(format!("TLS with {address} failed")).with_source(error)
    })?;
    Ok(Box::new(stream))
}

fn tls_connector(tls: &TlsOptions) -> Result<TlsConnector> {
    let mut roots = RootCertStore::empty();
    for certificate in &tls.root_certificates {
        roots.add(certificate.clone()).map_err(|error| {
            Error::invalid_argument("a TLS root certificate was refused").with_source(error)
        })?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|error| Error::new(ErrorCode::Connection, "TLS setup").with_source(error))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The host part of `host:port` or `[v6]:port`.
fn host_of(address: &str) -> &str {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}
