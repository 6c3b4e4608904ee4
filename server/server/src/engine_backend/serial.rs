//! Blocking jobs run one after another per key, on one blocking-pool thread.
//!
//! One tenant's SQL reads take its view store's lock one at a time anyway.
//! Handed to the blocking pool each on its own, concurrent reads woke one
//! thread each, and those threads then slept and woke on the lock in turn: most
//! of the server's time under 8 concurrent AS OF queries went to those
//! wake-ups. Here the first job of a key starts a runner on the blocking pool,
//! jobs arriving meanwhile are only queued, and the runner takes them in order
//! until none is left. Different keys still run in parallel.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    running: bool,
}

/// A queue of blocking jobs per key.
pub(super) struct SerialRunners<K> {
    queues: Mutex<HashMap<K, Arc<Mutex<Queue>>>>,
}

impl<K> Default for SerialRunners<K> {
    fn default() -> Self {
        Self {
            queues: Mutex::new(HashMap::new()),
        }
    }
}

impl<K> std::fmt::Debug for SerialRunners<K> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SerialRunners")
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<K: Eq + Hash + Clone> SerialRunners<K> {
    /// Runs `job` after the jobs of `key` queued before it; `Err` when the
    /// job panicked or the runtime stopped before running it.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        key: &K,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, oneshot::error::RecvError> {
        let (sender, receiver) = oneshot::channel();
        let job: Job = Box::new(move || {
            // A receiver gone (the caller stopped waiting) needs no answer.
            let _ = sender.send(job());
        });
        let queue = Arc::clone(lock(&self.queues).entry(key.clone()).or_default());
        let start = {
            let mut queued = lock(&queue);
            queued.jobs.push_back(job);
            !std::mem::replace(&mut queued.running, true)
        };
        if start {
            drop(tokio::task::spawn_blocking(move || drain(&queue)));
        }
        receiver.await
    }
}

/// Runs the queue's jobs until it is empty. A job that panics drops its answer
/// (its caller gets an error) and the runner goes on with the next.
fn drain(queue: &Mutex<Queue>) {
    loop {
        let job = {
            let mut queued = lock(queue);
            match queued.jobs.pop_front() {
                Some(job) => job,
                None => {
                    queued.running = false;
                    return;
                }
            }
        };
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_of_one_key_never_overlap_and_all_answer() {
        let runners = Arc::new(SerialRunners::<u32>::default());
        let active = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut calls = Vec::new();
        for index in 0..64_usize {
            let (runners, active, most) = (runners.clone(), active.clone(), most.clone());
            calls.push(tokio::spawn(async move {
                runners
                    .run(&7, move || {
                        let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_micros(200));
                        active.fetch_sub(1, Ordering::SeqCst);
                        index * 2
                    })
                    .await
            }));
        }
        for (index, call) in calls.into_iter().enumerate() {
            assert_eq!(call.await.unwrap().unwrap(), index * 2);
        }
        assert_eq!(
            most.load(Ordering::SeqCst),
            1,
            "two jobs of one key ran at once"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn different_keys_run_side_by_side() {
        let runners = Arc::new(SerialRunners::<u32>::default());
        let entered = Arc::new(std::sync::Barrier::new(2));
        let first = {
            let (runners, entered) = (runners.clone(), entered.clone());
            tokio::spawn(async move { runners.run(&1, move || entered.wait().is_leader()).await })
        };
        let second = runners.run(&2, move || entered.wait().is_leader()).await;
        // Both jobs met at the barrier: neither waited for the other to end.
        let first = first.await.unwrap().unwrap();
        assert_ne!(first, second.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_that_panics_fails_its_caller_only() {
        let runners = SerialRunners::<u32>::default();
        let failed = runners.run(&1, || -> u32 { panic!("a job failed") }).await;
        assert!(failed.is_err());
        assert_eq!(runners.run(&1, || 5).await.unwrap(), 5);
    }
}
