//! The `kimberlite` binary as a child process: one-shot commands (`init`,
//! `verify`) and servers that are killed with SIGKILL or stopped with SIGTERM.
//! Whatever a server prints is kept, so a program can show it or grep it.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

/// How long a server may take to stop after SIGTERM or SIGKILL before the
/// program gives up on it (a safety net against a hang, not a measurement).
const STOP_DEADLINE: Duration = Duration::from_secs(60);

/// Runs `binary args...` to completion.
///
/// # Errors
/// A message when it cannot be run.
pub fn run(binary: &Path, args: &[&str]) -> Result<Output, String> {
    Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run {}: {error}", binary.display()))
}

/// Standard output and error of a run, as one text.
#[must_use]
pub fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `kimberlite init [--development] <dir>`; returns the admin token printed.
///
/// # Errors
/// A message with the command's output when it fails.
pub fn init(binary: &Path, dir: &Path, development: bool) -> Result<String, String> {
    let dir_text = dir.to_string_lossy();
    let mut args = vec!["init", dir_text.as_ref()];
    if development {
        args.push("--development");
    }
    let output = run(binary, &args)?;
    let text = output_text(&output);
    if !output.status.success() {
        return Err(format!("init failed: {text}"));
    }
    text.lines()
        .find_map(|line| line.strip_prefix("admin token:"))
        .map(|token| token.trim().to_owned())
        .ok_or_else(|| format!("init printed no admin token: {text}"))
}

/// `kimberlite verify <dir>`: whether it passed, and what it printed.
///
/// # Errors
/// A message when it cannot be run.
pub fn verify(binary: &Path, dir: &Path) -> Result<(bool, String), String> {
    let output = run(binary, &["verify", dir.to_string_lossy().as_ref()])?;
    Ok((output.status.success(), output_text(&output)))
}

/// A running `kimberlite` server process. Dropping it kills the process.
pub struct ServerProcess {
    child: Child,
    output: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl ServerProcess {
    /// Starts `kimberlite start --address 127.0.0.1:0 <dir> <extra...>` with
    /// `RUST_LOG` set to `log`, without waiting for it to listen.
    ///
    /// # Errors
    /// A message when the process cannot be started.
    pub fn spawn(binary: &Path, dir: &Path, extra: &[&str], log: &str) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .args(["start", "--address", "127.0.0.1:0"])
            .arg(dir)
            .args(extra)
            .env("RUST_LOG", log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", binary.display()))?;
        let output = Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(drain(stdout, output.clone()));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(drain(stderr, output.clone()));
        }
        Ok(Self {
            child,
            output,
            readers,
        })
    }

    /// Waits until the server printed `kimberlite listening on <address>`;
    /// returns the address.
    ///
    /// # Errors
    /// A message with the output when it exits first or takes longer than
    /// `deadline`.
    pub fn wait_listening(&mut self, deadline: Duration) -> Result<String, String> {
        let started = Instant::now();
        loop {
            let printed = self.output();
            let address = printed
                .lines()
                .find_map(|line| line.trim().strip_prefix("kimberlite listening on "));
            if let Some(address) = address {
                return Ok(address.to_owned());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the server exited ({status}) first: {printed}"));
            }
            if started.elapsed() > deadline {
                return Err(format!("the server did not listen in time: {printed}"));
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Everything the process printed so far (standard output and error).
    #[must_use]
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends SIGKILL and waits for the process to end.
    ///
    /// # Errors
    /// A message when the signal cannot be sent or the process does not end.
    pub fn kill(self) -> Result<(ExitStatus, String), String> {
        self.stop(Signal::KILL)
    }

    /// Sends SIGTERM and waits for a graceful exit.
    ///
    /// # Errors
    /// A message when the signal cannot be sent or the process does not end.
    pub fn terminate(self) -> Result<(ExitStatus, String), String> {
        self.stop(Signal::TERM)
    }

    fn stop(mut self, signal: Signal) -> Result<(ExitStatus, String), String> {
        let pid = i32::try_from(self.child.id())
            .ok()
            .and_then(Pid::from_raw)
            .ok_or("no process id")?;
        kill_process(pid, signal).map_err(|error| format!("cannot signal: {error}"))?;
        let started = Instant::now();
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() < STOP_DEADLINE => {
                    thread::sleep(Duration::from_millis(2));
                }
                Ok(None) => return Err("the server did not stop".to_owned()),
                Err(error) => return Err(format!("cannot wait: {error}")),
            }
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        Ok((status, self.output()))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn drain(source: impl Read + Send + 'static, sink: Arc<Mutex<String>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut lines = BufReader::new(source);
        let mut line = String::new();
        while matches!(lines.read_line(&mut line), Ok(read) if read > 0) {
            sink.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push_str(&line);
            line.clear();
        }
    })
}
