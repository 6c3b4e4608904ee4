//! TLS with rustls and its `ring` provider, from a PEM certificate and key.

use std::sync::Arc;

use rustls::crypto::ring::default_provider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsConfig;
use crate::error::ServerError;

/// Builds the acceptor for `config`: TLS 1.2 and 1.3 with rustls' safe
/// defaults, no client certificates.
///
/// # Errors
/// A [`ServerError`] naming the unreadable file, the malformed PEM or the
/// refused key.
pub fn tls_acceptor(config: &TlsConfig) -> Result<TlsAcceptor, ServerError> {
    let (cert_pem, key_pem) = match config {
        TlsConfig::Files {
            cert_path,
            key_path,
        } => (read(cert_path)?, read(key_path)?),
        TlsConfig::Pem { cert_pem, key_pem } => (cert_pem.clone(), key_pem.clone()),
    };
    let certificates = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| ServerError::TlsBadCertificate(error.to_string()))?;
    if certificates.is_empty() {
        return Err(ServerError::TlsNoCertificate);
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|error| ServerError::TlsBadKey(error.to_string()))?;
    let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certificates, key)?;
    Ok(TlsAcceptor::from(Arc::new(server_config)))
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, ServerError> {
    std::fs::read(path).map_err(|source| ServerError::TlsRead {
        path: path.to_owned(),
        source,
    })
}
