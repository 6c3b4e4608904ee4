//! SQL over the protocol: the engine backend with the SQL engine, the seed
//! example (CREATE TABLE, INSERT, SELECT, AS OF TIMESTAMP before and after
//! the insert, as existing clients send it), QueryAt and error codes.

use std::sync::Arc;

use kimberlite_protocol::capability;
use kimberlite_protocol::message::{QueryAtRequest, QueryRequest, QueryResponse};
use kimberlite_protocol::{ErrorCode, Offset, RequestPayload, ResponsePayload, Value};
use kimberlite_server::{EngineBackend, Server};
use kimberlite_sql::SqlEngine;
use kimberlite_storage::engine::{Engine, EngineConfig};
use kimberlite_storage::io::os::OsVfs;
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::harness::{dev_config, enable, error_of, Client};

fn query(sql: &str) -> RequestPayload {
    RequestPayload::Query(QueryRequest {
        sql: sql.to_owned(),
        params: Vec::new(),
        break_glass_reason: None,
    })
}

fn query_at(sql: &str, position: u64) -> RequestPayload {
    RequestPayload::QueryAt(QueryAtRequest {
        sql: sql.to_owned(),
        params: Vec::new(),
        position: Offset(position),
        break_glass_reason: None,
    })
}

async fn rows(client: &mut Client<TcpStream>, payload: RequestPayload) -> QueryResponse {
    match client.call(payload).await {
        ResponsePayload::Query(response) | ResponsePayload::QueryAt(response) => response,
        other => panic!("expected rows, got {other:?}"),
    }
}

/// The commit time of SQL log record `position` cut to milliseconds, plus
/// `extra_ms`, as RFC 3339 text.
async fn commit_time(client: &mut Client<TcpStream>, position: u64, extra_ms: u64) -> String {
    let sql = format!(
        "WITH t AS (SELECT timestamp / 1000000 + {extra_ms} AS ms FROM kimberlite_audit \
         WHERE position = {position}) \
         SELECT strftime('%Y-%m-%dT%H:%M:%S', ms / 1000, 'unixepoch') || '.' || \
         printf('%03d', ms % 1000) || '+00:00' FROM t"
    );
    match rows(client, query(&sql)).await.rows.as_slice() {
        [row] => match row.as_slice() {
            [Value::Text(text)] => text.clone(),
            other => panic!("unexpected time {other:?}"),
        },
        other => panic!("unexpected rows {other:?}"),
    }
}

/// A development server over a real engine with SQL, on a free loopback port.
struct SqlServer {
    _dir: tempfile::TempDir,
    engine: Arc<Engine>,
    address: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), kimberlite_server::ServerError>>,
}

