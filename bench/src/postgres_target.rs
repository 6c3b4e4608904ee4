//! The workloads on PostgreSQL through tokio-postgres, one connection per
//! worker over loopback TCP, every statement in its own (durable) transaction.
//!
//! The hash-chained table is the usual tamper-evident table: a BEFORE INSERT
//! trigger locks the chain's head row, stores `sha256(prev_hash || payload)` in
//! the new row and moves the head, so the rows of one chain are serialised as
//! they must be.

use tokio_postgres::{Client, NoTls, Statement};

use crate::measure::{drive, Picker, Summary, Worker};
use crate::workload::{Settings, System, Workload};
use crate::Result;

/// The schema: plain events, chained events with their trigger, records for
/// point reads, items for SQL inserts, and a history table with validity ranges.
const SCHEMA: &str = r"
DROP TABLE IF EXISTS events, chained_events, chain_head, records, items, accounts_history;
CREATE TABLE events (id BIGSERIAL PRIMARY KEY, stream_id BIGINT NOT NULL, payload BYTEA NOT NULL);
CREATE TABLE chain_head (stream_id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash BYTEA NOT NULL);
CREATE TABLE chained_events (
    stream_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    payload BYTEA NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (stream_id, seq)
);
CREATE OR REPLACE FUNCTION chain_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq BIGINT;
    head_hash BYTEA;
BEGIN
    SELECT seq, hash INTO head_seq, head_hash FROM chain_head
        WHERE stream_id = NEW.stream_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no chain head for stream %', NEW.stream_id;
    END IF;
    NEW.seq := head_seq + 1;
    NEW.prev_hash := head_hash;
    NEW.hash := sha256(head_hash || NEW.payload);
    UPDATE chain_head SET seq = NEW.seq, hash = NEW.hash WHERE stream_id = NEW.stream_id;
    RETURN NEW;
END $$;
CREATE TRIGGER chain_event BEFORE INSERT ON chained_events
    FOR EACH ROW EXECUTE FUNCTION chain_event();
