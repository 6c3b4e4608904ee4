//! The list of open segment files, shared by the writer and every reader.
//!
//! Segments tile the log: segment `i + 1` starts where segment `i` ends, so a
//! position is found by a binary search on first positions. The last segment's
//! readable end is the durable end of the log, published by the writer only after
//! a batch's sync returned.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use super::format::SEGMENT_HEADER_BYTES;
use crate::io::FileHandle;

/// One open segment file.
#[derive(Debug)]
pub(crate) struct Segment {
    /// Log position of the segment's first byte (its header).
    pub(crate) first_lsn: u64,
    /// The file, for error messages.
    pub(crate) path: PathBuf,
    /// The open file.
    pub(crate) file: FileHandle,
}

/// A segment together with the end of its readable bytes.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    /// The segment.
    pub(crate) segment: Arc<Segment>,
    /// Log position after its last readable byte.
    pub(crate) end_lsn: u64,
    /// Whether it is the last segment.
    pub(crate) is_last: bool,
}

/// The segments and the durable end of the log.
#[derive(Debug)]
pub(crate) struct Segments {
    list: RwLock<Vec<Arc<Segment>>>,
    durable_end_lsn: AtomicU64,
}

impl Segments {
    /// The segments of an opened log, in order, ending at `durable_end_lsn`.
    pub(crate) fn new(list: Vec<Arc<Segment>>, durable_end_lsn: u64) -> Self {
        Self {
            list: RwLock::new(list),
            durable_end_lsn: AtomicU64::new(durable_end_lsn),
        }
    }

    /// The end of the durable log.
    pub(crate) fn durable_end_lsn(&self) -> u64 {
        self.durable_end_lsn.load(Ordering::Acquire)
    }

    /// Publishes a new durable end (after a successful sync).
    pub(crate) fn publish_end(&self, end_lsn: u64) {
        self.durable_end_lsn.store(end_lsn, Ordering::Release);
    }

    /// Adds a new last segment.
    pub(crate) fn push(&self, segment: Arc<Segment>) {
        self.list
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(segment);
    }

    /// How many segments there are.
    pub(crate) fn count(&self) -> usize {
        self.list
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The segment holding `lsn`: the last one starting at or before it. A
    /// position equal to a segment's first position belongs to that segment.
    pub(crate) fn locate(&self, lsn: u64) -> Option<Located> {
        let end = self.durable_end_lsn();
        let list = self.list.read().unwrap_or_else(PoisonError::into_inner);
        let index = list
            .partition_point(|segment| segment.first_lsn <= lsn)
            .checked_sub(1)?;
        let segment = list[index].clone();
        let next = list.get(index + 1);
        // A new last segment is pushed (its header durable) just before the
        // writer publishes the end past that header: never report less.
        let header_end = segment.first_lsn + SEGMENT_HEADER_BYTES;
        let end_lsn = next.map_or(end.max(header_end), |next| next.first_lsn);
        Some(Located {
            segment,
            end_lsn,
            is_last: next.is_none(),
        })
    }
}
