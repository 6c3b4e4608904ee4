//! The `kimberlite-tamper-proxy` binary as other languages' suites use it: the
//! ready line, frames forwarded both ways, and refused arguments.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

use kimberlite_protocol::message::{Message, RequestPayload};
use kimberlite_protocol::{decode_message, frame_message, FrameDecoder, RequestId, TenantId};

const BINARY: &str = env!("CARGO_BIN_EXE_kimberlite-tamper-proxy");

/// Kills the proxy when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_announces_its_address_and_forwards_frames_both_ways() {
    // An "upstream" that echoes every byte back: the client's request returns
    // as a frame from the server side, which the proxy forwards untouched.
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_address = upstream.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (mut socket, _) = upstream.accept().unwrap();
        let mut buffer = [0u8; 4096];
        while let Ok(count) = socket.read(&mut buffer) {
            if count == 0 || socket.write_all(&buffer[..count]).is_err() {
                return;
            }
        }
    });
    let child = Command::new(BINARY)
        .args([
            "--upstream",
            &upstream_address,
            "--mode",
            "flip-payload-byte",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut proxy = Running(child);
    let mut line = String::new();
    let stdout = proxy.0.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("proxy listening on ").unwrap();

    let request = Message::request(RequestId(7), TenantId(1), RequestPayload::ServerInfo);
    let frame = frame_message(&request).unwrap();
    let mut socket = TcpStream::connect(address).unwrap();
    socket.write_all(&frame).unwrap();
    let mut decoder = FrameDecoder::new();
    let mut buffer = [0u8; 4096];
    let echoed = loop {
        let count = socket.read(&mut buffer).unwrap();
        assert!(count > 0, "the proxy closed the connection");
        decoder.extend(&buffer[..count]);
        if let Some(payload) = decoder.next_frame().unwrap() {
            break decode_message(payload).unwrap();
        }
    };
    assert_eq!(echoed, request);
}

#[test]
fn unknown_modes_and_a_fork_mode_without_fork_are_refused() {
    let unknown = Command::new(BINARY)
        .args(["--upstream", "127.0.0.1:1", "--mode", "lie-a-little"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("foreign-key"), "{stderr}");

    let forked = Command::new(BINARY)
        .args(["--upstream", "127.0.0.1:1", "--mode", "forked-checkpoint"])
        .output()
        .unwrap();
    assert_eq!(forked.status.code(), Some(1));
    assert!(forked.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&forked.stderr);
    assert!(stderr.contains("--fork-upstream"), "{stderr}");
}

#[test]
fn help_lists_every_mode() {
    let help = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for mode in kimberlite_testkit::Mode::ALL {
        assert!(text.contains(mode.name()), "{mode} missing from --help");
    }
}
