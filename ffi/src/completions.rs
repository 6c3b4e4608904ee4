//! A completion queue: asynchronous calls (`kmb_client_append_async`) leave their
//! outcome in it instead of calling back into the caller, and a byte on a socket
//! tells the caller's event loop (Go's network poller, epoll, kqueue) that outcomes
//! wait. One `kmb_completions_take` hands over every outcome that finished since the
//! last, and no thread of the client's runtime ever runs the caller's code: a Go
//! callback entered from such a thread costs a switch into Go and leaves a Go
//! processor parked in a system-call state until the Go scheduler takes it back.
//!
//! Invariants, all under the one lock: `signalled` is true from the push that finds
//! it false, and writes the one wake-up byte, until a take empties `ready`; that
//! take reads the byte. So after a take that emptied the queue the socket holds no
//! byte and the next push writes one: a caller that waits for the descriptor then
//! cannot miss an outcome (a stray byte only wakes it for nothing). `running` holds
//! the cancel sender of every call started and not yet finished, by its context.
//! The queue keeps both ends of the socket open as long as a call may push, so a
//! write never meets a closed peer (no SIGPIPE in the caller's process).

use std::collections::{HashMap, VecDeque};
use std::ffi::c_int;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::error::kmb_error;
use crate::guard::{free_box, handle, invalid, put, put_box, run, run_plain, Failure};
use crate::status::kmb_status;

/// Where asynchronous calls leave their outcomes; free with `kmb_completions_free`.
#[derive(Debug)]
pub struct kmb_completions {
    shared: Arc<Shared>,
    /// The end the caller waits on (`kmb_completions_fd`).
    readable: UnixStream,
}

/// One finished call, as `kmb_completions_take` hands it over.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct kmb_completion {
    /// The `context` the call was started with.
    pub context: usize,
    /// How it ended; KMB_CANCELLED after `kmb_completions_cancel`.
    pub status: kmb_status,
    /// On KMB_OK the call's result (for an append, the first event's offset); else 0.
    pub value: u64,
    /// NULL on KMB_OK; otherwise a new error the taker owns (`kmb_error_free`).
    pub error: *mut kmb_error,
}

#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    /// The end a push writes its wake-up byte to.
    writable: UnixStream,
    /// A second handle on the caller's end, so a take can read it dry.
    drain: UnixStream,
}

#[derive(Debug, Default)]
struct State {
    ready: VecDeque<Finished>,
    signalled: bool,
    running: HashMap<usize, oneshot::Sender<()>>,
}

#[derive(Debug)]
struct Finished {
    context: usize,
    status: kmb_status,
    value: u64,
    error: Option<Box<kmb_error>>,
}

/// A started call: finishing it (or dropping it unfinished, when its task panicked
/// or its runtime shut down) leaves exactly one outcome in the queue.
#[derive(Debug)]
pub(crate) struct Call {
    shared: Option<Arc<Shared>>,
    context: usize,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held left no half-made change worth refusing.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, context: usize, outcome: Result<u64, Failure>) {
        let (status, value, error) = match outcome {
            Ok(value) => (kmb_status::KMB_OK, value, None),
            Err(failure) => {
                let (status, object) = kmb_error::from_failure(&failure);
                (status, 0, Some(Box::new(object)))
            }
        };
        let mut state = self.state();
        state.running.remove(&context);
        state.ready.push_back(Finished {
            context,
            status,
            value,
            error,
        });
        if !state.signalled {
            state.signalled = true;
            // WouldBlock means the socket is full of earlier bytes the caller will
            // read; any byte wakes it.
            let _ = (&self.writable).write(&[1]);
        }
    }
}

impl kmb_completions {
    /// Registers a call under `context` and gives the receiver that fires when
    /// `kmb_completions_cancel` names it.
    pub(crate) fn start(&self, context: usize) -> Result<(Call, oneshot::Receiver<()>), Failure> {
        let (sender, receiver) = oneshot::channel();
        let mut state = self.shared.state();
        if state.running.contains_key(&context) {
            return Err(invalid("context is already used by a running call"));
        }
        state.running.insert(context, sender);
        let call = Call {
            shared: Some(Arc::clone(&self.shared)),
            context,
        };
        Ok((call, receiver))
    }
}

