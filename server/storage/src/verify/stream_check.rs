//! The checks of one stream, record by record in log order: offsets without
//! gaps, chain links from the genesis value, non-decreasing commit times, and
//! the derived files (`offsets.idx`, `tree.hashes`) against what the log says.
//!
//! The Merkle tree is rebuilt from the stored record hashes with the same
//! post-order layout as `tree.hashes` (see [`crate::index::tree_layout`]), so
//! every stored hash, leaf or interior node, is compared with its recomputed
//! value; only the O(log n) frontier is kept in memory.

use std::io;
use std::path::{Path, PathBuf};

use kimberlite_protocol::merkle::{empty_root, node_hash, root_from_perfect_subtrees};
use kimberlite_protocol::{Hash, StreamId, TenantId, HASH_LEN};

use super::report::{Location, StreamSummary, VerifyReport};
use super::wal_walk::EntryAt;
use super::window::Window;
use crate::engine::{Chain, StoredRecord};
use crate::index::offsets::OFFSET_ENTRY_LEN;
use crate::index::tree_layout::node_count;
use crate::index::{stream_dir, OFFSETS_FILE, TREE_FILE};
use crate::io::Vfs;

/// Bytes read per refill of an index file.
const INDEX_CHUNK_BYTES: usize = 16 << 10;
/// Mismatches reported per index file before the rest are only counted.
const MAX_REPORTED_MISMATCHES: u64 = 10;
const HASH_BYTES: u64 = HASH_LEN as u64;

/// One derived file of a stream and the mismatches found in it.
#[derive(Debug)]
struct IndexFile {
    window: Window,
    name: PathBuf,
    mismatches: u64,
}

impl IndexFile {
    fn open(vfs: &dyn Vfs, data_dir: &Path, relative: PathBuf) -> io::Result<Self> {
        let window = Window::open(vfs, &data_dir.join(&relative), INDEX_CHUNK_BYTES)?;
        Ok(Self {
            window,
            name: relative,
            mismatches: 0,
        })
    }

    /// Records a mismatch, reporting only the first few. An entry the snapshot
    /// does not vouch for (`synced` false) was never synced: a power cut may
    /// leave it torn, and the next start rewrites it from the log, so it is a
    /// notice.
    fn mismatch(
        &mut self,
        report: &mut VerifyReport,
        location: Location,
        message: String,
        synced: bool,
    ) {
        if !synced {
            let message = format!(
                "{message} (an entry after the snapshot, never synced: the next start \
                 rewrites it from the log)"
            );
            report.notice(location, message);
            return;
        }
        self.mismatches += 1;
        if self.mismatches <= MAX_REPORTED_MISMATCHES {
            report.problem(location, message);
        }
    }
}

/// The running checks of one stream.
#[derive(Debug)]
pub(super) struct StreamCheck {
    key: (TenantId, StreamId),
    /// Length, head and last commit time of the records checked so far.
    chain: Chain,
    leaves: u64,
    frontier: Vec<Hash>,
    payload_bytes: u64,
    hashes_recomputed: u64,
    offsets: IndexFile,
    tree: IndexFile,
    /// Whether the record being checked is vouched for by the snapshot (its
    /// index entries were synced before the snapshot was written).
    synced: bool,
}

impl StreamCheck {
    /// Starts the checks of a stream, opening views of its index files.
    pub(super) fn new(
        vfs: &dyn Vfs,
        data_dir: &Path,
        key: (TenantId, StreamId),
    ) -> io::Result<Self> {
        let dir = stream_dir(Path::new("streams"), key.0, key.1);
        Ok(Self {
            key,
            chain: Chain::genesis(key),
            leaves: 0,
            frontier: Vec::new(),
            payload_bytes: 0,
            hashes_recomputed: 0,
            offsets: IndexFile::open(vfs, data_dir, dir.join(OFFSETS_FILE))?,
            tree: IndexFile::open(vfs, data_dir, dir.join(TREE_FILE))?,
            synced: true,
        })
    }

    /// The chain as checked so far: length, head and last commit time.
    pub(super) fn chain(&self) -> Chain {
        self.chain
    }

    /// Counts a record whose hash was recomputed from its plaintext.
    pub(super) fn count_recomputed(&mut self) {
        self.hashes_recomputed += 1;
    }

    /// Checks the next record of the stream found in the log; `synced` tells
    /// whether the snapshot vouches for it.
    pub(super) fn record(
        &mut self,
        vfs: &dyn Vfs,
        report: &mut VerifyReport,
        entry: EntryAt<'_>,
        record: &StoredRecord,
        synced: bool,
    ) -> io::Result<()> {
        self.synced = synced;
        let offset = record.offset.get();
        let here = entry.location().with_record(self.key, Some(offset));
        if offset != self.chain.length {
            let message = format!(
                "record has offset {offset} where {} was expected (records missing or repeated)",
                self.chain.length
            );
            report.problem(here.clone(), message);
            // Follow the record found, so one break is reported once.
            self.chain.head = record.prev_hash;
        }
        if record.prev_hash != self.chain.head {
            let previous = if offset == 0 {
                "the stream's genesis value".to_owned()
            } else {
                format!("the hash of record {}", offset - 1)
            };
            let message = format!("chain broken: previous hash does not match {previous}");
            report.problem(here.clone(), message);
        }
        if record.timestamp_ns < self.chain.timestamp_ns {
            let message = format!(
                "commit time {} goes back before the previous record's {}",
                record.timestamp_ns, self.chain.timestamp_ns
            );
            report.problem(here, message);
        }
        self.check_offset_entry(vfs, report, entry.lsn, record)?;
        self.append_leaf(vfs, report, record.record_hash)?;
        self.chain = Chain {
            length: offset + 1,
            head: record.record_hash,
            timestamp_ns: record.timestamp_ns,
        };
        self.payload_bytes += record.payload.len() as u64;
        Ok(())
    }

