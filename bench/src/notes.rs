//! The fixed part of the report: how each system runs each workload, so the
//! figures can be read for what they are.

/// The section "How each system runs the workloads".
pub const HOW_IT_RUNS: &str = "## How each system runs the workloads

Every client is one connection (PostgreSQL, Kimberlite: over loopback TCP) or one
connection on a thread of its own (SQLite), and has one operation in flight. Every
write is durable when it returns: Kimberlite acknowledges an append after its group
commit's fdatasync; PostgreSQL runs with `fsync=on` and `synchronous_commit=on`, each
statement its own transaction; SQLite is in WAL mode with `synchronous=FULL`.

- **append 1 record**: one 1 KiB record per call. Kimberlite: each client appends to
  a stream of its own (each stream is its own SHA-256 hash chain and Merkle tree).
  PostgreSQL: `INSERT INTO events (stream_id, payload)` into one table with a
  BIGSERIAL key. SQLite: the same INSERT.
- **PostgreSQL + hash-chain trigger**: the usual tamper-evident table. A BEFORE
  INSERT trigger selects the chain head row `FOR UPDATE`, stores
  `sha256(prev_hash || payload)` (PostgreSQL's built-in `sha256()`) and the
  sequence number in the new row, and updates the head; the row lock, held to
  commit, serialises the chain as a chain must be. The main column has ONE chain for
  the table (all clients); the column \"chain per client\" gives every client its
  own chain, as Kimberlite gives every stream its own.
- **append N records**: one call appends N records. Kimberlite: one append of N
  events. PostgreSQL: `INSERT ... SELECT $1, unnest($2::bytea[])`, one statement.
  SQLite: N INSERTs in one `BEGIN IMMEDIATE` transaction.
- **point read**: one record picked at random among those stored before the run.
  Kimberlite: a read of one event at a random offset of one stream. PostgreSQL and
  SQLite: `SELECT payload FROM records WHERE id = $1` on the primary key.
- **verified point read**: Kimberlite only, since neither PostgreSQL nor SQLite can
  prove to a client what it read. As the point read, and the client checks the
  signed checkpoint, the consistency proof from its trusted checkpoint, the record's
  inclusion proof and its hash before returning it.
- **SQL INSERT 1 row**: `INSERT INTO items (id, body) VALUES ($1, $2)` with a 1 KiB
  text, a fresh primary key per statement. Kimberlite runs it through its SQL front
  end, which appends the statement's effect to the tenant's SQL log (one stream) and
  updates the derived view.
- **AS OF point query**: one key's value at a past instant, each key having several
  versions. Kimberlite: `SELECT balance FROM accounts WHERE id = $1 AS OF TIMESTAMP
  '...'` over a table whose rows were really updated version by version.
  PostgreSQL: the usual history table, `accounts_history (id, balance, valid
  tstzrange)` with an index on `id`, queried with `WHERE id = $1 AND valid @> ts`.
  SQLite: the same shape with `valid_from` / `valid_to` integer columns and an index
  on `(id, valid_from)`. Every answer is checked against the expected version.
";
