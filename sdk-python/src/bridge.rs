//! How an asyncio coroutine waits for a tokio future, cheaply.
//!
//! A call creates a future on the running event loop, spawns the Rust work on the
//! tokio runtime and returns the asyncio future. When the work ends, the tokio thread
//! does not take the GIL: it queues the outcome in the loop's [`Inbox`] and, if no
//! wake-up is pending, writes one byte to a socket the loop watches
//! (`loop.add_reader`). The loop thread then converts every queued outcome to Python
//! objects and resolves the futures, many per wake-up under load. Loops without
//! `add_reader` (Windows' proactor) are woken with `call_soon_threadsafe` instead.
//! Cancelling the asyncio future aborts the tokio task.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::IntoPyObjectExt;
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

use crate::error::to_py;

/// Turns the work's output into the Python result, on the loop thread.
type Outcome = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// One finished call waiting for the loop thread.
struct Completion {
    future: Py<PyAny>,
    outcome: Outcome,
}

/// The side of an inbox that tokio threads use, without the GIL.
struct Shared {
    queue: Mutex<Vec<Completion>>,
    wake_pending: AtomicBool,
    wake: Wake,
}

enum Wake {
    /// The write end of a socket pair whose read end the loop watches.
    #[cfg(unix)]
    Socket(std::os::unix::net::UnixStream),
    /// A weak reference to the loop, woken with `call_soon_threadsafe`.
    Loop(Py<PyAny>),
}

/// The completions of one event loop.
#[pyclass(frozen, module = "kimberlite")]
pub struct Inbox {
    shared: Arc<Shared>,
    #[cfg(unix)]
    reader: Option<std::os::unix::net::UnixStream>,
}

/// Aborts the tokio task when its asyncio future is cancelled.
#[pyclass(frozen, module = "kimberlite")]
pub struct Canceller {
    task: AbortHandle,
}

/// The runtime every call of both clients runs on: one per process. A forked child
/// gets a new one (its parent's has no threads there and is leaked, never joined).
///
/// # Errors
/// `ConnectionFailedError` when no runtime can be started.
pub fn runtime() -> PyResult<Arc<Runtime>> {
    static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);
    let process = std::process::id();
    let mut guard = RUNTIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((owner, runtime)) = guard.as_ref() {
        if *owner == process {
            return Ok(Arc::clone(runtime));
        }
    }
    std::mem::forget(guard.take());
    // One worker drives the connections (as core's blocking client does): more
    // workers only add wake-ups between them, and Python runs one call at a time.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("kimberlite")
        .enable_all()
        .build()
        .map_err(|error| {
            let error =
                kimberlite::Error::new(kimberlite::ErrorCode::Connection, "cannot start a runtime")
                    .with_source(error);
            to_py(&error)
        })?;
    let runtime = Arc::new(runtime);
    *guard = Some((process, Arc::clone(&runtime)));
    Ok(runtime)
}

/// Runs `work` on the runtime; returns an asyncio future of the running loop that
/// resolves to `convert` of its output (or raises its error).
///
/// # Errors
/// `RuntimeError` when no event loop is running in this thread.
pub fn spawn<'py, T, R, F>(
    py: Python<'py>,
    work: F,
    convert: fn(Python<'_>, T) -> PyResult<R>,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = kimberlite::Result<T>> + Send + 'static,
    T: Send + 'static,
    R: for<'a> IntoPyObject<'a> + 'static,
{
    let event_loop = running_loop(py)?;
    let future = event_loop.call_method0("create_future")?;
    let inbox = inbox(py, &event_loop)?;
    let target = future.clone().unbind();
    let task = runtime()?.spawn(async move {
        let result = work.await;
        let outcome: Outcome = Box::new(move |py| match result {
            Ok(value) => convert(py, value)?.into_py_any(py),
            Err(error) => Err(to_py(&error)),
        });
        inbox.deliver(Completion {
            future: target,
            outcome,
        });
    });
    let canceller = Canceller {
        task: task.abort_handle(),
    };
    future.call_method1("add_done_callback", (canceller,))?;
    Ok(future)
}

fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()
}

/// A new, pending future of the running loop (for awaitables that need no work).
///
/// # Errors
/// `RuntimeError` when no event loop is running in this thread.
pub fn ready(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    running_loop(py)?.call_method0("create_future")
}

