//! The real server, started in process for the tests that need it: the storage
//! engine in a directory (optionally with the SQL engine over it), served on a
//! loopback port until `stop` (or until the server value is dropped, which drops
//! the stop signal's sender).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use kimberlite::TenantId;
use kimberlite_server::{AdminToken, AuthMode, EngineBackend, Server, ServerConfig, ServerError};
use kimberlite_sql::SqlEngine;
use kimberlite_storage::engine::{Engine, EngineConfig, Layout};
use kimberlite_storage::io::os::OsVfs;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How to start a [`RealServer`]; `Setup::default()` is a fresh directory, SQL,
/// development mode (no authentication), a free loopback port.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    /// Where to listen.
    pub address: SocketAddr,
    /// Create the data directory first (false: reopen an existing one).
    pub init: bool,
    /// Serve SQL from views under `<dir>/sql`.
    pub sql: bool,
    /// Require authentication with this admin token (None: development mode).
    pub admin_token: Option<&'a str>,
    /// Copy the signing key of this data directory before opening (a fork of
    /// that server: same key, another history).
    pub key_from: Option<&'a Path>,
    /// Tenants to create once the engine is open.
    pub tenants: &'a [(TenantId, &'a str)],
}

impl Default for Setup<'_> {
    fn default() -> Self {
        Self {
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            init: true,
            sql: true,
            admin_token: None,
            key_from: None,
            tenants: &[],
        }
    }
}

/// A running server and its engine.
pub struct RealServer {
    /// `host:port` it listens on.
    pub address: String,
    /// The engine it serves.
    pub engine: Arc<Engine>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl RealServer {
    /// Opens the engine in `dir` as `setup` says and serves it.
    pub async fn start(dir: &Path, setup: Setup<'_>) -> Self {
        let vfs = Arc::new(OsVfs);
        let config = EngineConfig::new(dir, "db.test");
        if setup.init {
            Engine::init(vfs.clone(), &config).unwrap();
        }
        if let Some(other) = setup.key_from {
            let source = Layout::new(other).signing_key();
            std::fs::copy(source, Layout::new(dir).signing_key()).unwrap();
        }
        let engine = Arc::new(Engine::open(vfs, config).unwrap().0);
        for (tenant, name) in setup.tenants {
            engine.create_tenant(*tenant, name).unwrap();
        }
        let backend = if setup.sql {
            let sql = SqlEngine::open(engine.clone(), dir.join("sql")).unwrap();
            EngineBackend::with_sql(engine.clone(), Arc::new(sql))
        } else {
            EngineBackend::new(engine.clone())
        };
        let auth = match setup.admin_token {
            Some(token) => AuthMode::Required {
                admin_token: Some(AdminToken::new(token)),
            },
            None => AuthMode::Development,
        };
        let server = Server::bind(ServerConfig::new(setup.address, auth), Arc::new(backend))
            .await
            .unwrap();
        let address = server.local_addr().to_string();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            engine,
            stop,
            task,
        }
    }

    /// Stops serving, waits for the server to end cleanly and shuts the engine down.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        self.engine.shutdown().unwrap();
    }
}
