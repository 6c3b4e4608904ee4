//! The security checks of one authenticated node run as a real process:
//! tenant isolation gaps the client tests leave (SQL over the real SQL engine,
//! the system tenant), revocation through `kimberlite key revoke` for an open
//! session and for new connections, then (after a stop) the log at trace level, the
//! plaintext scan and the permissions.

use std::path::Path;
use std::time::Duration;

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, DataClass, Offset, Placement, StreamId, TenantId};

use crate::process::{self, ServerProcess};
use crate::security::{files_holding, log_check, permission_checks, Check, MARKER};

const TENANT_A: TenantId = TenantId(21);
const TENANT_B: TenantId = TenantId(22);

/// The secrets of a run, to be searched for in logs.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    /// The admin token.
    pub admin_token: String,
    /// Tenant A's API key.
    pub key_a: String,
    /// Tenant B's API key.
    pub key_b: String,
}

fn connect(address: &str, tenant: TenantId, token: &str) -> kimberlite::Result<Client> {
    let options = ConnectOptions::new(tenant)
        .auth_token(token)
        .reconnect_attempts(1)
        .connect_timeout(Duration::from_secs(5));
    Client::connect(address, options)
}

fn fail(what: &str) -> impl Fn(kimberlite::Error) -> String + '_ {
    move |error| format!("{what}: {error}")
}

/// Runs every check of an authenticated node (logging at debug level).
///
/// # Errors
/// A message when the node cannot be set up (not a finding).
pub fn tenant_checks(binary: &Path) -> Result<Vec<Check>, String> {
    let temp = tempfile::tempdir().map_err(|error| error.to_string())?;
    let dir = temp.path().join("data");
    let admin_token = process::init(binary, &dir, false)?;
    let mut server = ServerProcess::spawn(binary, &dir, &["--log-level", "trace"], "trace")?;
    let address = server.wait_listening(Duration::from_secs(60))?;
    let admin = connect(&address, TenantId(1), &admin_token).map_err(fail("admin"))?;
    let mut secrets = Secrets {
        admin_token: admin_token.clone(),
        ..Secrets::default()
    };
    let mut key_id_a = String::new();
    for tenant in [TENANT_A, TENANT_B] {
        admin
            .create_tenant(tenant, &format!("tenant-{}", tenant.0))
            .map_err(fail("create tenant"))?;
        let key = admin
            .create_api_key(tenant, "app")
            .map_err(fail("create key"))?;
        if tenant == TENANT_A {
            key_id_a = key.key_id;
            secrets.key_a = key.secret;
        } else {
            secrets.key_b = key.secret;
        }
    }
    let b = connect(&address, TENANT_B, &secrets.key_b).map_err(fail("B"))?;
    let b_offset = write_secrets_of_b(&b)?;
    let a = connect(&address, TENANT_A, &secrets.key_a).map_err(fail("A"))?;
    let mut checks = sql_isolation(&a, b_offset);
    checks.push(system_tenant(&address, &secrets.key_a));
    checks.push(revocation(
        binary,
        &address,
        &admin_token,
        &key_id_a,
        &a,
        &secrets.key_a,
    ));
    drop((a, b, admin));
    let (_, output) = server.terminate()?;
    checks.push(log_check(&output, &secrets));
    let holding = files_holding(&dir, MARKER.as_bytes());
    let outside_sql: Vec<&String> = holding.iter().filter(|f| !f.starts_with("sql")).collect();
    checks.push(Check::new(
        "no plaintext payload in the log, indexes, snapshot or keys",
        outside_sql.is_empty(),
        format!("files holding the marker outside sql/: {outside_sql:?}"),
    ));
    checks.push(Check::new(
        "SQL view caches (sql/) hold plaintext (by design, documented)",
        true,
        format!("files holding the marker: {holding:?}"),
    ));
    checks.extend(permission_checks(&dir));
    Ok(checks)
}

