//! Reads that never wait for the disk: a scope in which file reads are served
//! from memory (the page cache) or not at all.
//!
//! A small read of recent data is a few microseconds of copying from the page
//! cache; handing it to a thread pool, so that an async worker is never stuck on
//! a disk, costs two thread wake-ups, more than the read itself. Inside
//! [`cached_only`] the real file system reads with `preadv2(RWF_NOWAIT)`, which
//! fails with `EAGAIN` instead of starting disk I/O; any such read marks the
//! scope as missed and fails with [`io::ErrorKind::WouldBlock`], and
//! `cached_only` then returns `None`: the caller runs the same call again where
//! blocking is allowed. A result computed in a missed scope is dropped, whatever
//! it is, so a read that failed only for being uncached is never reported.
//!
//! The scope is per thread and does not nest (an inner scope ends the outer
//! one's cached-only reads; nothing in the engine nests them). File systems that
//! do not support `RWF_NOWAIT` count as always uncached, so calls there take the
//! blocking path as before. Lock waits are not covered: the engine's locks that
//! readers take are held for memory updates only (see `IndexSync`), never across
//! a sync.

use std::cell::Cell;
use std::io;

thread_local! {
    /// Whether reads on this thread must not wait for the disk.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Whether a read in the current scope found its data uncached.
    static MISSED: Cell<bool> = const { Cell::new(false) };
}

/// Ends the scope, also when `call` panics.
struct ScopeGuard;

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        ACTIVE.with(|active| active.set(false));
    }
}

/// Runs `call` with reads served only from memory. `Some` with its result when
/// every read was; `None` when one would have waited for the disk (the result
/// is then dropped: run `call` again on a thread that may block).
pub fn cached_only<T>(call: impl FnOnce() -> T) -> Option<T> {
    ACTIVE.with(|active| active.set(true));
    MISSED.with(|missed| missed.set(false));
    let guard = ScopeGuard;
    let result = call();
    drop(guard);
    let missed = MISSED.with(Cell::take);
    (!missed).then_some(result)
}

/// Whether reads on this thread are inside a [`cached_only`] scope.
pub(crate) fn active() -> bool {
    ACTIVE.with(Cell::get)
}

/// Records that a read found its data uncached and returns the error it fails
/// with.
pub(crate) fn miss() -> io::Error {
    MISSED.with(|missed| missed.set(true));
    io::Error::new(
        io::ErrorKind::WouldBlock,
        "the data is not in memory (read only from cache)",
    )
}

#[cfg(test)]
mod tests;
