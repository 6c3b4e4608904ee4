//! The queue's invariants without a server: one outcome per call, one wake-up
//! byte from the first push after an emptying take, contexts unique while running,
//! cancellation by context, and a call that ends without an outcome reports a panic.

use std::ptr::null_mut;

use super::*;
use crate::error::{kmb_error_code, kmb_error_free};
use crate::status::{KMB_CODE_CANCELLED, KMB_CODE_PANIC};

fn queue() -> kmb_completions {
    socket_pair().unwrap()
}

/// Whether the descriptor the caller waits on holds a wake-up byte.
fn readable(queue: &kmb_completions) -> bool {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let mut fds = [PollFd::new(&queue.readable, PollFlags::IN)];
    let ready = poll(&mut fds, Some(&Timespec::default())).unwrap();
    ready == 1 && fds[0].revents().contains(PollFlags::IN)
}

fn take(queue: &kmb_completions, capacity: usize) -> Vec<kmb_completion> {
    let empty = kmb_completion {
        context: usize::MAX,
        status: kmb_status::KMB_ERROR,
        value: u64::MAX,
        error: null_mut(),
    };
    let mut out = vec![empty; capacity];
    let mut count = usize::MAX;
    // SAFETY: a live queue and `capacity` writable completions.
    let status =
        unsafe { kmb_completions_take(queue, out.as_mut_ptr(), capacity, &mut count, null_mut()) };
    assert_eq!(status, kmb_status::KMB_OK);
    out.truncate(count);
    out
}

#[test]
fn a_finished_call_wakes_the_caller_once_and_is_taken_once() {
    let queue = queue();
    assert!(take(&queue, 4).is_empty());
    assert!(!readable(&queue));
    let (call, _cancelled) = queue.start(7).unwrap();
    assert!(!readable(&queue), "nothing finished yet");
    call.finish(Ok(42));
    assert!(readable(&queue));
    let taken = take(&queue, 4);
    assert_eq!(taken.len(), 1);
    assert_eq!(
        (taken[0].context, taken[0].status, taken[0].value),
        (7, kmb_status::KMB_OK, 42)
    );
    assert!(taken[0].error.is_null());
    assert!(!readable(&queue), "the emptying take read the wake-up byte");
    assert!(take(&queue, 4).is_empty());
}

#[test]
fn a_context_is_refused_while_its_call_runs_and_free_again_after() {
    let queue = queue();
    let (call, _cancelled) = queue.start(3).unwrap();
    let refused = queue.start(3).unwrap_err();
    let (status, error) = kmb_error::from_failure(&refused);
    assert_eq!(status, kmb_status::KMB_ERROR);
    // SAFETY: a live error object.
    let code = unsafe { kmb_error_code(&error) };
    assert_eq!(code, crate::status::KMB_CODE_INVALID_ARGUMENT);
    call.finish(Ok(0));
    let (again, _cancelled) = queue.start(3).unwrap();
    again.finish(Ok(1));
    let values: Vec<u64> = take(&queue, 4).iter().map(|done| done.value).collect();
    assert_eq!(values, [0, 1]);
}

#[test]
fn cancel_fires_the_named_call_only_and_ignores_unknown_contexts() {
    let queue = queue();
    let (_first, mut first_cancelled) = queue.start(1).unwrap();
    let (_second, mut second_cancelled) = queue.start(2).unwrap();
    // SAFETY: a live queue; NULL is documented as ignored.
    unsafe {
        kmb_completions_cancel(&queue, 99);
        kmb_completions_cancel(std::ptr::null(), 1);
        kmb_completions_cancel(&queue, 2);
    }
    assert!(first_cancelled.try_recv().is_err());
    assert!(second_cancelled.try_recv().is_ok());
}

#[test]
fn failures_and_calls_that_end_without_an_outcome_arrive_with_an_error() {
    let queue = queue();
    let (cancelled, _) = queue.start(1).unwrap();
    cancelled.finish(Err(Failure::Cancelled));
    let (lost, _) = queue.start(2).unwrap();
    drop(lost);
    let taken = take(&queue, 4);
    let seen: Vec<(usize, kmb_status, u32)> = taken
        .iter()
        .map(|done| {
            // SAFETY: each error is new and owned by the taker, freed once.
            let code = unsafe { kmb_error_code(done.error) };
            unsafe { kmb_error_free(done.error) };
            (done.context, done.status, code)
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, kmb_status::KMB_CANCELLED, KMB_CODE_CANCELLED),
            (2, kmb_status::KMB_PANIC, KMB_CODE_PANIC),
        ]
    );
}

#[test]
fn partial_takes_drain_in_order_and_the_next_push_wakes_again() {
    let queue = queue();
    for context in 0..5 {
        let (call, _) = queue.start(context).unwrap();
        call.finish(Ok(context as u64 * 10));
    }
    let mut contexts = Vec::new();
    loop {
        let batch = take(&queue, 2);
        contexts.extend(batch.iter().map(|done| done.context));
        if batch.len() < 2 {
            break;
        }
    }
    assert_eq!(contexts, [0, 1, 2, 3, 4]);
    assert!(!readable(&queue));
    let (call, _) = queue.start(9).unwrap();
    call.finish(Ok(90));
    assert!(
        readable(&queue),
        "a push after an emptying take writes a byte"
    );
    assert_eq!(take(&queue, 2).len(), 1);
}

#[test]
fn a_call_may_finish_after_its_queue_was_freed() {
    let queue = Box::into_raw(Box::new(queue()));
    // SAFETY: the queue is live until freed below, once.
    let (call, _) = unsafe { &*queue }.start(1).unwrap();
    unsafe { kmb_completions_free(queue) };
    call.finish(Ok(5));
}

#[test]
fn null_arguments_are_refused() {
    let mut count = 0;
    let mut error = null_mut();
    // SAFETY: NULL handles are documented to give KMB_NULL_ARGUMENT or -1.
    unsafe {
        assert_eq!(kmb_completions_fd(std::ptr::null()), -1);
        let status = kmb_completions_take(std::ptr::null(), null_mut(), 0, &mut count, &mut error);
        assert_eq!(status, kmb_status::KMB_NULL_ARGUMENT);
        kmb_error_free(error);
        let queue = queue();
        let status = kmb_completions_take(&queue, null_mut(), 4, &mut count, &mut error);
        assert_eq!(status, kmb_status::KMB_NULL_ARGUMENT);
        kmb_error_free(error);
        kmb_completions_free(std::ptr::null_mut());
    }
}