/// Tenant B's stream events and SQL rows, all carrying the marker; returns
/// the SQL log offset of B's INSERT.
fn write_secrets_of_b(b: &Client) -> Result<Offset, String> {
    for class in [DataClass::PHI, DataClass::Public] {
        let stream: StreamId = b
            .create_stream(&format!("secrets-{class:?}"), class, Placement::Global)
            .map_err(fail("B stream"))?;
        let event = format!("{MARKER} in a {class:?} stream").into_bytes();
        b.append(stream, vec![event], Offset(0))
            .map_err(fail("B append"))?;
    }
    b.execute(
        "CREATE TABLE b_secrets (id BIGINT PRIMARY KEY, note TEXT)",
        &[],
    )
    .map_err(fail("B create table"))?;
    let insert = format!("INSERT INTO b_secrets VALUES (1, '{MARKER}')");
    let done = b.execute(&insert, &[]).map_err(fail("B insert"))?;
    b.sync().map_err(fail("B sync"))?;
    Ok(done.log_offset)
}

/// What tenant A (with its own key) gets when it names tenant B's table.
fn sql_isolation(a: &Client, b_offset: Offset) -> Vec<Check> {
    let answers = [
        ("SELECT", a.query("SELECT * FROM b_secrets", &[])),
        (
            "SELECT AT OFFSET",
            a.query_at("SELECT * FROM b_secrets", &[], b_offset),
        ),
        ("HISTORY OF", a.query("HISTORY OF b_secrets", &[])),
        ("SHOW TABLES", a.query("SHOW TABLES", &[])),
        ("audit view", a.query("SELECT * FROM kimberlite_audit", &[])),
    ];
    let mut checks = Vec::new();
    for (what, answer) in answers {
        // A query naming B's table must fail or find nothing; a listing must
        // not list it; nothing may carry B's marker.
        let (text, passed) = match &answer {
            Ok(result) => {
                let text = format!("{result:?}");
                let names_b = result
                    .rows
                    .iter()
                    .any(|row| format!("{row:?}").contains("b_secrets"));
                let listing = matches!(what, "SHOW TABLES" | "audit view");
                let passed = !names_b && (listing || result.rows.is_empty());
                (text, passed)
            }
            Err(error) => (format!("error: {error}"), true),
        };
        checks.push(Check::new(
            format!("tenant A's {what} naming B's table shows none of B's data"),
            passed && !text.contains(MARKER),
            text.chars().take(160).collect::<String>(),
        ));
    }
    let written = a.execute("INSERT INTO b_secrets VALUES (2, 'intrusion')", &[]);
    checks.push(Check::new(
        "tenant A cannot INSERT into B's table",
        written.is_err(),
        format!("{written:?}"),
    ));
    checks
}

/// A tenant key naming the system tenant (0, the catalog) is refused.
fn system_tenant(address: &str, key_a: &str) -> Check {
    let answer = connect(address, TenantId(0), key_a).and_then(|client| {
        client
            .read(StreamId(0), Offset(0), 1 << 20)
            .map(|read| read.events.len())
    });
    Check::new(
        "a tenant key cannot read the system tenant's catalog stream",
        answer.is_err(),
        format!("{answer:?}"),
    )
}

/// `kimberlite key revoke` stops an open session and new connections.
fn revocation(
    binary: &Path,
    address: &str,
    admin_token: &str,
    key_id: &str,
    open: &Client,
    key: &str,
) -> Check {
    let revoked = process::run(
        binary,
        &[
            "key",
            "revoke",
            key_id,
            "--address",
            address,
            "--token",
            admin_token,
        ],
    );
    let cli = revoked
        .as_ref()
        .map_or_else(Clone::clone, process::output_text);
    let cli_ok = revoked.is_ok_and(|output| output.status.success());
    let session = open.query("SELECT 1", &[]);
    let fresh = connect(address, TENANT_A, key).map(|_| ());
    Check::new(
        "a key revoked with `kimberlite key revoke` fails on an open session and on new \
         connections",
        cli_ok && session.is_err() && fresh.is_err(),
        format!(
            "revoke: {}; open session: {}; new connection: {}",
            cli.trim(),
            session.map_or_else(|error| error.to_string(), |_| "SERVED".into()),
            fresh.map_or_else(|error| error.to_string(), |()| "ACCEPTED".into())
        ),
    )
}