INSERT INTO chain_head SELECT s, 0, decode(repeat('00', 32), 'hex') FROM generate_series(0, 1024) s;
CREATE TABLE records (id BIGINT PRIMARY KEY, payload BYTEA NOT NULL);
CREATE TABLE items (id BIGINT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE accounts_history (id BIGINT NOT NULL, balance BIGINT NOT NULL, valid TSTZRANGE NOT NULL);
";

/// The instant the AS OF query asks about: version v of every key is valid for
/// one hour from BASE + v hours.
const BASE: &str = "2026-01-01 00:00:00+00";

/// A PostgreSQL server with the schema in place.
pub struct PostgresTarget {
    config: String,
    runs: i64,
}

/// Opens a connection and drives it on its own task.
async fn connect(config: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(config, NoTls).await?;
    tokio::spawn(async move {
        // The connection ends when its client is dropped; an error also shows
        // on the next call of the client, which fails the run.
        let _ = connection.await;
    });
    Ok(client)
}

impl PostgresTarget {
    /// Connects with `config` (a libpq-style string), creates the schema and
    /// fills the point-read and AS OF tables.
    ///
    /// # Errors
    /// The server cannot be reached or refuses a statement.
    pub async fn setup(config: &str, settings: &Settings) -> Result<Self> {
        let client = connect(config).await?;
        client.batch_execute(SCHEMA).await?;
        let fill = format!(
            "INSERT INTO records SELECT i, decode(repeat('5a', {bytes}), 'hex')
                 FROM generate_series(0, {last}) i;
             INSERT INTO accounts_history
                 SELECT k, v, tstzrange(timestamptz '{BASE}' + v * interval '1 hour',
                     CASE WHEN v = {versions} THEN NULL
                          ELSE timestamptz '{BASE}' + (v + 1) * interval '1 hour' END)
                 FROM generate_series(1, {keys}) k, generate_series(0, {versions}) v;
             CREATE INDEX accounts_history_id ON accounts_history (id);
             ANALYZE;",
            bytes = settings.record_bytes,
            last = settings.read_records.saturating_sub(1),
            keys = settings.as_of_keys,
            versions = settings.versions,
        );
        client.batch_execute(&fill).await?;
        Ok(Self {
            config: config.to_owned(),
            runs: 0,
        })
    }

    /// Runs `workload` on the table `system` names, or None when PostgreSQL has
    /// no such workload (verified reads) or only the plain table runs it.
    ///
    /// # Errors
    /// Any failed statement.
    pub async fn run(
        &mut self,
        system: System,
        workload: Workload,
        settings: &Settings,
    ) -> Result<Option<Summary>> {
        self.runs += 1;
        let chained = matches!(
            system,
            System::PostgresChain | System::PostgresChainPerClient
        );
        let table = if chained { "chained_events" } else { "events" };
        let (clients, sql) = match workload {
            Workload::Append { clients } => (
                clients,
                format!("INSERT INTO {table} (stream_id, payload) VALUES ($1, $2)"),
            ),
            Workload::BatchAppend { clients, .. } => (
                clients,
                format!("INSERT INTO {table} (stream_id, payload) SELECT $1, unnest($2::bytea[])"),
            ),
            _ if chained => return Ok(None),
            Workload::PointRead { clients } => (
                clients,
                "SELECT payload FROM records WHERE id = $1".to_owned(),
            ),
            Workload::VerifiedRead { .. } => return Ok(None),
            Workload::SqlInsert { clients } => (
                clients,
                "INSERT INTO items (id, body) VALUES ($1, $2)".to_owned(),
            ),
            Workload::AsOf { clients } => (
                clients,
                format!(
                    "SELECT balance FROM accounts_history WHERE id = $1 AND valid @> \
                     (timestamptz '{BASE}' + interval '{} minutes')",
                    settings.versions / 2 * 60 + 30
                ),
            ),
        };
        let mut workers = Vec::with_capacity(clients);
        for index in 0..clients {
            let client = connect(&self.config).await?;
            let statement = client.prepare(&sql).await?;
            // One chain for all clients unless each gets its own.
            let stream = match system {
                System::PostgresChain => 0,
                _ => 1 + index as i64,
            };
            workers.push(PgWorker {
                client,
                statement,
                workload,
                stream,
                record: vec![0xA5; settings.record_bytes],
                body: "p".repeat(settings.record_bytes),
                next_id: (self.runs << 40) | ((index as i64) << 32),
                picker: Picker::new(index as u64),
                settings: settings.clone(),
            });
        }
        Ok(Some(drive(workers, settings.duration).await?))
    }
}

struct PgWorker {
    client: Client,
    statement: Statement,
    workload: Workload,
    stream: i64,
    record: Vec<u8>,
    body: String,
    next_id: i64,
    picker: Picker,
    settings: Settings,
}

impl Worker for PgWorker {
    async fn run_once(&mut self) -> Result<u64> {
        let statement = &self.statement;
        match self.workload {
            Workload::Append { .. } => {
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] =
                    [&self.stream, &self.record];
                self.client.execute(statement, &params).await?;
                Ok(1)
            }
            Workload::BatchAppend { batch, .. } => {
                let records = vec![self.record.clone(); batch];
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] =
                    [&self.stream, &records];
                let rows = self.client.execute(statement, &params).await?;
                Ok(rows)
            }
            Workload::PointRead { .. } | Workload::VerifiedRead { .. } => {
                let id = self.picker.below(self.settings.read_records) as i64;
                let row = self.client.query_one(statement, &[&id]).await?;
                let payload: &[u8] = row.try_get(0)?;
                if payload.len() != self.settings.record_bytes {
                    return Err(format!("record {id} has {} bytes", payload.len()).into());
                }
                Ok(1)
            }
            Workload::SqlInsert { .. } => {
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] =
                    [&self.next_id, &self.body];
                self.client.execute(statement, &params).await?;
                self.next_id += 1;
                Ok(1)
            }
            Workload::AsOf { .. } => {
                let id = 1 + self.picker.below(self.settings.as_of_keys) as i64;
                let row = self.client.query_one(statement, &[&id]).await?;
                let balance: i64 = row.try_get(0)?;
                let expected = (self.settings.versions / 2) as i64;
                if balance != expected {
                    return Err(format!("AS OF for key {id} gave {balance}").into());
                }
                Ok(1)
            }
        }
    }
}
