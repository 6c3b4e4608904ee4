//! The writer thread: group commit.
//!
//! Every write of the node passes through this one thread. It takes everything
//! queued (up to a byte budget), runs each request through the kernel, builds the
//! records (hash over the plaintext, then seal), writes the whole batch with one
//! write and one `fdatasync`, then indexes the records, publishes the new lengths
//! and answers. So concurrent appenders share one sync, and an answer is sent only
//! once its records are durable.
//!
//! A failed write or sync is fatal: the node's durable state is then unknown, so
//! every pending and later request fails until a restart recovers from disk.

use std::collections::HashMap;
use std::sync::{mpsc, Arc};

use kimberlite_kernel::{Effect, State};
use kimberlite_protocol::Hash;

use super::completion::Completion;
use super::error::EngineError;
use super::intent::{AppendOutcome, Intent};
use super::records::{Chain, RecordBuilder};
use super::shared::Shared;
use super::snapshot;
use super::streams::{StreamHandle, StreamKey};
use crate::wal::Wal;

/// A record staged in the current batch.
struct Staged {
    key: StreamKey,
    timestamp_ns: u64,
    record_hash: Hash,
}

/// An answer to send once the batch is durable.
enum Reply {
    Append(
        Completion<AppendOutcome>,
        Result<AppendOutcome, EngineError>,
    ),
    Catalog(Completion<Vec<Effect>>, Result<Vec<Effect>, EngineError>),
    Snapshot(Completion<()>),
}

impl Reply {
    fn fail(self, error: &EngineError) {
        match self {
            Self::Append(completion, _) => completion.complete(Err(error.to_shared())),
            Self::Catalog(completion, _) => completion.complete(Err(error.to_shared())),
            Self::Snapshot(completion) => completion.complete(Err(error.to_shared())),
        }
    }
}

/// The answers of one durable batch and the streams it touched.
struct Answers {
    replies: Vec<Reply>,
    keys: Vec<StreamKey>,
}

impl Answers {
    /// Answers every caller, then tells the commit listeners.
    fn deliver(self, shared: &Shared) {
        for reply in self.replies {
            match reply {
                Reply::Append(completion, result) => completion.complete(result),
                Reply::Catalog(completion, result) => completion.complete(result),
                Reply::Snapshot(completion) => completion.complete(Ok(())),
            }
        }
        if !self.keys.is_empty() {
            shared.notify_commits(self.keys.into_iter());
        }
    }
}

/// Everything one group commit collects before it writes.
#[derive(Default)]
struct Batch {
    builder: RecordBuilder,
    staged: Vec<Staged>,
    replies: Vec<Reply>,
    catalog_changed: bool,
    /// Effects to carry out once the batch is durable (key destruction).
    after_sync: Vec<Effect>,
    wants_snapshot: bool,
}

/// A request's own failure (answered to its caller) inside a fatal `Result`.
type Staging<T> = Result<Result<T, EngineError>, EngineError>;

mod stage;

/// Index bytes a stream keeps in memory before writing them to its files.
pub(crate) const INDEX_FLUSH_BYTES: usize = 16 * 1024;

/// State owned by the writer thread.
pub(crate) struct Writer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) wal: Wal,
    /// The kernel state including everything written so far.
    pub(crate) state: State,
    /// Length, head and time of every stream, the system stream included.
    pub(crate) chains: HashMap<StreamKey, Chain>,
    pub(crate) bytes_since_snapshot: u64,
}

impl Writer {
    /// Runs until the queue is closed and drained, then writes a last snapshot.
    ///
    /// Answers go out on a second thread, so waking the callers of one batch
    /// overlaps with building and syncing the next.
    pub(crate) fn run(mut self) {
        let (sender, receiver) = mpsc::channel::<Answers>();
        let shared = self.shared.clone();
        let answerer = std::thread::Builder::new()
            .name("kimberlite-answers".into())
            .spawn(move || {
                receiver
                    .into_iter()
                    .for_each(|answers| answers.deliver(&shared))
            });
        let sender = answerer.is_ok().then_some(sender);
        while let Some(intents) = self.shared.take_batch() {
            let mut batch = Batch::default();
            match self.commit_batch(intents, &mut batch) {
                Ok(()) => {
                    let keys = batch.staged.iter().map(|record| record.key).collect();
                    let answers = Answers {
                        replies: batch.replies,
                        keys,
                    };
                    match &sender {
                        Some(sender) => {
                            if let Err(unsent) = sender.send(answers) {
                                unsent.0.deliver(&self.shared);
                            }
                        }
                        None => answers.deliver(&self.shared),
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "storage failure: the node stops accepting writes");
                    self.shared.fail(error.to_string());
                    let error = EngineError::Failed(error.to_string());
                    for reply in batch.replies {
                        reply.fail(&error);
                    }
                }
            }
        }
        if self.shared.failure().is_none() {
            if let Err(error) = self.write_snapshot() {
                tracing::error!(%error, "could not write the final snapshot");
                self.shared.fail(error.to_string());
            }
        }
        drop(sender);
        if let Ok(answerer) = answerer {
            if answerer.join().is_err() {
                tracing::error!("the answering thread panicked");
            }
        }
    }

