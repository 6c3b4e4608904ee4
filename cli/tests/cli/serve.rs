//! `kimberlite start` and `kimberlite dev`: the client quickstart against the
//! real server, graceful stop on SIGTERM, and a restart that keeps the data.

use kimberlite::{DataClass, Offset, Placement, TenantId};

use crate::harness::{init, scratch, Server};

#[test]
fn start_serves_the_quickstart_stops_on_sigterm_and_keeps_data_across_a_restart() {
    let (temp, data) = scratch();
    let admin = init(&data, false);
    let trust = temp.path().join("client-state");
    let server = Server::start(&data);
    let root = server.client(1, Some(&admin), None);
    root.create_tenant(TenantId(1), "clinic").unwrap();
    let key = root.create_api_key(TenantId(1), "app").unwrap().secret;

    let client = server.client(1, Some(&key), Some(&trust));
    let stream = client
        .create_stream("quickstart", DataClass::Public, Placement::Global)
        .unwrap();
    let first = client
        .append(
            stream,
            vec![b"hello".to_vec(), b"world".to_vec()],
            Offset(0),
        )
        .unwrap();
    assert_eq!(first, Offset(0));
    let read = client.read(stream, Offset(0), 1024).unwrap();
    assert_eq!(read.events, [b"hello".to_vec(), b"world".to_vec()]);
    let verified = client.read_verified(stream, Offset(0), 1 << 20).unwrap();
    assert_eq!(verified.events.len(), 2);
    assert_eq!(verified.checkpoint.size, 2);
    drop((client, root));

    let (status, stdout, stderr) = server.terminate();
    assert!(status.success(), "exit {status:?}: {stderr}");
    assert!(stdout.contains("kimberlite stopped"), "{stdout}");
    assert!(stderr.contains("shutting down"), "{stderr}");

    let server = Server::start(&data);
    let client = server.client(1, Some(&key), Some(&trust));
    assert_eq!(client.stream_length(stream).unwrap(), 2);
    client
        .append(stream, vec![b"again".to_vec()], Offset(2))
        .unwrap();
    // The checkpoint trusted before the restart must be extended, not forked.
    let verified = client.read_verified(stream, Offset(0), 1 << 20).unwrap();
    let payloads: Vec<&[u8]> = verified
        .events
        .iter()
        .map(|e| e.payload.as_slice())
        .collect();
    assert_eq!(payloads, [&b"hello"[..], b"world", b"again"]);
    drop(client);
    let (status, _, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
}

#[test]
fn dev_initialises_a_fresh_directory_and_serves_any_tenant_without_a_token() {
    let (_temp, data) = scratch();
    let server = Server::spawn(&[
        "dev",
        "--dir",
        data.to_str().unwrap(),
        "--address",
        "127.0.0.1:0",
    ]);
    assert!(data.join("kimberlite.toml").exists());
    assert!(data.join("keys/admin.token").exists());
    let client = server.client(42, None, None);
    let stream = client
        .create_stream("events", DataClass::Public, Placement::Global)
        .unwrap();
    client
        .append(stream, vec![b"x".to_vec()], Offset(0))
        .unwrap();
    assert_eq!(client.stream_length(stream).unwrap(), 1);
    drop(client);
    let (status, stdout, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
    assert!(stdout.contains("admin token:"), "{stdout}");
    assert!(stderr.contains("DEVELOPMENT MODE"), "{stderr}");

    // A second `dev` finds the directory initialised and keeps its data.
    let server = Server::spawn(&[
        "dev",
        "--dir",
        data.to_str().unwrap(),
        "--address",
        "127.0.0.1:0",
    ]);
    let client = server.client(42, None, None);
    assert_eq!(client.stream_length(stream).unwrap(), 1);
    drop(client);
    let (status, stdout, _) = server.terminate();
    assert!(status.success());
    assert!(!stdout.contains("admin token:"), "{stdout}");
}

#[test]
fn start_on_an_uninitialised_directory_fails_clearly() {
    let (_temp, data) = scratch();
    std::fs::create_dir_all(&data).unwrap();
    let output = crate::harness::run(&["start", data.to_str().unwrap()]);
    let (_, stderr) = crate::harness::text(&output);
    assert!(!output.status.success());
    assert!(stderr.contains("kimberlite init"), "{stderr}");
}

#[test]
fn a_second_server_on_the_same_directory_is_refused() {
    let (_temp, data) = scratch();
    init(&data, false);
    let server = Server::start(&data);
    let output =
        crate::harness::run(&["start", "--address", "127.0.0.1:0", data.to_str().unwrap()]);
    let (_, stderr) = crate::harness::text(&output);
    assert!(!output.status.success());
    assert!(stderr.contains("in use by a running server"), "{stderr}");
    let (status, _, _) = server.terminate();
    assert!(status.success());
}

#[test]
fn metrics_are_served_where_asked_and_the_log_level_is_honoured() {
    use std::io::{Read, Write};

    let (_temp, data) = scratch();
    init(&data, true);
    let server = Server::spawn(&[
        "start",
        "--address",
        "127.0.0.1:0",
        "--metrics-address",
        "127.0.0.1:0",
        "--log-level",
        "warn",
        data.to_str().unwrap(),
    ]);
    let client = server.client(1, None, None);
    client
        .create_stream("m", DataClass::Public, Placement::Global)
        .unwrap();
    drop(client);
    let mut waits = 0;
    let metrics = loop {
        let printed = server.stdout();
        waits += 1;
        assert!(waits < 3000, "no metrics address printed: {printed}");
        if let Some(line) = printed
            .lines()
            .find_map(|line| line.strip_prefix("metrics at http://"))
        {
            break line.trim_end_matches("/metrics").to_owned();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let mut connection = std::net::TcpStream::connect(&metrics).unwrap();
    connection
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    connection
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    connection.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("kimberlite_"), "{answer}");
    // The log's own counters: creating the stream was at least one durable record.
    let value = |name: &str| -> u64 {
        answer
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name}: {answer}"))
            .parse()
            .unwrap()
    };
    let commits = value("kimberlite_storage_group_commits_total");
    let records = value("kimberlite_storage_records_total");
    assert!(commits >= 1 && records >= commits, "{answer}");
    assert!(value("kimberlite_storage_wal_bytes_total") > 0, "{answer}");
    let (status, _, stderr) = server.terminate();
    assert!(status.success());
    // At `warn`, the development-mode warning shows and the INFO lines do not.
    assert!(stderr.contains("DEVELOPMENT MODE"), "{stderr}");
    assert!(!stderr.contains("INFO"), "{stderr}");
}

/// The signal handlers are in place before the server says it is listening:
/// a SIGTERM the moment it does is a graceful stop, never a kill.
#[test]
fn a_sigterm_right_after_listening_is_a_graceful_stop() {
    let (_temp, data) = scratch();
    init(&data, false);
    for attempt in 0..10 {
        let (status, stdout, stderr) = Server::start(&data).terminate();
        assert!(
            status.success() && stdout.contains("kimberlite stopped"),
            "attempt {attempt}: {status}\n{stdout}\n{stderr}"
        );
    }
}