/// The inbox of `event_loop`, made and registered on first use.
fn inbox(py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Shared>> {
    static INBOXES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let inboxes = INBOXES
        .get_or_try_init(py, || {
            let weak = py.import("weakref")?.getattr("WeakKeyDictionary")?;
            weak.call0().map(Bound::unbind)
        })?
        .bind(py);
    let found = inboxes.call_method1("get", (event_loop,))?;
    if let Ok(inbox) = found.cast::<Inbox>() {
        return Ok(Arc::clone(&inbox.get().shared));
    }
    let inbox = Inbox::register(py, event_loop)?;
    let shared = Arc::clone(&inbox.get().shared);
    inboxes.set_item(event_loop, inbox)?;
    Ok(shared)
}

impl Shared {
    /// Queues a completion and wakes the loop unless a wake-up is pending.
    fn deliver(self: &Arc<Self>, completion: Completion) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.push(completion);
        }
        if self.wake_pending.swap(true, Ordering::SeqCst) {
            return;
        }
        match &self.wake {
            #[cfg(unix)]
            Wake::Socket(writer) => {
                // A full socket buffer means a wake-up is already on its way.
                let _ = std::io::Write::write(&mut &*writer, &[1]);
            }
            Wake::Loop(event_loop) => Python::attach(|py| {
                let Ok(event_loop) = event_loop.bind(py).call0() else {
                    return;
                };
                if !event_loop.is_none() {
                    let drain = Inbox {
                        shared: Arc::clone(self),
                        #[cfg(unix)]
                        reader: None,
                    };
                    let woken = event_loop.call_method1("call_soon_threadsafe", (drain,));
                    if let Err(error) = woken {
                        error.write_unraisable(py, None);
                    }
                }
            }),
        }
    }
}

impl Shared {
    fn new(wake: Wake) -> Self {
        Self {
            queue: Mutex::new(Vec::new()),
            wake_pending: AtomicBool::new(false),
            wake,
        }
    }
}

impl Inbox {
    /// A new inbox the loop calls when woken: through a watched socket where the
    /// loop can watch one, else through `call_soon_threadsafe`.
    fn register<'py>(
        py: Python<'py>,
        event_loop: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            let (reader, writer) = std::os::unix::net::UnixStream::pair()?;
            reader.set_nonblocking(true)?;
            writer.set_nonblocking(true)?;
            let descriptor = reader.as_raw_fd();
            let inbox = Bound::new(
                py,
                Self {
                    shared: Arc::new(Shared::new(Wake::Socket(writer))),
                    reader: Some(reader),
                },
            )?;
            match event_loop.call_method1("add_reader", (descriptor, &inbox)) {
                Ok(_) => return Ok(inbox),
                Err(error) if error.is_instance_of::<PyNotImplementedError>(py) => {}
                Err(error) => return Err(error),
            }
        }
        let weak = py.import("weakref")?.getattr("ref")?.call1((event_loop,))?;
        Bound::new(
            py,
            Self {
                shared: Arc::new(Shared::new(Wake::Loop(weak.unbind()))),
                #[cfg(unix)]
                reader: None,
            },
        )
    }
}

#[pymethods]
impl Inbox {
    /// Resolves every queued future (on the loop thread).
    fn __call__(&self, py: Python<'_>) {
        #[cfg(unix)]
        if let Some(reader) = &self.reader {
            let mut bytes = [0u8; 256];
            while matches!(std::io::Read::read(&mut &*reader, &mut bytes), Ok(read) if read > 0) {}
        }
        self.shared.wake_pending.store(false, Ordering::SeqCst);
        let batch = match self.shared.queue.lock() {
            Ok(mut queue) => std::mem::take(&mut *queue),
            Err(_) => return,
        };
        for completion in batch {
            if let Err(error) = settle(py, completion) {
                error.write_unraisable(py, None);
            }
        }
    }
}

/// Resolves one future unless it was cancelled meanwhile.
fn settle(py: Python<'_>, completion: Completion) -> PyResult<()> {
    let future = completion.future.bind(py);
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    match (completion.outcome)(py) {
        Ok(value) => future.call_method1("set_result", (value,))?,
        Err(error) => future.call_method1("set_exception", (error.into_value(py),))?,
    };
    Ok(())
}

#[pymethods]
impl Canceller {
    /// The future's done callback: aborts the work of a cancelled call.
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.task.abort();
        }
        Ok(())
    }
}
