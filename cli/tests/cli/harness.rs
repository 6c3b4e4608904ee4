//! Running the real `kimberlite` binary: one-shot commands, and servers that
//! are stopped by SIGTERM in the test or killed by the guard's `Drop`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, TenantId};

/// How long a stopping server may take before the test gives up on it. A
/// safety net against a hung test, not a measurement.
const STOP_DEADLINE: Duration = Duration::from_secs(60);

/// The binary under test.
pub fn kimberlite() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kimberlite"))
}

/// Runs the binary to completion with `args`.
pub fn run(args: &[&str]) -> Output {
    kimberlite()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs the binary with `input` on standard input.
pub fn run_with_input(args: &[&str], input: &str) -> Output {
    let mut child = kimberlite()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Standard output and error of a run, as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The value printed after `label` on a line of `stdout`.
pub fn printed(stdout: &str, label: &str) -> String {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line in {stdout}"))
        .trim()
        .to_owned()
}

/// A fresh temporary directory and the (not yet existing) data directory in it.
pub fn scratch() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    (temp, data)
}

/// Initialises `dir`; returns the admin token printed.
pub fn init(dir: &Path, development: bool) -> String {
    let mut args = vec!["init", dir.to_str().unwrap()];
    if development {
        args.push("--development");
    }
    let output = run(&args);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "init failed: {stderr}");
    printed(&stdout, "admin token:")
}

/// A running server process. Dropping it kills the process.
pub struct Server {
    child: Child,
    /// Where clients connect.
    pub address: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Runs `kimberlite <args>` and waits for it to print its address.
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = kimberlite()
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_reader = drain(child.stderr.take().unwrap(), stderr.clone());
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let stdout = Arc::new(Mutex::new(String::new()));
        let address = loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                let _ = child.wait();
                let _ = stderr_reader.join();
                panic!(
                    "the server exited before listening: {}",
                    stderr.lock().unwrap()
                );
            }
            stdout.lock().unwrap().push_str(&line);
            if let Some(address) = line.trim().strip_prefix("kimberlite listening on ") {
                break address.to_owned();
            }
        };
        let stdout_reader = drain_lines(lines, stdout.clone());
        Self {
            child,
            address,
            stdout,
            stderr,
            readers: vec![stderr_reader, stdout_reader],
        }
    }

    /// Starts `kimberlite start` on `dir` on a free loopback port.
    pub fn start(dir: &Path) -> Self {
        Self::spawn(&["start", "--address", "127.0.0.1:0", dir.to_str().unwrap()])
    }

    /// A blocking client for `tenant`, with `token` if given.
    pub fn client(&self, tenant: u64, token: Option<&str>, state: Option<&Path>) -> Client {
        self.try_client(tenant, token, state).unwrap()
    }

    /// Like [`client`](Self::client), keeping the error.
    pub fn try_client(
        &self,
        tenant: u64,
        token: Option<&str>,
        state: Option<&Path>,
    ) -> kimberlite::Result<Client> {
        let mut options = ConnectOptions::new(TenantId(tenant)).reconnect_attempts(1);
        if let Some(token) = token {
            options = options.auth_token(token);
        }
        if let Some(state) = state {
            options = options.state_directory(state);
        }
        Client::connect(self.address.as_str(), options)
    }

    /// What the process printed on standard output so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the exit; returns the status and what the
    /// process printed on standard output and error.
    pub fn terminate(mut self) -> (ExitStatus, String, String) {
        let pid = i32::try_from(self.child.id()).unwrap();
        let pid = rustix::process::Pid::from_raw(pid).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < STOP_DEADLINE,
                "the server did not stop after SIGTERM"
            );
            thread::sleep(Duration::from_millis(20));
        };
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let stdout = self.stdout.lock().unwrap().clone();
        let stderr = self.stderr.lock().unwrap().clone();
        (status, stdout, stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn drain(mut source: impl Read + Send + 'static, sink: Arc<Mutex<String>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(read) = source.read(&mut buffer) {
            if read == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
    })
}

fn drain_lines(lines: BufReader<ChildStdout>, sink: Arc<Mutex<String>>) -> JoinHandle<()> {
    drain(lines, sink)
}
