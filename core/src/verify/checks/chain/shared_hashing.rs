//! Hashing a big verified answer on the caller's thread with help from idle
//! cores, without ever waiting for the helpers.
//!
//! A verified read of 1 MiB spends most of its client time in SHA-256 over the
//! records. While the caller checks one answer, the server is idle (the caller
//! asked for nothing else), so other cores usually are too. Waiting for a thread
//! is what makes that unsafe: on a busy machine a woken thread may not run for
//! milliseconds. So the work is shared like this:
//!
//! - The answer is cut into chunks of [`CHUNK_RECORDS`]. The helpers are offered
//!   the back part ([`Job`]: a copy of its records, so a helper borrows nothing
//!   of the caller's) and take chunks from the end; the caller hashes from the
//!   front, its own part first and then the offered part.
//! - Each chunk is claimed once under a lock, by the caller or by a helper.
//! - When nothing is left to claim, the caller takes each helper chunk whose
//!   hashes are ready and hashes any other itself (a helper claimed it but has
//!   not finished it, perhaps because it was not scheduled). It never blocks on
//!   a helper: the worst case is the serial time plus the copy.
//!
//! A check that runs while the server works on another request of ours (a scan's
//! next part, the second part of a big read) leaves the other cores to the
//! server and hashes on its own thread ([`while_server_works`]): there, helping
//! would only take time from the work the check overlaps.
//!
//! The helpers are a few long-lived threads (one fewer than the cores, at most
//! [`MAX_HELPERS`]), started on first use. Small answers are hashed serially:
//! handing work over costs more than it saves below [`PARALLEL_MIN_BYTES`].

use std::cell::Cell;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

/// Records per chunk: about 32 us of hashing for 1 KiB records, so a chunk a
/// helper leaves unfinished costs the caller little to redo.
pub(super) const CHUNK_RECORDS: usize = 32;

/// Payload bytes below which an answer is hashed on the caller's thread only.
pub(super) const PARALLEL_MIN_BYTES: usize = 192 * 1024;

/// Helper threads at most, whatever the number of cores.
const MAX_HELPERS: usize = 3;

thread_local! {
    /// Whether checks on this thread overlap the server's work for this client.
    static SERVER_WORKS: Cell<bool> = const { Cell::new(false) };
}

/// Runs `check` (on this thread, with no await in it) hashing without helpers:
/// for a check that overlaps a request of ours the server is working on.
pub(crate) fn while_server_works<R>(check: impl FnOnce() -> R) -> R {
    /// Puts the flag back however `check` ends.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SERVER_WORKS.set(self.0);
        }
    }
    let _restore = Restore(SERVER_WORKS.replace(true));
    check()
}

/// A record's hashed fields, without its payload.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) offset: Offset,
    pub(crate) timestamp_ns: u64,
    pub(crate) kind: u8,
    pub(crate) prev_hash: Hash,
}

/// Hashes one record (None for a kind this client does not know).
pub(super) type HashOne = fn(TenantId, StreamId, Fields, &[u8]) -> Option<Hash>;

/// Which chunks are still unclaimed: `front..back`.
struct Claims {
    front: usize,
    back: usize,
}

/// The part of an answer offered to the helpers, with its results.
struct Job {
    tenant_id: TenantId,
    stream_id: StreamId,
    hash_one: HashOne,
    /// Index of the first offered chunk; helpers never go below it.
    first_offered: usize,
    /// The offered records' fields and where each payload lies in `payloads`.
    fields: Vec<(Fields, std::ops::Range<usize>)>,
    payloads: Vec<u8>,
    claims: Mutex<Claims>,
    /// One slot per offered chunk, filled by the helper that hashed it.
    done: Vec<OnceLock<Vec<Option<Hash>>>>,
}

impl Job {
    /// A helper's next chunk, from the back, or None when none is left.
    fn claim_back(&self) -> Option<usize> {
        let mut claims = self.claims.lock().unwrap_or_else(PoisonError::into_inner);
        (claims.back > claims.front.max(self.first_offered)).then(|| {
            claims.back -= 1;
            claims.back
        })
    }

    /// The caller's next chunk, from the front, or None when none is left.
    fn claim_front(&self) -> Option<usize> {
        let mut claims = self.claims.lock().unwrap_or_else(PoisonError::into_inner);
        (claims.front < claims.back).then(|| {
            claims.front += 1;
            claims.front - 1
        })
    }

    /// Hashes offered chunk `chunk` from the copy (a helper's work).
    fn hash_chunk(&self, chunk: usize) -> Vec<Option<Hash>> {
        let start = (chunk - self.first_offered) * CHUNK_RECORDS;
        let end = (start + CHUNK_RECORDS).min(self.fields.len());
        self.fields[start..end]
            .iter()
            .map(|(fields, range)| {
                (self.hash_one)(
                    self.tenant_id,
                    self.stream_id,
                    *fields,
                    &self.payloads[range.clone()],
                )
            })
            .collect()
    }

