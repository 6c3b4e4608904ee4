//! State shared by the engine's callers and its writer thread.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};

use kimberlite_kernel::State;
use kimberlite_protocol::note::NoteSigner;
use kimberlite_protocol::{StreamId, TenantId};

use super::config::{Clock, EngineConfig, Layout};
use super::error::EngineError;
use super::intent::Intent;
use super::streams::{StreamHandle, StreamKey, StreamRegistry};
use crate::crypto::{DataKey, KeyStore};
use crate::index::StreamIndexes;
use crate::io::Vfs;
use crate::wal::WalReader;

/// Called after records of a stream became durable, with the new length.
pub type CommitListener = Arc<dyn Fn(TenantId, StreamId, u64) + Send + Sync>;

#[derive(Default)]
struct Queue {
    intents: VecDeque<Intent>,
    closed: bool,
    /// The writer is blocked in `take_batch`: only then does a submit need to
    /// wake it (a condvar notification is a system call even with no waiter).
    writer_waiting: bool,
}

/// Everything the engine's threads share.
pub(crate) struct Shared {
    pub(crate) config: EngineConfig,
    pub(crate) vfs: Arc<dyn Vfs>,
    pub(crate) layout: Layout,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) keys: KeyStore,
    pub(crate) signer: NoteSigner,
    pub(crate) streams: StreamRegistry,
    pub(crate) wal_reader: WalReader,
    catalog: RwLock<Arc<State>>,
    queue: Mutex<Queue>,
    wakeup: Condvar,
    failure: Mutex<Option<String>>,
    listeners: RwLock<Vec<CommitListener>>,
    pub(crate) stats: Counters,
}

/// Running totals of the writer's work.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) group_commits: AtomicU64,
    pub(crate) records: AtomicU64,
    pub(crate) wal_bytes: AtomicU64,
}

/// What the engine has written since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Durable batch writes (one write and one `fdatasync` each).
    pub group_commits: u64,
    /// Records written.
    pub records: u64,
    /// Record bytes written to the WAL (bodies, before framing).
    pub wal_bytes: u64,
}

