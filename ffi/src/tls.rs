//! TLS settings of a connection: trusted root certificates (PEM, from memory or a
//! file) and the name checked against the server's certificate.

use std::ffi::c_char;

use kimberlite::TlsOptions;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::kmb_error;
use crate::guard::{bytes, invalid, run, text, Failure};
use crate::options::kmb_options;
use crate::status::kmb_status;

fn with_tls(
    options: *mut kmb_options,
    error: *mut *mut kmb_error,
    change: impl FnOnce(&mut TlsOptions) -> Result<(), Failure>,
) -> kmb_status {
    run(error, || {
        // SAFETY: NULL or a live handle not used by another thread during the call.
        let options = unsafe { options.as_mut() }.ok_or(Failure::Null("options"))?;
        let mut tls = options.inner.tls.clone().unwrap_or_default();
        change(&mut tls)?;
        options.inner.tls = Some(tls);
        Ok(())
    })
}

/// Every `CERTIFICATE` block of `pem`; at least one is required.
fn certificates(pem: &[u8], source: &str) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let mut found = Vec::new();
    for certificate in CertificateDer::pem_slice_iter(pem) {
        found.push(certificate.map_err(|error| invalid(format!("{source}: bad PEM: {error}")))?);
    }
    if found.is_empty() {
        return Err(invalid(format!("{source}: no PEM CERTIFICATE block")));
    }
    Ok(found)
}

/// Turns TLS on and trusts the certificates of `pem` (`len` bytes of PEM text, one
/// or more `CERTIFICATE` blocks) as roots, added to any trusted before. Fails with
/// `InvalidArgument` when no certificate can be read. Without a root, no server
/// certificate is accepted.
#[no_mangle]
pub unsafe extern "C" fn kmb_options_add_tls_root_certificates_pem(
    options: *mut kmb_options,
    pem: *const u8,
    len: usize,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_tls(options, error, |tls| {
        let pem = bytes(pem, len, "pem")?;
        tls.root_certificates
            .extend(certificates(pem, "root certificates")?);
        Ok(())
    })
}

/// Like `kmb_options_add_tls_root_certificates_pem`, reading the PEM file at `path`
/// now (a missing or unreadable file fails with `InvalidArgument`).
#[no_mangle]
pub unsafe extern "C" fn kmb_options_add_tls_root_certificates_file(
    options: *mut kmb_options,
    path: *const c_char,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_tls(options, error, |tls| {
        let path = text(path, "path")?;
        let pem = std::fs::read(path)
            .map_err(|error| invalid(format!("cannot read root certificates {path}: {error}")))?;
        tls.root_certificates.extend(certificates(&pem, path)?);
        Ok(())
    })
}

/// Turns TLS on and checks the server's certificate against `server_name` instead of
/// the host of the address given to `kmb_client_connect`.
#[no_mangle]
pub unsafe extern "C" fn kmb_options_set_tls_server_name(
    options: *mut kmb_options,
    server_name: *const c_char,
    error: *mut *mut kmb_error,
) -> kmb_status {
    with_tls(options, error, |tls| {
        tls.server_name = Some(text(server_name, "server_name")?.to_owned());
        Ok(())
    })
}