    /// Runs on a helper thread: hashes chunks from the back while any is left.
    fn help(&self) {
        while let Some(chunk) = self.claim_back() {
            let hashes = self.hash_chunk(chunk);
            // Only this helper claimed the chunk, so the slot is empty.
            let _ = self.done[chunk - self.first_offered].set(hashes);
        }
    }
}

/// The helpers' job queues, started on first use (empty if none could start or
/// the machine has one core).
fn helpers() -> &'static [Mutex<Sender<Arc<Job>>>] {
    static HELPERS: OnceLock<Vec<Mutex<Sender<Arc<Job>>>>> = OnceLock::new();
    HELPERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        (0..cores.saturating_sub(1).min(MAX_HELPERS))
            .map_while(|index| {
                let (sender, receiver) = mpsc::channel::<Arc<Job>>();
                std::thread::Builder::new()
                    .name(format!("kimberlite-verify-{index}"))
                    .spawn(move || receiver.into_iter().for_each(|job| job.help()))
                    .ok()
                    .map(|_| Mutex::new(sender))
            })
            .collect()
    })
}

/// A record as hashed: its fields and its payload.
pub(crate) type Part<'a> = (Fields, &'a [u8]);

/// The hashes of `records`, in order, computed with the helpers' help when the
/// answer is big enough and helpers exist.
pub(super) fn hash_records(
    scope: (TenantId, StreamId),
    records: &[Part<'_>],
    hash_one: HashOne,
) -> Vec<Option<Hash>> {
    let bytes: usize = records.iter().map(|(_, payload)| payload.len()).sum();
    let alone = SERVER_WORKS.get();
    let helpers = if bytes >= PARALLEL_MIN_BYTES && records.len() > CHUNK_RECORDS && !alone {
        helpers()
    } else {
        &[]
    };
    if helpers.is_empty() {
        return hash_serially(scope, records, hash_one);
    }
    let job = Arc::new(Job::offer(scope, records, hash_one, helpers.len()));
    for helper in helpers {
        // A helper that is gone just does not help.
        let _ = helper
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job.clone());
    }
    job.finish(records)
}

fn hash_serially(
    (tenant_id, stream_id): (TenantId, StreamId),
    records: &[Part<'_>],
    hash_one: HashOne,
) -> Vec<Option<Hash>> {
    records
        .iter()
        .map(|(fields, payload)| hash_one(tenant_id, stream_id, *fields, payload))
        .collect()
}

impl Job {
    /// Offers the back of `records` to `helpers` helpers: the caller keeps
    /// 1 / (helpers + 1) of the chunks (at least one) for itself.
    fn offer(
        (tenant_id, stream_id): (TenantId, StreamId),
        records: &[Part<'_>],
        hash_one: HashOne,
        helpers: usize,
    ) -> Self {
        let chunks = records.len().div_ceil(CHUNK_RECORDS);
        let first_offered = (chunks / (helpers + 1)).clamp(1, chunks);
        let offered = &records[(first_offered * CHUNK_RECORDS).min(records.len())..];
        let mut payloads = Vec::with_capacity(offered.iter().map(|(_, p)| p.len()).sum());
        let fields = offered
            .iter()
            .map(|(fields, payload)| {
                let start = payloads.len();
                payloads.extend_from_slice(payload);
                (*fields, start..payloads.len())
            })
            .collect();
        Self {
            tenant_id,
            stream_id,
            hash_one,
            first_offered,
            fields,
            payloads,
            claims: Mutex::new(Claims {
                front: first_offered,
                back: chunks,
            }),
            done: (first_offered..chunks).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The caller's side: hashes its own chunks and then claims offered ones
    /// from the front; takes the helpers' finished chunks and redoes any that
    /// a helper claimed but has not finished. Never waits.
    fn finish(&self, records: &[Part<'_>]) -> Vec<Option<Hash>> {
        let scope = (self.tenant_id, self.stream_id);
        let chunk_of = |chunk: usize| {
            let start = chunk * CHUNK_RECORDS;
            &records[start..(start + CHUNK_RECORDS).min(records.len())]
        };
        let own = &records[..(self.first_offered * CHUNK_RECORDS).min(records.len())];
        let mut hashes = hash_serially(scope, own, self.hash_one);
        let mut claimed = Vec::new();
        while let Some(chunk) = self.claim_front() {
            claimed.push((chunk, hash_serially(scope, chunk_of(chunk), self.hash_one)));
        }
        let mut claimed = claimed.into_iter().peekable();
        for chunk in self.first_offered..self.first_offered + self.done.len() {
            if let Some((_, mine)) = claimed.next_if(|(index, _)| *index == chunk) {
                hashes.extend(mine);
            } else if let Some(helped) = self.done[chunk - self.first_offered].get() {
                hashes.extend_from_slice(helped);
            } else {
                // Claimed by a helper that has not finished it: do it here.
                hashes.extend(hash_serially(scope, chunk_of(chunk), self.hash_one));
            }
        }
        hashes
    }
}

#[cfg(test)]
mod tests;
