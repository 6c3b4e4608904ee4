//! The server under soak: a release `kimberlite dev` process (the real thing,
//! whose memory is sampled from /proc), or an in-process server for the short
//! test run (whose samples then include the clients).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use kimberlite_server::{AuthMode, EngineBackend, Server, ServerConfig};
use kimberlite_sql::SqlEngine;
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;

/// A running server.
pub enum SoakServer {
    /// A child process.
    Process {
        /// The process.
        child: Child,
        /// Its client address.
        address: SocketAddr,
    },
    /// A server task of this process.
    InProcess {
        /// Its client address.
        address: SocketAddr,
    },
}

impl SoakServer {
    /// Starts `kimberlite dev` from `binary` on a free loopback port.
    pub fn spawn(binary: &Path, dir: &Path) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .args([
                "dev",
                "--address",
                "127.0.0.1:0",
                "--log-level",
                "warn",
                "--dir",
            ])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("start {}: {error}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|error| error.to_string())?;
            if let Some(address) = line.strip_prefix("kimberlite listening on ") {
                let address = address
                    .trim()
                    .parse()
                    .map_err(|_| format!("address {line}"))?;
                return Ok(Self::Process { child, address });
            }
        }
        let _ = child.kill();
        Err("the server exited before listening".into())
    }

    /// Starts a server in this process (on the current tokio runtime) over
    /// the storage and SQL engines in `dir`.
    pub async fn in_process(dir: &Path) -> Result<Self, String> {
        let text = |error: &dyn std::fmt::Display| error.to_string();
        let vfs = Arc::new(OsVfs);
        let config = EngineConfig::new(dir.join("data"), "soak.kimberlite");
        Engine::init(vfs.clone(), &config).map_err(|e| text(&e))?;
        let engine = Arc::new(Engine::open(vfs, config).map_err(|e| text(&e))?.0);
        let sql = SqlEngine::open(engine.clone(), dir.join("sql")).map_err(|e| text(&e))?;
        let backend = Arc::new(EngineBackend::with_sql(engine, Arc::new(sql)));
        let address = SocketAddr::from(([127, 0, 0, 1], 0));
        let server = Server::bind(ServerConfig::new(address, AuthMode::Development), backend)
            .await
            .map_err(|e| text(&e))?;
        let address = server.local_addr();
        tokio::spawn(server.run(std::future::pending()));
        Ok(Self::InProcess { address })
    }

    /// Where clients connect.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        match self {
            Self::Process { address, .. } | Self::InProcess { address } => *address,
        }
    }

    /// The server's resident memory in KiB (this process's, in process).
    pub fn rss_kib(&self) -> Result<u64, String> {
        let status = match self {
            Self::Process { child, .. } => PathBuf::from(format!("/proc/{}/status", child.id())),
            Self::InProcess { .. } => PathBuf::from("/proc/self/status"),
        };
        let text = std::fs::read_to_string(&status).map_err(|error| error.to_string())?;
        text.lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no VmRSS in {}", status.display()))
    }
}

impl Drop for SoakServer {
    fn drop(&mut self) {
        if let Self::Process { child, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
