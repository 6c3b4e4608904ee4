//! `kimberlite repl` with statements piped on standard input.

use crate::harness::{init, run, run_with_input, scratch, text, Server};

fn dev_server() -> (tempfile::TempDir, Server) {
    let (temp, data) = scratch();
    init(&data, true);
    let server = Server::start(&data);
    (temp, server)
}

#[test]
fn piped_statements_and_meta_commands_run_errors_are_shown_and_quit_stops() {
    let (_temp, server) = dev_server();
    let input = "\\help\n\\info\nSELECT 1; SELECT 2\n\\bogus\n\\tables\n\\q\nSELECT 'never'\n";
    let output = run_with_input(
        &["repl", "--address", &server.address, "--tenant", "3"],
        input,
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("\\tables"), "help text missing: {stdout}");
    assert!(stdout.contains("protocol version: 5"), "{stdout}");
    assert!(stderr.contains("unknown command \\bogus"), "{stderr}");
    // Both statements of the SELECT line ran and printed their rows; \tables ran
    // SHOW TABLES; the unknown meta-command is the one error; nothing after \q ran.
    assert!(stdout.contains("1 row"), "{stdout}");
    assert_eq!(stderr.matches("ERROR:").count(), 1, "{stderr}");
    assert!(!stdout.contains("never"), "{stdout}");
}

#[test]
fn the_seed_example_runs_in_the_repl_with_time_travel() {
    let (_temp, server) = dev_server();
    let setup = "CREATE TABLE patients (id INTEGER, name TEXT);\nSELECT * FROM patients;\n";
    let before = run_with_input(&["repl", "--address", &server.address], setup);
    let (_, stderr) = text(&before);
    assert!(before.status.success(), "{stderr}");
    assert!(!stderr.contains("ERROR:"), "{stderr}");
    // Time passes between the empty table and the inserts, so a timestamp taken
    // now lies strictly between them.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let between = time::OffsetDateTime::now_utc();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let stamp = between
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let input = format!(
        "INSERT INTO patients VALUES (1, 'Ada'), (2, 'Grace');\n\
         SELECT name FROM patients ORDER BY id;\n\
         SELECT count(*) AS at_before FROM patients AS OF TIMESTAMP '{stamp}';\n\
         \\tables\n"
    );
    let output = run_with_input(&["repl", "--address", &server.address], &input);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("ERROR:"), "{stderr}");
    assert!(
        stdout.contains("Ada") && stdout.contains("Grace"),
        "{stdout}"
    );
    let at_before = stdout
        .lines()
        .skip_while(|line| !line.contains("at_before"))
        .find(|line| line.chars().any(|c| c.is_ascii_digit()))
        .unwrap_or_default()
        .to_string();
    assert!(
        at_before.contains('0') && !at_before.contains('2'),
        "{stdout}"
    );
    assert!(
        stdout.contains("patients"),
        "\\tables lists the table: {stdout}"
    );
}

#[test]
fn streams_lists_the_tenants_streams_and_end_of_input_ends_the_shell() {
    let (_temp, server) = dev_server();
    let options = kimberlite::ConnectOptions::new(kimberlite::TenantId(1));
    let client = kimberlite::blocking::Client::connect(server.address.clone(), options).unwrap();
    let stream = client
        .create_stream(
            "vitals",
            kimberlite::DataClass::PHI,
            kimberlite::Placement::Global,
        )
        .unwrap();
    let events = vec![b"pulse 61".to_vec(), b"pulse 64".to_vec()];
    client
        .append(stream, events, kimberlite::Offset(0))
        .unwrap();
    drop(client);
    let output = run_with_input(&["repl", "--address", &server.address], "\\streams\n");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("ERROR:"), "{stderr}");
    let row = stdout
        .lines()
        .find(|line| line.contains("vitals"))
        .unwrap_or_else(|| panic!("no vitals row: {stdout}"));
    let cells: Vec<&str> = row
        .split('|')
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .collect();
    assert_eq!(
        cells,
        [stream.get().to_string().as_str(), "vitals", "PHI", "2"],
        "{stdout}"
    );
}

#[test]
fn an_unreachable_server_is_an_error() {
    // Bind and release a port so that nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let output = run(&["repl", "--address", &address]);
    assert!(!output.status.success());
    assert!(text(&output).1.contains("kimberlite:"));
}
