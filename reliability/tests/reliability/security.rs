//! The security checks against the real binary: isolation gaps of the client
//! tests, revocation through the CLI, TLS, logs, plaintext and permissions.

use kimberlite_reliability::binary;
use kimberlite_reliability::security::{tenant_checks, tls_checks};

#[test]
fn an_authenticated_node_keeps_tenants_secrets_and_files_apart() {
    let checks = tenant_checks(&binary::locate().unwrap()).unwrap();
    assert!(checks.len() >= 12, "{checks:?}");
    for check in checks {
        assert!(check.passed, "{}: {}", check.name, check.detail);
    }
}

#[test]
fn tls_serves_trusting_clients_and_refuses_the_others_cleanly() {
    let checks = tls_checks(&binary::locate().unwrap()).unwrap();
    for check in checks {
        assert!(check.passed, "{}: {}", check.name, check.detail);
    }
}
