//! Offline verification of a whole data directory, without changing a byte.
//!
//! ```no_run
//! use std::{path::Path, sync::Arc};
//! use kimberlite_storage::io::os::OsVfs;
//! use kimberlite_storage::verify::verify_data_dir;
//!
//! let report = verify_data_dir(Arc::new(OsVfs), Path::new("./data"), &mut |_| {})?;
//! for problem in &report.problems {
//!     eprintln!("{problem}");
//! }
//! assert!(report.is_ok());
//! # Ok::<(), kimberlite_storage::verify::VerifyError>(())
//! ```
//!
//! What is checked, reading the WAL from its first byte: segment headers and
//! their tiling, each entry's frame and CRC32 and the stored record's decoding;
//! then, for every record of every append that reached the disk whole (the rule
//! recovery applies, through the same `engine::AppendAssembler`), offsets
//! without gaps, chain links from the stream's genesis value, non-decreasing
//! commit times, the record hash (recomputed from the plaintext after
//! decryption when the tenant's key exists; a tenant whose key was erased is
//! reported as such and its chain and tree are still checked from the stored
//! hashes), every entry of `offsets.idx` and every stored hash of
//! `tree.hashes`, and each stream's length and head as `state/snapshot` claims
//! them. Index files behind the log, index entries the snapshot does not vouch
//! for that differ from the log (never synced: a power cut may tear them) and a
//! torn tail of the last segment are notices: the next start repairs them, and
//! none was acknowledged data. So
//! are the leftover entries of an append a crash cut short (its last record
//! never reached the disk): they stay in the log, every start skips them, and
//! they are not checked further. Every file is opened read-only through
//! [`ReadOnlyVfs`], so verification cannot change the directory even by
//! mistake; it is meant for a directory whose server is stopped.

mod payload;
mod read_only;
mod report;
mod snapshot_claims;
mod stream_check;
#[cfg(test)]
mod tests;
mod wal_walk;
mod window;

