//! Events handed back by reads, verified reads and subscriptions: one owned handle
//! whose bytes the caller reads in place (no copy until the caller makes one).

use kimberlite::verify::Checkpoint;
use kimberlite::{ReadResult, VerifiedRead};

use crate::error::kmb_error;
use crate::guard::{free_box, handle, invalid, put, put_hash, run};
use crate::status::kmb_status;

/// Events read; free with `kmb_events_free`.
#[derive(Debug)]
pub struct kmb_events {
    events: Vec<Stored>,
    next_offset: Option<u64>,
    checkpoint: Option<Checkpoint>,
}

#[derive(Debug)]
struct Stored {
    offset: u64,
    timestamp_ns: u64,
    payload: Vec<u8>,
}

/// One event, borrowed from its `kmb_events` until that is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct kmb_event {
    /// The event's offset in its stream.
    pub offset: u64,
    /// The server's commit time in nanoseconds since the Unix epoch (0 when the read
    /// does not report it: plain reads and subscriptions).
    pub timestamp_ns: u64,
    /// The event bytes.
    pub data: *const u8,
    /// Their length.
    pub len: usize,
}

impl kmb_events {
    pub(crate) fn from_read(from: u64, read: ReadResult) -> Self {
        let events = read.events.into_iter().enumerate();
        Self {
            events: events
                .map(|(index, payload)| Stored {
                    offset: from.saturating_add(index as u64),
                    timestamp_ns: 0,
                    payload,
                })
                .collect(),
            next_offset: read.next_offset.map(|offset| offset.0),
            checkpoint: None,
        }
    }

    pub(crate) fn from_verified(read: VerifiedRead) -> Self {
        let events = read.events.into_iter();
        Self {
            events: events
                .map(|event| Stored {
                    offset: event.offset.0,
                    timestamp_ns: event.timestamp_ns,
                    payload: event.payload,
                })
                .collect(),
            next_offset: read.next_offset.map(|offset| offset.0),
            checkpoint: Some(read.checkpoint),
        }
    }

    pub(crate) fn single(offset: u64, payload: Vec<u8>) -> Self {
        Self {
            events: vec![Stored {
                offset,
                timestamp_ns: 0,
                payload,
            }],
            next_offset: Some(offset.saturating_add(1)),
            checkpoint: None,
        }
    }
}

/// How many events there are (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn kmb_events_count(events: *const kmb_events) -> usize {
    // SAFETY: NULL or a live handle (header rule).
    unsafe { events.as_ref() }.map_or(0, |events| events.events.len())
}

/// Event `index` (from 0); its bytes stay valid until `kmb_events_free`.
#[no_mangle]
pub unsafe extern "C" fn kmb_events_get(
    events: *const kmb_events,
    index: usize,
    out: *mut kmb_event,
    error: *mut *mut kmb_error,
) -> kmb_status {
    run(error, || {
        let events = handle(events, "events")?;
        let stored = events
            .events
            .get(index)
            .ok_or_else(|| invalid(format!("event {index} of {}", events.events.len())))?;
        let event = kmb_event {
            offset: stored.offset,
            timestamp_ns: stored.timestamp_ns,
            data: stored.payload.as_ptr(),
            len: stored.payload.len(),
        };
        put(out, event, "out")
    })
}

/// The offset after the last event; false (and nothing written) when none was read.
#[no_mangle]
pub unsafe extern "C" fn kmb_events_next_offset(events: *const kmb_events, out: *mut u64) -> bool {
    // SAFETY: NULL or a live handle (header rule).
    let next = unsafe { events.as_ref() }.and_then(|events| events.next_offset);
    match next {
        Some(next) => put(out, next, "out").is_ok(),
        None => false,
    }
}

/// The checkpoint a verified read was checked against (now trusted): its tree size
/// and 32-byte root. False for reads that were not verified.
#[no_mangle]
pub unsafe extern "C" fn kmb_events_checkpoint(
    events: *const kmb_events,
    size: *mut u64,
    root: *mut u8,
) -> bool {
    // SAFETY: NULL or a live handle (header rule).
    let checkpoint = unsafe { events.as_ref() }.and_then(|events| events.checkpoint.as_ref());
    match checkpoint {
        Some(checkpoint) => {
            put(size, checkpoint.size, "size").is_ok()
                && put_hash(root, &checkpoint.root, "root").is_ok()
        }
        None => false,
    }
}

/// Releases events; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn kmb_events_free(events: *mut kmb_events) {
    free_box(events);
}
