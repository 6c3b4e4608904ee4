//! `kimberlite init`, `--help` and `--version`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::harness::{init, run, scratch, text};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_makes_config_keys_and_an_admin_token_readable_only_by_the_owner() {
    let (_temp, data) = scratch();
    let token = init(&data, false);
    assert!(
        token.starts_with("kmb-admin-") && token.len() > 40,
        "{token}"
    );
    for key in ["master.key", "signing.key", "admin.token"] {
        assert_eq!(mode(&data.join("keys").join(key)), 0o600, "{key}");
    }
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("keys")), 0o700);
    let stored = std::fs::read_to_string(data.join("keys/admin.token")).unwrap();
    assert_eq!(stored.trim(), token);
    let config = std::fs::read_to_string(data.join("kimberlite.toml")).unwrap();
    assert!(config.contains("development = false"), "{config}");
    assert!(config.contains("address = \"127.0.0.1:3000\""), "{config}");
}

#[test]
fn init_with_development_says_so_in_the_config() {
    let (_temp, data) = scratch();
    init(&data, true);
    let config = std::fs::read_to_string(data.join("kimberlite.toml")).unwrap();
    assert!(config.contains("development = true"), "{config}");
}

#[test]
fn init_refuses_a_directory_that_holds_anything_and_changes_nothing() {
    let (_temp, data) = scratch();
    init(&data, false);
    let master = std::fs::read(data.join("keys/master.key")).unwrap();
    let output = run(&["init", data.to_str().unwrap()]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(std::fs::read(data.join("keys/master.key")).unwrap(), master);

    let (_other_temp, other) = scratch();
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), b"mine").unwrap();
    let output = run(&["init", other.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(!other.join("keys").exists());
    assert_eq!(std::fs::read(other.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn every_command_has_help_and_the_binary_a_version() {
    let output = run(&["--version"]);
    assert!(output.status.success());
    assert_eq!(
        text(&output).0.trim(),
        format!("kimberlite {}", env!("CARGO_PKG_VERSION"))
    );
    for command in [
        &["--help"][..],
        &["init", "--help"],
        &["start", "--help"],
        &["dev", "--help"],
        &["repl", "--help"],
        &["verify", "--help"],
        &["tenant", "create", "--help"],
        &["tenant", "list", "--help"],
        &["key", "create", "--help"],
        &["key", "revoke", "--help"],
        &["key", "list", "--help"],
    ] {
        let output = run(command);
        assert!(output.status.success(), "{command:?}");
        assert!(text(&output).0.contains("Usage:"), "{command:?}");
    }
}