use std::collections::{btree_map, BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_protocol::{StreamId, TenantId};

pub use read_only::ReadOnlyVfs;
pub use report::{Finding, Location, Progress, StreamSummary, VerifyReport};

use crate::engine::{AppendAssembler, Chain, Fed, Orphan, StoredRecord};
use crate::io::Vfs;
use crate::wal::format::ENTRY_HEADER_BYTES;
use payload::{Keys, PayloadOutcome};
use stream_check::StreamCheck;
use wal_walk::EntryAt;

/// Why verification could not run at all (what it finds goes in the report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The path holds neither `keys/` nor `wal/`.
    #[error("{path}: not a Kimberlite data directory (no keys/ and no wal/)", path = path.display())]
    NotADataDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// Reading a file failed.
    #[error("reading the data directory failed: {0}")]
    Io(#[from] io::Error),
}

/// Verifies every record of the data directory at `data_dir`, calling
/// `progress` as WAL bytes are read. Opens everything read-only.
///
/// # Errors
/// [`VerifyError`] when the directory cannot be read; what is wrong inside it
/// is in [`VerifyReport::problems`].
pub fn verify_data_dir(
    vfs: Arc<dyn Vfs>,
    data_dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<VerifyReport, VerifyError> {
    let vfs: Arc<dyn Vfs> = Arc::new(ReadOnlyVfs::new(vfs));
    if !vfs.exists(&data_dir.join("keys")) && !vfs.exists(&data_dir.join("wal")) {
        return Err(VerifyError::NotADataDirectory {
            path: data_dir.to_path_buf(),
        });
    }
    let mut report = VerifyReport::default();
    let claims = snapshot_claims::read(vfs.as_ref(), data_dir, &mut report);
    let segments = wal_walk::list_segments(vfs.as_ref(), data_dir, &mut report)?;
    let mut checks = Checks {
        vfs: vfs.as_ref(),
        data_dir,
        keys: Keys::open(vfs.clone(), data_dir, &mut report),
        appends: AppendAssembler::new(),
        streams: BTreeMap::new(),
        snapshot_end: claims.as_ref().map(|claims| claims.wal_end_lsn),
        at_snapshot: BTreeMap::new(),
        log_end: wal_walk::last_segment_entries_start(&segments),
    };
    wal_walk::walk_entries(
        vfs.as_ref(),
        &segments,
        &mut report,
        progress,
        &mut |report, entry, body| checks.entry(report, entry, body),
    )?;
    let unfinished = checks.appends.finish();
    discarded_notice(&mut report, &unfinished, "at the end of the log");
    if let Some(claims) = &claims {
        snapshot_claims::compare(claims, &checks.at_snapshot, checks.log_end, &mut report);
    }
    let known: BTreeSet<(TenantId, StreamId)> = checks.streams.keys().copied().collect();
    for (key, check) in checks.streams {
        let summary = check.finish(&mut report, checks.keys.is_erased(key.0));
        report.streams.push(summary);
    }
    check_orphan_indexes(vfs.as_ref(), data_dir, &known, &mut report)?;
    report.erased_tenants = checks.keys.erased_tenants();
    Ok(report)
}

/// The state of a verification while the log is walked.
struct Checks<'a> {
    vfs: &'a dyn Vfs,
    data_dir: &'a Path,
    keys: Keys,
    /// The complete-append rule: records wait here until their append ends.
    appends: AppendAssembler<EntryAt<'a>>,
    streams: BTreeMap<(TenantId, StreamId), StreamCheck>,
    /// The snapshot's position, if there is a readable snapshot.
    snapshot_end: Option<u64>,
    /// Each stream's chain as of the snapshot's position.
    at_snapshot: BTreeMap<(TenantId, StreamId), Chain>,
    /// The end of the last valid entry (or of the last segment's header).
    log_end: u64,
}

impl<'a> Checks<'a> {
    /// Takes a valid WAL entry: decodes it and passes it through the
    /// complete-append rule, checking the records of each append that ends.
    fn entry(
        &mut self,
        report: &mut VerifyReport,
        entry: EntryAt<'a>,
        body: &[u8],
    ) -> io::Result<()> {
        self.log_end = self
            .log_end
            .max(entry.lsn + ENTRY_HEADER_BYTES + body.len() as u64);
        let record = match StoredRecord::decode(body) {
            Ok(record) => record,
            Err(error) => {
                let here = entry.location();
                let message = format!("WAL entry does not decode as a record: {error}");
                report.problem(here, message);
                return Ok(());
            }
        };
        match self.appends.feed(entry, record) {
            Ok(Fed {
                cut_short,
                complete,
            }) => {
                discarded_notice(report, &cut_short, "where the next append starts");
                for (entry, record) in complete {
                    self.record(report, entry, &record)?;
                }
            }
            Err(Orphan { place, record }) => {
                let key = (record.tenant_id, record.stream_id);
                let here = place.location().with_record(key, Some(record.offset.get()));
                let message = "record continues an append whose first record is missing \
                               (corruption); not checked further";
                report.problem(here, message);
            }
        }
        Ok(())
    }

    /// Checks a record of a complete append: payload, chain, offsets and tree.
    fn record(
        &mut self,
        report: &mut VerifyReport,
        entry: EntryAt<'a>,
        record: &StoredRecord,
    ) -> io::Result<()> {
        let here = entry.location();
        let key = (record.tenant_id, record.stream_id);
        let check = match self.streams.entry(key) {
            btree_map::Entry::Occupied(slot) => slot.into_mut(),
            btree_map::Entry::Vacant(slot) => {
                slot.insert(StreamCheck::new(self.vfs, self.data_dir, key)?)
            }
        };
        match self.keys.check(record, report) {
            PayloadOutcome::Recomputed => check.count_recomputed(),
            PayloadOutcome::Erased | PayloadOutcome::Unchecked => {}
            PayloadOutcome::Bad(message) => {
                report.problem(here.with_record(key, Some(record.offset.get())), message);
            }
        }
        let synced = self.snapshot_end.is_some_and(|end| entry.lsn < end);
        check.record(self.vfs, report, entry, record, synced)?;
        if synced {
            self.at_snapshot.insert(key, check.chain());
        }
        report.records += 1;
        Ok(())
    }
}

/// Reports the leftover entries of an append a crash cut short, if any: where
/// the first lies, how many there are, and which records they would have been.
fn discarded_notice(report: &mut VerifyReport, records: &[(EntryAt<'_>, StoredRecord)], at: &str) {
    let (Some((first, record)), Some((_, last))) = (records.first(), records.last()) else {
        return;
    };
    let key = (record.tenant_id, record.stream_id);
    let here = first.location().with_record(key, Some(record.offset.get()));
    let message = format!(
        "{count} WAL entries of an append cut short {at} (records {from}..={to}; its last \
         record never reached the disk, so it was never acknowledged): every start skips them",
        count = records.len(),
        from = record.offset,
        to = last.offset,
    );
    report.notice(here, message);
    report.records_discarded += records.len() as u64;
}

/// Index directories of streams the log does not have must be empty.
fn check_orphan_indexes(
    vfs: &dyn Vfs,
    data_dir: &Path,
    known: &BTreeSet<(TenantId, StreamId)>,
    report: &mut VerifyReport,
) -> io::Result<()> {
    let streams_dir = data_dir.join("streams");
    if !vfs.exists(&streams_dir) {
        return Ok(());
    }
    for tenant_dir in vfs.read_dir(&streams_dir)? {
        let Some(tenant) = parse_id(&tenant_dir) else {
            continue;
        };
        for stream_dir in vfs.read_dir(&tenant_dir)? {
            let Some(stream) = parse_id(&stream_dir) else {
                continue;
            };
            let key = (TenantId(tenant), StreamId(stream));
            if known.contains(&key) {
                continue;
            }
            for file in vfs.read_dir(&stream_dir)? {
                let len = vfs.open(&file, crate::io::OpenMode::ReadOnly)?.len()?;
                if len > 0 {
                    let relative = file.strip_prefix(data_dir).unwrap_or(&file).to_path_buf();
                    let message =
                        format!("{len} bytes of index for a stream with no record in the log");
                    report.problem(
                        Location::file(relative, None).with_record(key, None),
                        message,
                    );
                }
            }
        }
    }
    Ok(())
}

fn parse_id(path: &Path) -> Option<u64> {
    path.file_name()?.to_str()?.parse().ok()
}
