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
    // SQL is not served yet: the server's own error reaches the user, once per
    // statement (two on the SELECT line, one for \tables), and nothing after \q.
    let sql_errors = stderr.matches("SQL is not available").count();
    assert_eq!(sql_errors, 3, "{stderr}");
    assert_eq!(stderr.matches("ERROR:").count(), 4, "{stderr}");
}

#[test]
fn end_of_input_ends_the_shell_successfully() {
    let (_temp, server) = dev_server();
    let output = run_with_input(&["repl", "--address", &server.address], "\\streams\n");
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("ERROR:").count(), 1, "{stderr}");
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