impl Counters {
    pub(crate) fn record_batch(&self, records: usize, bytes: usize) {
        self.group_commits.fetch_add(1, Ordering::Relaxed);
        self.records.fetch_add(records as u64, Ordering::Relaxed);
        self.wal_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> EngineStats {
        EngineStats {
            group_commits: self.group_commits.load(Ordering::Relaxed),
            records: self.records.load(Ordering::Relaxed),
            wal_bytes: self.wal_bytes.load(Ordering::Relaxed),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    #[allow(clippy::too_many_arguments)] // reason: built once, at open, from its parts
    pub(crate) fn new(
        config: EngineConfig,
        vfs: Arc<dyn Vfs>,
        clock: Arc<dyn Clock>,
        keys: KeyStore,
        signer: NoteSigner,
        wal_reader: WalReader,
    ) -> Self {
        let layout = Layout::new(&config.data_dir);
        Self {
            config,
            vfs,
            layout,
            clock,
            keys,
            signer,
            streams: StreamRegistry::default(),
            wal_reader,
            catalog: RwLock::new(Arc::new(State::default())),
            queue: Mutex::new(Queue::default()),
            wakeup: Condvar::new(),
            failure: Mutex::new(None),
            listeners: RwLock::new(Vec::new()),
            stats: Counters::default(),
        }
    }

    /// Queues an intent for the writer, or fails it at once if the engine
    /// stopped or failed.
    pub(crate) fn submit(&self, intent: Intent) {
        if let Some(reason) = self.failure() {
            intent.fail(EngineError::Failed(reason));
            return;
        }
        let mut queue = lock(&self.queue);
        if queue.closed {
            drop(queue);
            intent.fail(EngineError::Stopped);
            return;
        }
        queue.intents.push_back(intent);
        let wake = queue.writer_waiting;
        drop(queue);
        if wake {
            self.wakeup.notify_one();
        }
    }

    /// Blocks until there is work; returns up to a batch's worth, or `None` once
    /// the queue is closed and drained.
    pub(crate) fn take_batch(&self) -> Option<Vec<Intent>> {
        let mut queue = lock(&self.queue);
        while queue.intents.is_empty() {
            if queue.closed {
                return None;
            }
            queue.writer_waiting = true;
            queue = self
                .wakeup
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
            queue.writer_waiting = false;
        }
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        while let Some(next) = queue.intents.front() {
            let size = next.payload_bytes();
            if !batch.is_empty() && bytes + size > self.config.max_batch_bytes {
                break;
            }
            bytes += size;
            if let Some(intent) = queue.intents.pop_front() {
                batch.push(intent);
            }
        }
        Some(batch)
    }

    /// Stops accepting intents; the writer drains what is queued.
    pub(crate) fn close(&self) {
        lock(&self.queue).closed = true;
        self.wakeup.notify_all();
    }

    /// Records a fatal failure and fails everything queued.
    pub(crate) fn fail(&self, reason: String) {
        lock(&self.failure).get_or_insert(reason.clone());
        let drained: Vec<Intent> = lock(&self.queue).intents.drain(..).collect();
        for intent in drained {
            intent.fail(EngineError::Failed(reason.clone()));
        }
    }

    /// The fatal failure, if one happened.
    pub(crate) fn failure(&self) -> Option<String> {
        lock(&self.failure).clone()
    }

    /// The durable catalog.
    pub(crate) fn catalog(&self) -> Arc<State> {
        self.catalog
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn publish_catalog(&self, state: &State) {
        *self.catalog.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(state.clone());
    }

    pub(crate) fn add_listener(&self, listener: CommitListener) {
        self.listeners
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(listener);
    }

    pub(crate) fn notify_commits(&self, keys: impl Iterator<Item = StreamKey>) {
        let listeners = self
            .listeners
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        if listeners.is_empty() {
            return;
        }
        let mut seen = std::collections::HashSet::new();
        for key in keys.filter(|key| seen.insert(*key)) {
            let Some(handle) = self.streams.get(key) else {
                continue;
            };
            for listener in listeners.iter() {
                listener(key.0, key.1, handle.committed());
            }
        }
    }

    /// The stream's handle, opening its indexes (truncated to `length`, the
    /// length the log vouches for) if it is not open yet.
    pub(crate) fn open_stream(
        &self,
        key: StreamKey,
        length: u64,
    ) -> Result<Arc<StreamHandle>, EngineError> {
        if let Some(handle) = self.streams.get(key) {
            return Ok(handle);
        }
        let mut indexes =
            StreamIndexes::open(self.vfs.clone(), &self.layout.streams_dir(), key.0, key.1)?;
        let found = indexes.len();
        if found > length {
            indexes.truncate(length)?;
        } else if found < length {
            return Err(EngineError::IndexBehindSnapshot {
                tenant: key.0.get(),
                stream: key.1.get(),
                found,
                expected: length,
            });
        }
        let handle = Arc::new(StreamHandle::new(key, indexes, length));
        self.streams.insert(handle.clone());
        Ok(handle)
    }

    /// Validates an append's events against the configured limits.
    pub(crate) fn check_events(&self, events: &[Vec<u8>]) -> Result<(), EngineError> {
        if events.is_empty() {
            return Err(EngineError::InvalidRequest(
                "an append needs at least one event".into(),
            ));
        }
        let limit = self.config.max_event_bytes;
        if let Some(index) = events.iter().position(|event| event.len() > limit) {
            return Err(EngineError::InvalidRequest(format!(
                "event {index} is {} bytes; the limit is {limit}",
                events[index].len()
            )));
        }
        Ok(())
    }

    /// The tenant's data key, `None` if the tenant has none (unknown or erased).
    pub(crate) fn data_key(&self, tenant: TenantId) -> Result<Option<Arc<DataKey>>, EngineError> {
        Ok(self.keys.tenant_key(tenant)?)
    }
}
