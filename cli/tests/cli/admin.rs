//! `kimberlite tenant ...` and `kimberlite key ...` over the network, and what
//! the keys they make may do.

use kimberlite::{DataClass, ErrorCode, Placement, ServerErrorCode};

use crate::harness::{init, printed, run, scratch, text, Server};

fn admin(server: &Server, token: &str, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--address", &server.address, "--token", token]);
    let output = run(&all);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{args:?}: {stderr}");
    stdout
}

#[test]
fn tenants_and_keys_round_trip_and_a_key_is_bound_to_its_tenant() {
    let (_temp, data) = scratch();
    let token = init(&data, false);
    let server = Server::start(&data);
    assert!(admin(
        &server,
        &token,
        &["tenant", "create", "1", "--name", "alpha"]
    )
    .contains("alpha"));
    admin(&server, &token, &["tenant", "create", "2"]);
    let listed = admin(&server, &token, &["tenant", "list"]);
    assert!(
        listed.contains("alpha") && listed.contains("tenant-2"),
        "{listed}"
    );

    let created = admin(
        &server,
        &token,
        &["key", "create", "--tenant", "1", "--label", "app"],
    );
    let key = printed(&created, "api key:");
    let key_id = created.split_whitespace().nth(3).unwrap().to_owned();
    let keys = admin(&server, &token, &["key", "list", "--tenant", "1"]);
    assert!(keys.contains(&key_id) && keys.contains("app"), "{keys}");

    let own = server.client(1, Some(&key), None);
    own.create_stream("mine", DataClass::Public, Placement::Global)
        .unwrap();
    let other = server.client(2, Some(&key), None);
    let refused = other
        .create_stream("theirs", DataClass::Public, Placement::Global)
        .unwrap_err();
    // Our client opted in to extension codes; a plain v5 client gets
    // AuthenticationFailed for the same refusal.
    assert_eq!(
        refused.code(),
        ErrorCode::Server(ServerErrorCode::PermissionDenied)
    );
    drop((own, other));

    let revoked = admin(&server, &token, &["key", "revoke", &key_id]);
    assert!(revoked.contains("revoked"), "{revoked}");
    let after = server
        .try_client(1, Some(&key), None)
        .and_then(|client| client.create_stream("late", DataClass::Public, Placement::Global));
    let error = after.unwrap_err();
    assert_eq!(
        error.code(),
        ErrorCode::Server(ServerErrorCode::AuthenticationFailed)
    );
    let (status, _, _) = server.terminate();
    assert!(status.success());
}

#[test]
fn a_wrong_admin_token_is_refused() {
    let (_temp, data) = scratch();
    init(&data, false);
    let server = Server::start(&data);
    let output = run(&[
        "tenant",
        "list",
        "--address",
        &server.address,
        "--token",
        "kmb-admin-wrong",
    ]);
    assert!(!output.status.success());
    assert!(
        text(&output).1.contains("AuthenticationFailed"),
        "{:?}",
        text(&output)
    );
}
