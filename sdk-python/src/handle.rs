//! A client handle that knows the process it was made in.
//!
//! A tokio runtime's threads do not survive `fork()`: a call in the child would wait
//! for them forever. Every call first checks the process id and fails with
//! `ForkedProcessError` in a child; dropping the handle there leaks the client on
//! purpose instead of joining threads that do not exist.

use std::sync::RwLock;

use pyo3::PyResult;

/// A cloneable client (or subscription) behind a close-able, fork-aware handle.
pub struct Handle<T> {
    created_in: u32,
    inner: RwLock<Option<T>>,
}

impl<T: Clone> Handle<T> {
    /// A handle over `inner`, made in this process.
    pub fn new(inner: T) -> Self {
        Self {
            created_in: std::process::id(),
            inner: RwLock::new(Some(inner)),
        }
    }

    /// A clone of the client, or the error of a closed or forked handle.
    pub fn get(&self) -> PyResult<T> {
        self.check_process()?;
        let guard = self.inner.read().map_err(|_| crate::error::closed())?;
        guard.clone().ok_or_else(crate::error::closed)
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.inner.read().map_or(true, |guard| guard.is_none())
    }

    /// Takes the client out; later calls fail as closed.
    pub fn take(&self) -> PyResult<Option<T>> {
        self.check_process()?;
        let mut guard = self.inner.write().map_err(|_| crate::error::closed())?;
        Ok(guard.take())
    }

    fn check_process(&self) -> PyResult<()> {
        if std::process::id() == self.created_in {
            Ok(())
        } else {
            Err(crate::error::forked(self.created_in))
        }
    }
}

impl<T> Drop for Handle<T> {
    fn drop(&mut self) {
        if std::process::id() != self.created_in {
            if let Ok(mut guard) = self.inner.write() {
                // In a forked child the runtime's threads are gone: never run the
                // client's destructor there (it would wait for them).
                std::mem::forget(guard.take());
            }
        }
    }
}
