//! Every method of both facades against the real server over the storage engine
//! (the async one in engine.rs and tamper.rs covers the rest): streams, reads,
//! verified reads, checkpoints and consistency proofs, subscriptions, SQL, tenant
//! and key administration, server information and sync.

use kimberlite::verify::check_consistency;
use kimberlite::{
    Audit, Client, ConnectOptions, DataClass, Offset, Placement, SubscribeOptions, TenantId, Value,
};

use crate::tamper::{real_server, ADMIN};

fn options(state: &std::path::Path) -> ConnectOptions {
    ConnectOptions::new(TenantId(1))
        .auth_token(ADMIN)
        .state_directory(state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_methods_the_other_tests_leave_out() {
    let (data, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (address, _stop) = real_server(data.path(), None).await;
    let client = Client::connect(address.as_str(), options(state.path()))
        .await
        .unwrap();
    let capabilities = client.server_capabilities().await.unwrap();
    assert!(capabilities
        .iter()
        .any(|name| name.starts_with("kmb.verify/")));
    let stream = client
        .create_stream("facade", DataClass::Public, Placement::Global)
        .await
        .unwrap();
    let events = vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()];
    client.append(stream, events, Offset(0)).await.unwrap();
    let small = client.checkpoint(stream).await.unwrap();
    client
        .append(stream, vec![b"d".to_vec()], Offset(3))
        .await
        .unwrap();
    let large = client.checkpoint(stream).await.unwrap();
    let proof = client.consistency_proof(stream, 3, 4).await.unwrap();
    check_consistency(Some(&small), &large, &proof).unwrap();
    assert!(check_consistency(Some(&small), &large, &[]).is_err());

    let options = SubscribeOptions {
        credits: 2,
        consumer_group: None,
    };
    let mut subscription = client
        .subscribe_with(stream, Offset(2), options)
        .await
        .unwrap();
    let first = subscription.next().await.unwrap().unwrap();
    assert_eq!((first.offset, first.payload), (Offset(2), b"c".to_vec()));
    subscription.cancel().await.unwrap();

    let key = client.create_api_key(TenantId(1), "reader").await.unwrap();
    let keys = client.list_api_keys(TenantId(1)).await.unwrap();
    assert!(keys
        .iter()
        .any(|info| info.key_id == key.key_id && !info.revoked));
    assert!(client.revoke_api_key(&key.key_id).await.unwrap());
    let keys = client.list_api_keys(TenantId(1)).await.unwrap();
    assert!(keys
        .iter()
        .any(|info| info.key_id == key.key_id && info.revoked));
}

#[test]
fn the_blocking_facade_against_the_real_server() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (data, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (address, _stop) = runtime.block_on(real_server(data.path(), None));
    let client = kimberlite::blocking::Client::connect(address, options(state.path())).unwrap();
    let audited = client.with_audit(Audit {
        actor: Some("nurse".to_owned()),
        ..Audit::default()
    });
    let stream = audited
        .create_stream("blocking", DataClass::Public, Placement::Global)
        .unwrap();
    let events = vec![b"x".to_vec(), b"y".to_vec()];
    assert_eq!(
        audited.append(stream, events, Offset(0)).unwrap(),
        Offset(0)
    );
    assert_eq!(client.stream_length(stream).unwrap(), 2);
    assert_eq!(
        client.read(stream, Offset(1), 100).unwrap().events,
        vec![b"y".to_vec()]
    );
    let verified = client.read_verified(stream, Offset(0), 100).unwrap();
    assert_eq!(verified.events.len(), 2);
    client
        .append(stream, vec![b"z".to_vec()], Offset(2))
        .unwrap();
    let checkpoint = client.checkpoint(stream).unwrap();
    assert_eq!(checkpoint.size, 3);
    let proof = client.consistency_proof(stream, 2, 3).unwrap();
    check_consistency(Some(&verified.checkpoint), &checkpoint, &proof).unwrap();
    let options = SubscribeOptions {
        credits: 1,
        consumer_group: None,
    };
    let mut subscription = client.subscribe(stream, Offset(0), options).unwrap();
    let first = subscription.next_event().unwrap().unwrap();
    assert_eq!(first.payload, b"x".to_vec());
    subscription.cancel().unwrap();

    client
        .execute(
            "CREATE TABLE IF NOT EXISTS notes (id BIGINT PRIMARY KEY, body TEXT)",
            &[],
        )
        .unwrap();
    let insert = "INSERT INTO notes (id, body) VALUES ($1, $2)";
    let first_row = [Value::BigInt(1), Value::Text("before".to_owned())];
    let inserted = client.execute(insert, &first_row).unwrap();
    let update = "UPDATE notes SET body = $1 WHERE id = $2";
    let after = [Value::Text("after".to_owned()), Value::BigInt(1)];
    client.execute(update, &after).unwrap();
    let select = "SELECT body FROM notes WHERE id = $1";
    let now = client.query(select, &[Value::BigInt(1)]).unwrap();
    let then = client
        .query_at(select, &[Value::BigInt(1)], inserted.log_offset)
        .unwrap();
    assert_eq!(now.rows, vec![vec![Value::Text("after".to_owned())]]);
    assert_eq!(then.rows, vec![vec![Value::Text("before".to_owned())]]);

    assert_eq!(
        client.create_tenant(TenantId(9), "ward").unwrap(),
        TenantId(9)
    );
    assert!(client
        .list_tenants()
        .unwrap()
        .iter()
        .any(|t| t.id == TenantId(9)));
    let key = client.create_api_key(TenantId(9), "app").unwrap();
    assert_eq!(client.list_api_keys(TenantId(9)).unwrap().len(), 1);
    assert!(client.revoke_api_key(&key.key_id).unwrap());
    assert!(!client.server_info().unwrap().signing_key.is_empty());
    client.sync().unwrap();
}