    /// Stages every intent, makes the batch durable, indexes and publishes it.
    /// An `Err` is fatal; rejected requests carry their own error in a reply.
    fn commit_batch(&mut self, intents: Vec<Intent>, batch: &mut Batch) -> Result<(), EngineError> {
        let timestamp_ns = self.shared.clock.now_ns();
        let mut intents = intents.into_iter();
        while let Some(intent) = intents.next() {
            if let Err(fatal) = self.stage(intent, timestamp_ns, batch) {
                let error = EngineError::Failed(fatal.to_string());
                intents.for_each(|intent| intent.fail(error.to_shared()));
                return Err(fatal);
            }
        }
        if !batch.staged.is_empty() {
            let bodies: Vec<&[u8]> = batch.builder.bodies().collect();
            let positions = self.wal.append_batch(&bodies)?;
            let bytes = batch.builder.total_bytes();
            self.shared.stats.record_batch(positions.len(), bytes);
            self.bytes_since_snapshot += bytes as u64;
            self.index(&batch.staged, &positions)?;
        }
        for effect in &batch.after_sync {
            if let Effect::DestroyTenantKey { tenant_id } = effect {
                self.shared.keys.destroy_tenant_key(*tenant_id)?;
            }
        }
        if batch.catalog_changed {
            self.shared.publish_catalog(&self.state);
        }
        let interval = self.shared.config.snapshot_interval_bytes;
        if batch.wants_snapshot || self.bytes_since_snapshot >= interval {
            self.write_snapshot()?;
        }
        Ok(())
    }

    /// Runs one intent through the kernel and stages its records.
    fn stage(
        &mut self,
        intent: Intent,
        timestamp_ns: u64,
        batch: &mut Batch,
    ) -> Result<(), EngineError> {
        match intent {
            Intent::Append {
                tenant_id,
                stream_id,
                expected_offset,
                events,
                completion,
            } => {
                let key = (tenant_id, stream_id);
                let result =
                    self.stage_append(batch, key, expected_offset, &events, timestamp_ns)?;
                batch.replies.push(Reply::Append(completion, result));
            }
            Intent::Catalog { build, completion } => {
                let result = match build(&self.state, timestamp_ns) {
                    Ok(command) => self.stage_catalog(batch, &command, timestamp_ns)?,
                    Err(rejected) => Err(rejected),
                };
                batch.replies.push(Reply::Catalog(completion, result));
            }
            Intent::SqlEffect {
                tenant_id,
                table_changes,
                effect,
                completion,
            } => {
                let result =
                    self.stage_sql(batch, tenant_id, table_changes, effect, timestamp_ns)?;
                batch.catalog_changed |= result.is_ok();
                batch.replies.push(Reply::Append(completion, result));
            }
            Intent::Snapshot { completion } => {
                batch.wants_snapshot = true;
                batch.replies.push(Reply::Snapshot(completion));
            }
        }
        Ok(())
    }

    /// Adds durable records to their streams' indexes, then publishes lengths.
    fn index(&mut self, staged: &[Staged], positions: &[u64]) -> Result<(), EngineError> {
        let mut touched: HashMap<StreamKey, Arc<StreamHandle>> = HashMap::new();
        for (record, position) in staged.iter().zip(positions) {
            let handle = match touched.get(&record.key) {
                Some(handle) => handle.clone(),
                None => {
                    // Normally open since the stream's creation; otherwise open it
                    // at its length before this batch.
                    let after = self.chains.get(&record.key).map_or(0, |chain| chain.length);
                    let in_batch = staged
                        .iter()
                        .filter(|other| other.key == record.key)
                        .count();
                    let handle = self
                        .shared
                        .open_stream(record.key, after.saturating_sub(in_batch as u64))?;
                    touched.insert(record.key, handle.clone());
                    handle
                }
            };
            let mut indexes = handle.indexes_mut();
            indexes.append_record(*position, record.timestamp_ns, record.record_hash)?;
        }
        for handle in touched.values() {
            let mut indexes = handle.indexes_mut();
            // Readers see unflushed entries too; writes are batched to save
            // syscalls, and a snapshot flushes and syncs everything.
            indexes.flush_if_over(INDEX_FLUSH_BYTES)?;
            let length = indexes.len();
            drop(indexes);
            handle.publish(length);
        }
        Ok(())
    }

    /// Makes the indexes durable, then records the state they correspond to.
    pub(crate) fn write_snapshot(&mut self) -> Result<(), EngineError> {
        for handle in self.shared.streams.all() {
            // Flushed under the lock, synced after it: readers never wait
            // behind the lock for a disk sync.
            let sync = handle.indexes_mut().flush_for_sync()?;
            sync.run()?;
        }
        snapshot::write(
            self.shared.vfs.as_ref(),
            &self.shared.layout,
            &snapshot::Snapshot {
                wal_end_lsn: self.wal.end_lsn(),
                state: self.state.clone(),
                chains: self
                    .chains
                    .iter()
                    .map(|(key, chain)| (*key, *chain))
                    .collect(),
            },
        )?;
        self.bytes_since_snapshot = 0;
        Ok(())
    }
}
