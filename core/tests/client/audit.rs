//! Audit metadata end to end: a client's default audit metadata and a
//! `with_audit` handle reach the real server's SQL engine, whose audit view
//! shows who made each change, why, and under which correlation id.

use kimberlite::{Audit, Client, ConnectOptions, TenantId, Value};

use crate::real_server::{RealServer, Setup};

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |text| Value::Text(text.to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_view_shows_the_actor_reason_and_correlation_id_each_client_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = RealServer::start(dir.path(), Setup::default()).await;
    let address = server.address.clone();

    let options = ConnectOptions::new(TenantId(1)).audit_actor("svc.intake");
    let client = Client::connect(address.clone(), options).await.unwrap();
    client
        .execute(
            "CREATE TABLE visits (id BIGINT PRIMARY KEY, note TEXT)",
            &[],
        )
        .await
        .unwrap();
    let doctor = client.with_audit(Audit {
        actor: Some("dr.ada".to_owned()),
        reason: Some("treatment".to_owned()),
        correlation_id: Some("visit-42".to_owned()),
        idempotency_key: None,
    });
    assert_eq!(
        doctor.audit().and_then(|a| a.actor.as_deref()),
        Some("dr.ada")
    );
    doctor
        .execute("INSERT INTO visits VALUES (1, 'seen')", &[])
        .await
        .unwrap();
    // The default handle keeps its own metadata; one without any sends none.
    client
        .execute("UPDATE visits SET note = 'billed' WHERE id = 1", &[])
        .await
        .unwrap();
    let anonymous = Client::connect(address, ConnectOptions::new(TenantId(1)))
        .await
        .unwrap();
    anonymous
        .execute("ALTER TABLE visits SET RETENTION 30 DAYS", &[])
        .await
        .unwrap();

    let audit = client
        .query(
            "SELECT actor, reason, correlation_id, statement FROM kimberlite_audit \
             ORDER BY position",
            &[],
        )
        .await
        .unwrap();
    let expected = [
        (Some("svc.intake"), None, None, "CREATE TABLE"),
        (
            Some("dr.ada"),
            Some("treatment"),
            Some("visit-42"),
            "INSERT",
        ),
        (Some("svc.intake"), None, None, "UPDATE"),
        (None, None, None, "ALTER TABLE SET RETENTION"),
    ];
    let expected: Vec<Vec<Value>> = expected
        .iter()
        .map(|(actor, reason, correlation, statement)| {
            vec![
                text(*actor),
                text(*reason),
                text(*correlation),
                text(Some(statement)),
            ]
        })
        .collect();
    assert_eq!(audit.rows, expected);
    let history = client.query("HISTORY OF visits", &[]).await.unwrap();
    let actors: Vec<&Value> = history.rows.iter().map(|row| &row[3]).collect();
    assert_eq!(actors, [&text(Some("dr.ada")), &text(Some("svc.intake"))]);

    drop((client, doctor, anonymous));
    server.stop().await;
}
