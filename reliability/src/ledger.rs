//! What one crash-loop client knows about its writes: the events of its stream
//! (every acknowledged append, at its offset), the SQL statements it had
//! acknowledged, and the one write in flight when the server died, whose fate is
//! unknown until the server is back. [`Ledger::reconcile`] compares all of it with
//! what the restarted server holds.

use std::collections::{BTreeMap, BTreeSet};

use kimberlite::blocking::Client;
use kimberlite::{Offset, StreamId, Value};

/// Rows each SQL statement of the crash loop inserts (all or none must exist).
pub const ROWS_PER_STATEMENT: i64 = 3;
/// The SQL table of the crash loop.
pub const TABLE: &str = "crash_rows";
/// Bytes asked for per read page while reconciling.
const READ_PAGE: u64 = 1 << 20;

/// A client's record of its writes.
#[derive(Clone, Debug)]
pub struct Ledger {
    /// The client's number (part of every payload and row).
    pub client: u32,
    /// The client's own stream.
    pub stream: StreamId,
    /// The stream's events as the client knows them: event i is at offset i.
    pub events: Vec<Vec<u8>>,
    /// The append sent but not acknowledged, if any.
    pub pending_append: Option<Vec<Vec<u8>>>,
    /// The SQL statements known to be applied.
    pub statements: BTreeSet<i64>,
    /// The SQL statement sent but not acknowledged, if any.
    pub pending_statement: Option<i64>,
    /// The next statement number.
    pub next_statement: i64,
}

/// What reconciling found out about the writes in flight.
#[derive(Clone, Copy, Debug, Default)]
pub struct Resolved {
    /// Unacknowledged appends found wholly present.
    pub appends_present: u64,
    /// Unacknowledged appends found wholly absent.
    pub appends_absent: u64,
    /// Unacknowledged statements found wholly applied.
    pub statements_present: u64,
    /// Unacknowledged statements found not applied at all.
    pub statements_absent: u64,
}

impl Ledger {
    /// A new ledger for `client` writing to `stream`.
    #[must_use]
    pub const fn new(client: u32, stream: StreamId) -> Self {
        Self {
            client,
            stream,
            events: Vec::new(),
            pending_append: None,
            statements: BTreeSet::new(),
            pending_statement: None,
            next_statement: 0,
        }
    }

    /// The INSERT of statement `statement`, with `payload` in every row.
    #[must_use]
    pub fn insert_sql(&self, statement: i64, payload: &str) -> String {
        let rows: Vec<String> = (0..ROWS_PER_STATEMENT)
            .map(|row| {
                let id = self.row_id(statement, row);
                format!("({id}, {}, {statement}, {row}, '{payload}')", self.client)
            })
            .collect();
        format!("INSERT INTO {TABLE} VALUES {}", rows.join(", "))
    }

    fn row_id(&self, statement: i64, row: i64) -> i64 {
        (i64::from(self.client) << 40) + statement * ROWS_PER_STATEMENT + row
    }

    /// Compares the ledger with the server: every known event at its offset
    /// with its bytes, then either nothing or exactly the pending append; every
    /// known statement with all its rows, the pending one all or nothing, no
    /// other. Settles the pending writes.
    ///
    /// # Errors
    /// A description of every difference (a lost or changed acknowledged
    /// write, a half-visible one, something never written), or of a failed call.
    pub fn reconcile(&mut self, client: &Client) -> Result<Resolved, String> {
        let mut resolved = Resolved::default();
        self.reconcile_stream(client, &mut resolved)?;
        self.reconcile_sql(client, &mut resolved)?;
        Ok(resolved)
    }

    fn reconcile_stream(&mut self, client: &Client, resolved: &mut Resolved) -> Result<(), String> {
        let stored = read_all(client, self.stream)?;
        let who = format!("client {} stream {}", self.client, self.stream.0);
        for (offset, event) in self.events.iter().enumerate() {
            match stored.get(offset) {
                Some(found) if found == event => {}
                Some(_) => return Err(format!("{who}: acknowledged event at {offset} changed")),
                None => return Err(format!("{who}: acknowledged event at {offset} lost")),
            }
        }
        let rest = &stored[self.events.len()..];
        match self.pending_append.take() {
            None if rest.is_empty() => {}
            Some(_) if rest.is_empty() => resolved.appends_absent += 1,
            Some(pending) if rest == pending.as_slice() => {
                resolved.appends_present += 1;
                self.events.extend(pending);
            }
            Some(pending) => {
                return Err(format!(
                    "{who}: after offset {} the stream holds {} events; the unacknowledged \
                     append had {} (half-visible or foreign)",
                    self.events.len(),
                    rest.len(),
                    pending.len()
                ))
            }
            None => {
                return Err(format!(
                    "{who}: {} events nobody appended after offset {}",
                    rest.len(),
                    self.events.len()
                ))
            }
        }
        Ok(())
    }

    fn reconcile_sql(&mut self, client: &Client, resolved: &mut Resolved) -> Result<(), String> {
        let sql = format!(
            "SELECT stmt, COUNT(*) FROM {TABLE} WHERE client = {} GROUP BY stmt",
            self.client
        );
        let result = client
            .query(&sql, &[])
            .map_err(|error| format!("client {}: query failed: {error}", self.client))?;
        let mut found = BTreeMap::new();
        for row in &result.rows {
            match row.as_slice() {
                [Value::BigInt(statement), Value::BigInt(count)] => {
                    found.insert(*statement, *count);
                }
                other => return Err(format!("unexpected row {other:?}")),
            }
        }
        let who = format!("client {} SQL", self.client);
        for statement in &self.statements {
            match found.remove(statement) {
                Some(ROWS_PER_STATEMENT) => {}
                Some(count) => {
                    return Err(format!("{who}: statement {statement} has {count} rows"))
                }
                None => return Err(format!("{who}: acknowledged statement {statement} lost")),
            }
        }
        match (self.pending_statement.take(), found.pop_first()) {
            (None, None) => {}
            (Some(_), None) => resolved.statements_absent += 1,
            (Some(pending), Some((statement, ROWS_PER_STATEMENT))) if statement == pending => {
                resolved.statements_present += 1;
                self.statements.insert(pending);
            }
            (_, Some((statement, count))) => {
                return Err(format!(
                    "{who}: statement {statement} has {count} rows but was not acknowledged \
                     (half-visible or never sent)"
                ))
            }
        }
        if let Some((statement, count)) = found.pop_first() {
            return Err(format!(
                "{who}: unknown statement {statement} ({count} rows)"
            ));
        }
        Ok(())
    }
}

/// Every event of `stream`, in offset order.
///
/// # Errors
/// A description of a failed read.
pub fn read_all(client: &Client, stream: StreamId) -> Result<Vec<Vec<u8>>, String> {
    let mut events = Vec::new();
    loop {
        let from = Offset(events.len() as u64);
        let page = client
            .read(stream, from, READ_PAGE)
            .map_err(|error| format!("read of stream {} failed: {error}", stream.0))?;
        if page.events.is_empty() {
            return Ok(events);
        }
        events.extend(page.events);
    }
}
