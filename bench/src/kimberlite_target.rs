//! The workloads on a Kimberlite server, through the Rust client: one client
//! (one connection) per worker, each appending to a stream of its own.

use std::path::PathBuf;
use std::time::Duration;

use kimberlite::{Client, ConnectOptions, DataClass, Offset, Placement, StreamId, TenantId, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::measure::{drive, Picker, Summary, Worker};
use crate::workload::{Settings, Workload};
use crate::Result;

/// The tenant every workload runs in.
const TENANT: TenantId = TenantId(1);

/// A Kimberlite server and what the workloads set up on it so far.
pub struct KimberliteTarget {
    address: String,
    token: Option<String>,
    state_root: PathBuf,
    runs: u64,
    read_stream: Option<StreamId>,
    as_of_query: Option<String>,
}

impl KimberliteTarget {
    /// Connects to `address` (with the admin token, if the server wants one),
    /// creates the tenant, and keeps verified-read state under `state_root`.
    ///
    /// # Errors
    /// The server cannot be reached.
    pub async fn connect(
        address: &str,
        token: Option<String>,
        state_root: PathBuf,
    ) -> Result<Self> {
        let target = Self {
            address: address.to_owned(),
            token,
            state_root,
            runs: 0,
            read_stream: None,
            as_of_query: None,
        };
        let client = target.client(0).await?;
        // A development server makes the tenant on first use and a restarted one
        // already has it: an error here is not a failure, the next call shows one.
        let _ = client.create_tenant(TENANT, "bench").await;
        client.server_capabilities().await?;
        Ok(target)
    }

    async fn client(&self, index: usize) -> Result<Client> {
        let mut options = ConnectOptions::new(TENANT).state_directory(
            self.state_root
                .join(format!("client-{}-{index}", self.runs)),
        );
        if let Some(token) = &self.token {
            options = options.auth_token(token.clone());
        }
        Ok(Client::connect(self.address.clone(), options).await?)
    }

    async fn clients(&self, count: usize) -> Result<Vec<Client>> {
        let mut clients = Vec::with_capacity(count);
        for index in 0..count {
            clients.push(self.client(index).await?);
        }
        Ok(clients)
    }

    /// Runs `workload` for `settings.duration`.
    ///
    /// # Errors
    /// Any failed call.
    pub async fn run(&mut self, workload: Workload, settings: &Settings) -> Result<Summary> {
        self.runs += 1;
        match workload {
            Workload::Append { clients } => self.append(clients, 1, settings).await,
            Workload::BatchAppend { clients, batch } => self.append(clients, batch, settings).await,
            Workload::PointRead { clients } => self.point_read(clients, false, settings).await,
            Workload::VerifiedRead { clients } => self.point_read(clients, true, settings).await,
            Workload::SqlInsert { clients } => self.sql_insert(clients, settings).await,
            Workload::AsOf { clients } => self.as_of(clients, settings).await,
        }
    }

    async fn append(&self, count: usize, batch: usize, settings: &Settings) -> Result<Summary> {
        let mut workers = Vec::with_capacity(count);
        for client in self.clients(count).await? {
            let name = format!("append-{}-{}", self.runs, workers.len());
            let stream = client
                .create_stream(&name, DataClass::Public, Placement::Global)
                .await?;
            let records = vec![vec![0xA5; settings.record_bytes]; batch];
            workers.push(Append {
                client,
                stream,
                next: 0,
                records,
            });
        }
        drive(workers, settings.duration).await
    }

    /// The stream the point reads read, filled on first use.
    async fn read_stream(&mut self, settings: &Settings) -> Result<StreamId> {
        if let Some(stream) = self.read_stream {
            return Ok(stream);
        }
        let client = self.client(0).await?;
        let stream = client
            .create_stream("point-reads", DataClass::Public, Placement::Global)
            .await?;
        let mut next = 0;
        while next < settings.read_records {
            let count = (settings.read_records - next).min(500);
            let batch = vec![vec![0x5A; settings.record_bytes]; count as usize];
            client.append(stream, batch, Offset(next)).await?;
            next += count;
        }
        self.read_stream = Some(stream);
        Ok(stream)
    }

    async fn point_read(
        &mut self,
        count: usize,
        verified: bool,
        settings: &Settings,
    ) -> Result<Summary> {
        let stream = self.read_stream(settings).await?;
        let workers = self
            .clients(count)
            .await?
            .into_iter()
            .enumerate()
            .map(|(index, client)| PointRead {
                client,
                stream,
                records: settings.read_records,
                picker: Picker::new(index as u64),
                verified,
            })
            .collect();
        drive(workers, settings.duration).await
    }

    async fn sql_insert(&self, count: usize, settings: &Settings) -> Result<Summary> {
        let table = format!("items_{}", self.runs);
        let client = self.client(0).await?;
        let create = format!("CREATE TABLE {table} (id BIGINT PRIMARY KEY, body TEXT)");
        client.execute(&create, &[]).await?;
        let sql = format!("INSERT INTO {table} (id, body) VALUES ($1, $2)");
        let body = "k".repeat(settings.record_bytes);
        let workers = self
            .clients(count)
            .await?
            .into_iter()
            .enumerate()
            .map(|(index, client)| SqlInsert {
                client,
                sql: sql.clone(),
                body: body.clone(),
                next_id: (index as i64) << 32,
            })
            .collect();
        drive(workers, settings.duration).await
    }

    /// Makes `accounts` with `versions` + 1 versions of each key, one UPDATE of
    /// every row per version, and returns the query for the middle version.
    async fn as_of_query(&mut self, settings: &Settings) -> Result<String> {
        if let Some(query) = &self.as_of_query {
            return Ok(query.clone());
        }
        let client = self.client(0).await?;
        let create = "CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)";
        client.execute(create, &[]).await?;
        let rows: Vec<String> = (1..=settings.as_of_keys)
            .map(|id| format!("({id}, 0)"))
            .collect();
        let insert = format!(
            "INSERT INTO accounts (id, balance) VALUES {}",
            rows.join(", ")
        );
        client.execute(&insert, &[]).await?;
        let mut middle = String::new();
        for version in 1..=settings.versions {
            if version == settings.versions / 2 + 1 {
                // Every version so far has a commit time before this instant and
                // every later one after it.
                tokio::time::sleep(Duration::from_millis(20)).await;
                middle = OffsetDateTime::now_utc().format(&Rfc3339)?;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let update = "UPDATE accounts SET balance = balance + 1";
            client.execute(update, &[]).await?;
        }
        let query =
            format!("SELECT balance FROM accounts WHERE id = $1 AS OF TIMESTAMP '{middle}'");
        self.as_of_query = Some(query.clone());
        Ok(query)
    }

    async fn as_of(&mut self, count: usize, settings: &Settings) -> Result<Summary> {
        let sql = self.as_of_query(settings).await?;
        let expected = (settings.versions / 2) as i64;
        let workers = self
            .clients(count)
            .await?
            .into_iter()
            .enumerate()
            .map(|(index, client)| AsOf {
                client,
                sql: sql.clone(),
                keys: settings.as_of_keys,
                expected,
                picker: Picker::new(index as u64),
            })
            .collect();
        drive(workers, settings.duration).await
    }
}

struct Append {
    client: Client,
    stream: StreamId,
    next: u64,
    records: Vec<Vec<u8>>,
}

impl Worker for Append {
    async fn run_once(&mut self) -> Result<u64> {
        let count = self.records.len() as u64;
        self.client
            .append(self.stream, self.records.clone(), Offset(self.next))
            .await?;
        self.next += count;
        Ok(count)
    }
}

struct PointRead {
    client: Client,
    stream: StreamId,
    records: u64,
    picker: Picker,
    verified: bool,
}

impl Worker for PointRead {
    async fn run_once(&mut self) -> Result<u64> {
        let offset = Offset(self.picker.below(self.records));
        // One byte as the limit: the first record is always returned, no more.
        let read = if self.verified {
            self.client
                .read_verified(self.stream, offset, 1)
                .await?
                .events
                .len()
        } else {
            self.client.read(self.stream, offset, 1).await?.events.len()
        };
        if read != 1 {
            return Err(format!("a point read at {offset} returned {read} records").into());
        }
        Ok(1)
    }
}

struct SqlInsert {
    client: Client,
    sql: String,
    body: String,
    next_id: i64,
}

impl Worker for SqlInsert {
    async fn run_once(&mut self) -> Result<u64> {
        let params = [Value::BigInt(self.next_id), Value::Text(self.body.clone())];
        self.client.execute(&self.sql, &params).await?;
        self.next_id += 1;
        Ok(1)
    }
}

struct AsOf {
    client: Client,
    sql: String,
    keys: u64,
    expected: i64,
    picker: Picker,
}

impl Worker for AsOf {
    async fn run_once(&mut self) -> Result<u64> {
        let id = 1 + self.picker.below(self.keys) as i64;
        let result = self.client.query(&self.sql, &[Value::BigInt(id)]).await?;
        match result.rows.as_slice() {
            [row] if row.first() == Some(&Value::BigInt(self.expected)) => Ok(1),
            rows => Err(format!("AS OF for key {id} answered {rows:?}").into()),
        }
    }
}