impl SqlServer {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vfs = Arc::new(OsVfs);
        let config = EngineConfig::new(dir.path().join("data"), "kimberlite.test");
        Engine::init(vfs.clone(), &config).unwrap();
        let engine = Arc::new(Engine::open(vfs, config).unwrap().0);
        engine
            .create_tenant(kimberlite_protocol::TenantId(1), "clinic")
            .unwrap();
        let sql = Arc::new(SqlEngine::open(engine.clone(), dir.path().join("sql")).unwrap());
        let backend = Arc::new(EngineBackend::with_sql(engine.clone(), sql));
        let server = Server::bind(dev_config(), backend).await.unwrap();
        let address = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Self {
            _dir: dir,
            engine,
            address,
            stop,
            task,
        }
    }

    async fn client(&self) -> Client<TcpStream> {
        let mut client = Client::new(TcpStream::connect(self.address).await.unwrap());
        assert!(matches!(
            client.handshake(None).await,
            ResponsePayload::Handshake(_)
        ));
        client
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        self.engine.shutdown().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_values_reach_clients_that_enabled_them_and_text_the_others() {
    let server = SqlServer::start().await;
    let mut plain = server.client().await;
    let create =
        "CREATE TABLE doses (id BIGINT PRIMARY KEY, mg REAL, given DATE, cost DECIMAL(10, 2))";
    rows(&mut plain, query(create)).await;
    let insert = "INSERT INTO doses VALUES (1, 2.5, '2026-11-24', 12.50)";
    rows(&mut plain, query(insert)).await;
    let select = "SELECT mg, given FROM doses";
    let text = rows(&mut plain, query(select)).await.rows;
    assert_eq!(
        text,
        [[Value::Text("2.5".into()), Value::Text("2026-11-24".into())]]
    );
    let mut modern = server.client().await;
    assert!(matches!(
        modern.call(enable(&[capability::VALUES])).await,
        ResponsePayload::ExtensionsEnabled(_)
    ));
    let typed = rows(&mut modern, query(select)).await.rows;
    assert_eq!(typed.len(), 1);
    assert_eq!(typed[0][0], Value::Real(2.5));
    assert!(
        !matches!(typed[0][1], Value::Text(_)),
        "a DATE goes as its own kind after opt-in: {typed:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_example_over_the_protocol() {
    let server = SqlServer::start().await;
    let mut client = server.client().await;

    let created = rows(
        &mut client,
        query("CREATE TABLE patients (id INTEGER, name TEXT)"),
    )
    .await;
    assert_eq!(created.columns, ["rows_affected", "log_offset"]);
    assert_eq!(created.rows, [[Value::BigInt(0), Value::BigInt(0)]]);
    // Commit times have nanosecond resolution; the AS OF text below has
    // milliseconds, so the insert must land in a later millisecond.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let inserted = rows(
        &mut client,
        query("INSERT INTO patients VALUES (1, 'Ada'), (2, 'Grace')"),
    )
    .await;
    assert_eq!(inserted.rows, [[Value::BigInt(2), Value::BigInt(1)]]);

    let both = vec![
        vec![Value::BigInt(1), Value::Text("Ada".into())],
        vec![Value::BigInt(2), Value::Text("Grace".into())],
    ];
    let select = "SELECT * FROM patients ORDER BY id";
    let current = rows(&mut client, query(select)).await;
    assert_eq!(current.columns, ["id", "name"]);
    assert_eq!(current.rows, both);

    // At or before the create's commit, so before the insert's.
    let before = commit_time(&mut client, 0, 0).await;
    // After the insert's commit.
    let after = commit_time(&mut client, 1, 1).await;
    let as_of = |time: &str| query(&format!("{select} AS OF TIMESTAMP '{time}'"));
    assert!(rows(&mut client, as_of(&before)).await.rows.is_empty());
    assert_eq!(rows(&mut client, as_of(&after)).await.rows, both);

    assert!(rows(&mut client, query_at(select, 0)).await.rows.is_empty());
    assert_eq!(rows(&mut client, query_at(select, 1)).await.rows, both);
    let ahead = client.call(query_at(select, 2)).await;
    assert_eq!(error_of(&ahead).0, ErrorCode::PositionAhead);
    let missing = client.call(query("SELECT * FROM nowhere")).await;
    assert_eq!(error_of(&missing).0, ErrorCode::TableNotFound);
    let syntax = client.call(query("SELEKT 1")).await;
    assert_eq!(error_of(&syntax).0, ErrorCode::QueryParseError);

    server.stop().await;
}

fn count_of(response: &QueryResponse) -> i64 {
    match response.rows.as_slice() {
        [row] => match row.as_slice() {
            [Value::BigInt(count)] => *count,
            other => panic!("unexpected count {other:?}"),
        },
        other => panic!("unexpected rows {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_of_one_tenant_each_get_their_own_answer_while_it_writes() {
    // One tenant's reads are queued and run one after another: every caller
    // must still get the answer to its own statement, in the order it asked.
    let server = SqlServer::start().await;
    let mut writer = server.client().await;
    rows(
        &mut writer,
        query("CREATE TABLE visits (id BIGINT PRIMARY KEY, ward TEXT)"),
    )
    .await;
    let mut readers = Vec::new();
    for reader in 0..8_i64 {
        let mut client = server.client().await;
        readers.push(tokio::spawn(async move {
            let mut last = 0;
            for round in 0..25_i64 {
                // A statement whose answer names the reader and the round.
                let own = format!("SELECT {reader} * 1000 + {round}");
                let answer = rows(&mut client, query(&own)).await;
                assert_eq!(answer.rows, [[Value::BigInt(reader * 1000 + round)]]);
                let seen = count_of(&rows(&mut client, query("SELECT count(*) FROM visits")).await);
                assert!(seen >= last, "reader {reader} saw {seen} rows after {last}");
                last = seen;
                // Position 0 is the CREATE TABLE: no rows then, whatever came later.
                let then = rows(&mut client, query_at("SELECT count(*) FROM visits", 0)).await;
                assert_eq!(count_of(&then), 0);
            }
            last
        }));
    }
    for id in 0..40 {
        let insert = format!("INSERT INTO visits VALUES ({id}, 'east')");
        assert_eq!(
            rows(&mut writer, query(&insert)).await.rows[0][0],
            Value::BigInt(1)
        );
    }
    for reader in readers {
        assert!(reader.await.unwrap() <= 40);
    }
    let total = rows(&mut writer, query("SELECT count(*) FROM visits")).await;
    assert_eq!(count_of(&total), 40);
    server.stop().await;
}