impl Call {
    /// Leaves the outcome in the queue.
    pub(crate) fn finish(mut self, outcome: Result<u64, Failure>) {
        if let Some(shared) = self.shared.take() {
            shared.push(self.context, outcome);
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            let failure = Failure::Panic("the call ended without an outcome".to_owned());
            shared.push(self.context, Err(failure));
        }
    }
}

fn socket_pair() -> std::io::Result<kmb_completions> {
    let (readable, writable) = UnixStream::pair()?;
    readable.set_nonblocking(true)?;
    writable.set_nonblocking(true)?;
    let drain = readable.try_clone()?;
    let shared = Shared {
        state: Mutex::default(),
        writable,
        drain,
    };
    Ok(kmb_completions {
        shared: Arc::new(shared),
        readable,
    })
}

/// A new, empty completion queue.
#[no_mangle]
pub unsafe extern "C" fn kmb_completions_new(
    out: *mut *mut kmb_completions,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let queue = socket_pair().map_err(|source| {
            let code = kimberlite::ErrorCode::Connection;
            let message = "cannot make the completion queue's socket pair";
            Failure::Client(kimberlite::Error::new(code, message).with_source(source))
        })?;
        put_box(out, queue, "out")
    })
}

/// A non-blocking descriptor that becomes readable when outcomes wait (-1 for
/// NULL). It stays the queue's: wait on it (or on a dup of it), never read from it
/// (`kmb_completions_take` does), and do not close it.
#[no_mangle]
pub unsafe extern "C" fn kmb_completions_fd(queue: *const kmb_completions) -> c_int {
    run_plain(-1, || {
        handle(queue, "queue").map_or(-1, |queue| queue.readable.as_raw_fd())
    })
}

/// Moves up to `capacity` finished calls, oldest first, into `out` and sets
/// `*out_count`. Fewer than `capacity` means the queue is empty now; then wait for
/// the descriptor to become readable before the next take. May be called from any
/// thread, though one taker at a time is the intended use.
#[no_mangle]
pub unsafe extern "C" fn kmb_completions_take(
    queue: *const kmb_completions,
    out: *mut kmb_completion,
    capacity: usize,
    out_count: *mut usize,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let queue = handle(queue, "queue")?;
        if capacity > 0 && out.is_null() {
            return Err(Failure::Null("out"));
        }
        put(out_count, 0, "out_count")?;
        let mut state = queue.shared.state();
        if state.signalled {
            read_wake_up(&queue.shared.drain);
        }
        let count = capacity.min(state.ready.len());
        for (index, finished) in state.ready.drain(..count).enumerate() {
            let completion = kmb_completion {
                context: finished.context,
                status: finished.status,
                value: finished.value,
                error: finished.error.map_or(std::ptr::null_mut(), Box::into_raw),
            };
            // SAFETY: `out` points to `capacity` writable completions (header rule)
            // and `index < count <= capacity`.
            unsafe { out.add(index).write(completion) };
        }
        if state.ready.is_empty() {
            state.signalled = false;
        }
        put(out_count, count, "out_count")
    })
}

/// Reads the wake-up byte of a signalled queue (one read: there is one byte, and
/// the room for more only takes any stray byte along).
fn read_wake_up(mut socket: &UnixStream) {
    let mut bytes = [0_u8; 64];
    while let Err(error) = socket.read(&mut bytes) {
        if error.kind() != ErrorKind::Interrupted {
            return;
        }
    }
}

/// Ends the running call started with `context` with KMB_CANCELLED (its outcome
/// still arrives through the queue; the request may still take effect on the
/// server). A context with no running call is ignored, as is NULL.
#[no_mangle]
pub unsafe extern "C" fn kmb_completions_cancel(queue: *const kmb_completions, context: usize) {
    run_plain((), || {
        if let Ok(queue) = handle(queue, "queue") {
            if let Some(sender) = queue.shared.state().running.remove(&context) {
                let _ = sender.send(());
            }
        }
    });
}

/// Releases the queue; NULL is ignored. Calls still running finish into nothing:
/// their outcomes (and errors) are dropped.
#[no_mangle]
pub unsafe extern "C" fn kmb_completions_free(queue: *mut kmb_completions) {
    free_box(queue);
}

#[cfg(test)]
mod tests;
