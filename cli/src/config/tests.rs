//! Unit tests of the configuration file.

use std::path::Path;
use std::time::Duration;

use kimberlite_server::{AuthMode, Limits, TlsConfig};

use super::{render_new, NodeConfig};

#[test]
fn a_new_file_parses_back_to_its_settings_and_the_default_limits() {
    let text = render_new("node-a", "127.0.0.1:4000".parse().unwrap(), true);
    let config: NodeConfig = toml::from_str(&text).unwrap();
    assert_eq!(config.node.name, "node-a");
    assert!(config.node.development);
    assert_eq!(config.server.address.port(), 4000);
    assert_eq!(config.server.metrics_address, None);
    assert_eq!(config.tls, None);
    assert_eq!(config.limits.to_limits(), Limits::default());
    let server = config.server_config(Path::new("/d"), None);
    assert!(matches!(server.auth, AuthMode::Development));
}

#[test]
fn limits_tls_and_auth_come_from_the_file() {
    let text = "[node]\nname = \"n\"\n[server]\naddress = \"127.0.0.1:1\"\n\
                metrics_address = \"127.0.0.1:2\"\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n\
                [limits]\nmax_connections = 7\nshutdown_grace_secs = 3\n";
    let config: NodeConfig = toml::from_str(text).unwrap();
    let limits = config.limits.to_limits();
    assert_eq!(limits.max_connections, 7);
    assert_eq!(limits.shutdown_grace, Duration::from_secs(3));
    assert_eq!(
        limits.max_append_events,
        Limits::default().max_append_events
    );
    let server = config.server_config(Path::new("/d"), None);
    assert!(matches!(
        server.auth,
        AuthMode::Required { admin_token: None }
    ));
    assert_eq!(
        server.metrics_address.map(|address| address.port()),
        Some(2)
    );
    assert_eq!(
        server.tls,
        Some(TlsConfig::Files {
            cert_path: "/d/c.pem".into(),
            key_path: "/d/k.pem".into(),
        })
    );
}

#[test]
fn a_misspelt_key_is_an_error() {
    let text = "[node]\nname = \"n\"\n[server]\naddress = \"127.0.0.1:1\"\nadress = \"x\"\n";
    let error = toml::from_str::<NodeConfig>(text).unwrap_err();
    assert!(error.to_string().contains("adress"), "{error}");
}
