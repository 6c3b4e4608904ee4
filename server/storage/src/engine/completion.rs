//! A one-shot completion: how the writer thread hands a result back to a caller.
//!
//! Callers either block on it ([`Completion::channel`] + [`Waiter::wait`]) or pass a
//! callback ([`Completion::callback`]), which is how an async server bridges to its
//! runtime without this crate depending on one. A completion dropped without a
//! result (the engine stopped) reports [`EngineError::Stopped`].

use std::sync::mpsc;

use super::error::EngineError;

type Callback<T> = Box<dyn FnOnce(Result<T, EngineError>) + Send>;

/// The sending half: completes exactly once.
pub struct Completion<T> {
    callback: Option<Callback<T>>,
}

/// The receiving half of a blocking completion.
#[derive(Debug)]
pub struct Waiter<T> {
    receiver: mpsc::Receiver<Result<T, EngineError>>,
}

impl<T: Send + 'static> Completion<T> {
    /// A completion that calls `callback` with the result, on the engine's
    /// answering thread.
    /// The callback must be quick and must not call back into the engine.
    pub fn callback(callback: impl FnOnce(Result<T, EngineError>) + Send + 'static) -> Self {
        Self {
            callback: Some(Box::new(callback)),
        }
    }

    /// A completion and the waiter that blocks for its result.
    #[must_use]
    pub fn channel() -> (Self, Waiter<T>) {
        let (sender, receiver) = mpsc::sync_channel(1);
        let completion = Self::callback(move |result| {
            // The waiter may have given up; nobody is left to tell.
            let _ = sender.send(result);
        });
        (completion, Waiter { receiver })
    }

    /// Delivers the result.
    pub fn complete(mut self, result: Result<T, EngineError>) {
        if let Some(callback) = self.callback.take() {
            callback(result);
        }
    }
}

impl<T> Drop for Completion<T> {
    fn drop(&mut self) {
        if let Some(callback) = self.callback.take() {
            callback(Err(EngineError::Stopped));
        }
    }
}

impl<T> std::fmt::Debug for Completion<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completion")
            .field("pending", &self.callback.is_some())
            .finish()
    }
}

impl<T> Waiter<T> {
    /// Blocks until the result arrives.
    pub fn wait(self) -> Result<T, EngineError> {
        self.receiver.recv().unwrap_or(Err(EngineError::Stopped))
    }
}