    fn check_offset_entry(
        &mut self,
        vfs: &dyn Vfs,
        report: &mut VerifyReport,
        lsn: u64,
        record: &StoredRecord,
    ) -> io::Result<()> {
        let index = self.leaves;
        let at = index * OFFSET_ENTRY_LEN;
        let Some(bytes) = self
            .offsets
            .window
            .bytes(vfs, at, OFFSET_ENTRY_LEN as usize)?
        else {
            return Ok(());
        };
        let word = |range: std::ops::Range<usize>| {
            let mut out = [0u8; 8];
            out.copy_from_slice(&bytes[range]);
            u64::from_be_bytes(out)
        };
        let (stored_lsn, stored_time) = (word(0..8), word(8..16));
        if (stored_lsn, stored_time) != (lsn, record.timestamp_ns) {
            let location =
                Location::file(&self.offsets.name, Some(at)).with_record(self.key, Some(index));
            let message = format!(
                "index entry says WAL position {stored_lsn}, commit time {stored_time}; \
                 the log has position {lsn}, commit time {}",
                record.timestamp_ns
            );
            let synced = self.synced;
            self.offsets.mismatch(report, location, message, synced);
        }
        Ok(())
    }

    /// Adds a leaf to the rebuilt tree, comparing the leaf and every subtree it
    /// completes with the hash stored at the same position of `tree.hashes`.
    fn append_leaf(
        &mut self,
        vfs: &dyn Vfs,
        report: &mut VerifyReport,
        leaf: Hash,
    ) -> io::Result<()> {
        let index = self.leaves;
        let mut position = node_count(index);
        self.compare_node(vfs, report, position, &leaf, index, 0)?;
        let mut hash = leaf;
        let mut height = 0u32;
        while height < u64::BITS && index & (1u64 << height) != 0 {
            let Some(left) = self.frontier.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            height += 1;
            position += 1;
            self.compare_node(vfs, report, position, &hash, index, height)?;
        }
        self.frontier.push(hash);
        self.leaves += 1;
        Ok(())
    }

    fn compare_node(
        &mut self,
        vfs: &dyn Vfs,
        report: &mut VerifyReport,
        position: u64,
        expected: &Hash,
        last_leaf: u64,
        height: u32,
    ) -> io::Result<()> {
        let at = position * HASH_BYTES;
        let Some(stored) = self.tree.window.bytes(vfs, at, HASH_LEN)? else {
            return Ok(());
        };
        if stored == expected.as_bytes() {
            return Ok(());
        }
        let mut stored_bytes = [0u8; HASH_LEN];
        stored_bytes.copy_from_slice(stored);
        let stored = Hash(stored_bytes);
        let first_leaf = last_leaf + 1 - (1u64 << height);
        let what = if height == 0 {
            format!("leaf {last_leaf}")
        } else {
            format!("the node over records {first_leaf}..={last_leaf}")
        };
        let location =
            Location::file(&self.tree.name, Some(at)).with_record(self.key, Some(last_leaf));
        let message = format!(
            "stored hash {stored} of {what} differs from {expected}, recomputed from the log"
        );
        let synced = self.synced;
        self.tree.mismatch(report, location, message, synced);
        Ok(())
    }

    /// Compares the index lengths with the log and returns the stream's summary.
    pub(super) fn finish(self, report: &mut VerifyReport, erased: bool) -> StreamSummary {
        let records = self.leaves;
        let stream_location =
            |file: &PathBuf| Location::file(file, None).with_record(self.key, None);
        for (file, unit, stored, expected) in [
            (
                &self.offsets,
                OFFSET_ENTRY_LEN,
                self.offsets.window.len(),
                records,
            ),
            (
                &self.tree,
                HASH_BYTES,
                self.tree.window.len(),
                node_count(records),
            ),
        ] {
            let whole = stored / unit;
            if whole > expected {
                let message = format!(
                    "holds {whole} entries but the log's {records} records give {expected}: \
                     it describes records the log does not have"
                );
                report.problem(stream_location(&file.name), message);
            } else if whole < expected {
                let message = format!(
                    "{} of {expected} entries are missing (derived data behind the log; \
                     the next start rebuilds it)",
                    expected - whole
                );
                report.notice(stream_location(&file.name), message);
            }
            if stored % unit != 0 {
                let message = "ends in a partial entry (the next start cuts it)";
                report.notice(stream_location(&file.name), message);
            }
            if file.mismatches > MAX_REPORTED_MISMATCHES {
                let message = format!("{} mismatched entries in all", file.mismatches);
                report.problem(stream_location(&file.name), message);
            }
        }
        StreamSummary {
            tenant_id: self.key.0,
            stream_id: self.key.1,
            records,
            payload_bytes: self.payload_bytes,
            hashes_recomputed: self.hashes_recomputed,
            erased,
            root: root_from_perfect_subtrees(&self.frontier).unwrap_or_else(empty_root),
        }
    }
}
