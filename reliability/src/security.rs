//! Security checks over the real `kimberlite` binary with authentication on:
//! tenant isolation where the client tests leave gaps (SQL over a real SQL
//! engine, the system tenant), revocation through `kimberlite key revoke`, TLS,
//! secrets in the logs, plaintext in data files, and file permissions.
//! Each check is a [`Check`]; findings that are by design are marked so.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub use crate::security_tenants::{tenant_checks, Secrets};
pub use crate::security_tls::tls_checks;

/// A marker put in every payload and SQL value, searched for in files and logs.
pub const MARKER: &str = "PLAINTEXT-MARKER-4e1c7b-PATIENT-NAME";

/// One check and its outcome.
#[derive(Clone, Debug)]
pub struct Check {
    /// What was tried.
    pub name: String,
    /// Whether the rule held.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

impl Check {
    /// A check named `name` that passed when `passed`.
    #[must_use]
    pub fn new(name: impl Into<String>, passed: bool, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            passed,
            detail: detail.into(),
        }
    }
}

/// Every file under `dir`.
#[must_use]
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The data directory's files that hold `marker` in plain text, relative.
#[must_use]
pub fn files_holding(dir: &Path, marker: &[u8]) -> Vec<String> {
    files_under(dir)
        .into_iter()
        .filter(|file| {
            fs::read(file).is_ok_and(|bytes| bytes.windows(marker.len()).any(|w| w == marker))
        })
        .map(|file| relative(dir, &file))
        .collect()
}

fn relative(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir).unwrap_or(file).display().to_string()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).map_or(0, |meta| meta.permissions().mode() & 0o777)
}

/// Key files 0600 (owner only), `keys/` and the data directory closed to
/// others, and no file of the directory readable by others.
#[must_use]
pub fn permission_checks(dir: &Path) -> Vec<Check> {
    let keys = dir.join("keys");
    let key_files: Vec<String> = files_under(&keys)
        .iter()
        .map(|file| format!("{} {:o}", relative(dir, file), mode(file)))
        .collect();
    let keys_ok = files_under(&keys).iter().all(|file| mode(file) == 0o600);
    let open_to_others: Vec<String> = files_under(dir)
        .iter()
        .filter(|file| mode(file) & 0o007 != 0)
        .map(|file| format!("{} {:o}", relative(dir, file), mode(file)))
        .collect();
    vec![
        Check::new(
            "key files are 0600",
            keys_ok && !key_files.is_empty(),
            key_files.join(", "),
        ),
        Check::new(
            "keys/ and the data directory are closed to group and others",
            mode(&keys) & 0o077 == 0 && mode(dir) & 0o077 == 0,
            format!("keys/ {:o}, data dir {:o}", mode(&keys), mode(dir)),
        ),
        // With the directory closed (0700) no file in it is reachable by
        // others whatever its own mode; files open to others are listed.
        Check::new(
            "no file of the data directory is reachable by others",
            open_to_others.is_empty() || mode(dir) & 0o077 == 0,
            if open_to_others.is_empty() {
                "no file is open to others".to_owned()
            } else {
                format!(
                    "the directory is closed, but these files are open to others: {}",
                    open_to_others.join(", ")
                )
            },
        ),
    ]
}

/// The server's output (at debug level) holds no secret and no payload.
#[must_use]
pub fn log_check(output: &str, secrets: &Secrets) -> Check {
    let mut leaked = Vec::new();
    for (what, secret) in [
        ("admin token", secrets.admin_token.as_str()),
        ("API key of tenant A", secrets.key_a.as_str()),
        ("API key of tenant B", secrets.key_b.as_str()),
        ("payload marker", MARKER),
    ] {
        if !secret.is_empty() && output.contains(secret) {
            leaked.push(what);
        }
    }
    Check::new(
        "no secret or payload in the server's log at trace level",
        leaked.is_empty(),
        format!(
            "{} lines of log searched; leaked: {}",
            output.lines().count(),
            if leaked.is_empty() {
                "nothing".to_owned()
            } else {
                leaked.join(", ")
            }
        ),
    )
}

/// Prints the checks as a table and returns how many failed.
#[must_use]
pub fn print_checks(checks: &[Check]) -> usize {
    println!("| check | held | found |");
    println!("|---|---|---|");
    for check in checks {
        println!("| {} | {} | {} |", check.name, check.passed, check.detail);
    }
    checks.iter().filter(|check| !check.passed).count()
}
