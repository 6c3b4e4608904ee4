//! Fuzzes the SQL front end and everything behind it: each input, as text, is
//! one statement run by the SQL engine for a tenant whose catalog holds two
//! small tables (the storage engine over an in-memory disk, the SQLite views
//! in a temporary directory). Parsing, the dialect's checks (types, keys,
//! time travel, retention), planning, the query rewrite and execution must
//! answer or refuse; a panic aborts the process. Every 256 inputs the catalog
//! is created again (a dropped table comes back).

#![no_main]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use kimberlite_protocol::TenantId;
use kimberlite_sql::{SqlContext, SqlEngine};
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::Vfs;
use libfuzzer_sys::fuzz_target;

const TENANT: TenantId = TenantId(1);

const CATALOG: &[&str] = &[
    "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born TEXT)",
    "CREATE TABLE visits (id INTEGER PRIMARY KEY, patient INTEGER, at TEXT, note TEXT)",
    "INSERT INTO patients VALUES (1, 'Ada', '1815-12-10'), (2, 'Grace', NULL)",
    "INSERT INTO visits VALUES (1, 1, '2026-03-01', 'checked in')",
];

struct Fixture {
    sql: SqlEngine,
    _dir: tempfile::TempDir,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();
static INPUTS: AtomicU64 = AtomicU64::new(0);

fn start() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let vfs: Arc<dyn Vfs> = Arc::new(FaultVfs::new(0));
    let config = EngineConfig::new(PathBuf::from("/node"), "fuzz.kimberlite");
    Engine::init(vfs.clone(), &config).expect("init");
    let engine = Arc::new(Engine::open(vfs, config).expect("open").0);
    engine.create_tenant(TENANT, "fuzz").expect("tenant");
    let sql = SqlEngine::open(engine, dir.path()).expect("sql");
    Fixture { sql, _dir: dir }
}

fn create_catalog(sql: &SqlEngine) {
    for statement in CATALOG {
        let _ = sql.execute(TENANT, statement, &[], &SqlContext::default());
    }
}

fuzz_target!(|data: &[u8]| {
    let fixture = FIXTURE.get_or_init(start);
    if INPUTS.fetch_add(1, Ordering::Relaxed) % 256 == 0 {
        create_catalog(&fixture.sql);
    }
    let text = String::from_utf8_lossy(data);
    let context = SqlContext {
        extended_values: data.len() % 2 == 1,
        ..SqlContext::default()
    };
    let _ = fixture.sql.execute(TENANT, &text, &[], &context);
});
