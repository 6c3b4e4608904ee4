//! TLS over the real binary: a node configured with a certificate serves a
//! client that trusts it, and fails cleanly (an error, no hang, the server
//! still up) a plain-TCP client and a client trusting another authority.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, TenantId, TlsOptions};

use crate::process::{self, ServerProcess};
use crate::security::Check;

/// The bound on connecting, so a refused connection fails instead of hanging
/// (the time it took is reported, not judged).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn certificate() -> Result<rcgen::CertifiedKey, String> {
    rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .map_err(|error| format!("certificate: {error}"))
}

fn options(tls: Option<&rcgen::CertifiedKey>) -> ConnectOptions {
    let options = ConnectOptions::new(TenantId(1))
        .reconnect_attempts(1)
        .connect_timeout(CONNECT_TIMEOUT);
    match tls {
        Some(trusted) => options.tls(TlsOptions {
            root_certificates: vec![trusted.cert.der().clone()],
            server_name: Some("localhost".to_owned()),
        }),
        None => options,
    }
}

/// Runs the TLS checks on a fresh development node with TLS on.
///
/// # Errors
/// A message when the node cannot be set up (not a finding).
pub fn tls_checks(binary: &Path) -> Result<Vec<Check>, String> {
    let temp = tempfile::tempdir().map_err(|error| error.to_string())?;
    let dir = temp.path().join("data");
    process::init(binary, &dir, true)?;
    let served = certificate()?;
    let other = certificate()?;
    let tls_dir = dir.join("tls");
    fs::create_dir_all(&tls_dir).map_err(|error| error.to_string())?;
    fs::write(tls_dir.join("cert.pem"), served.cert.pem()).map_err(|error| error.to_string())?;
    fs::write(tls_dir.join("key.pem"), served.key_pair.serialize_pem())
        .map_err(|error| error.to_string())?;
    let config_path = dir.join("kimberlite.toml");
    let config = fs::read_to_string(&config_path).map_err(|error| error.to_string())?;
    let config = config
        .replace("# [tls]", "[tls]")
        .replace("# cert = ", "cert = ")
        .replace("# key = ", "key = ");
    fs::write(&config_path, config).map_err(|error| error.to_string())?;
    let mut server = ServerProcess::spawn(binary, &dir, &[], "info")?;
    let address = server.wait_listening(Duration::from_secs(60))?;
    let attempt = |tls: Option<&rcgen::CertifiedKey>| {
        let started = Instant::now();
        let answer = Client::connect(address.as_str(), options(tls))
            .and_then(|client| client.server_info().map(|_| ()));
        (answer, started.elapsed())
    };
    let (plain, plain_took) = attempt(None);
    let (wrong, wrong_took) = attempt(Some(&other));
    let (trusted, _) = attempt(Some(&served));
    let (_, output) = server.terminate()?;
    let describe = |answer: &kimberlite::Result<()>, took: Duration| match answer {
        Ok(()) => "SERVED".to_owned(),
        Err(error) => format!("{error} (after {} ms)", took.as_millis()),
    };
    Ok(vec![
        Check::new(
            "a client trusting the node's certificate is served over TLS",
            trusted.is_ok(),
            format!("{trusted:?}"),
        ),
        Check::new(
            "a plain-TCP client against the TLS node fails cleanly",
            plain.is_err(),
            describe(&plain, plain_took),
        ),
        Check::new(
            "a client trusting another authority fails cleanly",
            wrong.is_err(),
            describe(&wrong, wrong_took),
        ),
        Check::new(
            "the TLS node logged no panic",
            !output.contains("panicked"),
            format!("{} lines of log", output.lines().count()),
        ),
    ])
}
