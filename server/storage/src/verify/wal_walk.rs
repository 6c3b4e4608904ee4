//! Reading the whole WAL without changing it: segment headers, the tiling of
//! segments, and every entry's frame and CRC32, in log order.
//!
//! This repeats what [`Wal::open`](crate::wal::Wal::open) checks but never cuts
//! or removes anything: a torn tail of the last segment (a bad entry with no
//! valid entry after it) is a notice, since the next start cuts it; a bad entry
//! followed by a valid one, or any bad entry of an earlier segment, is a
//! problem, and the walk goes on from the next valid entry. Entries are read
//! and checked with the WAL's own [`Cursor`], as `Wal::open` and replay do.

use std::io;
use std::path::{Path, PathBuf};

use super::report::{Location, Progress, VerifyReport};
use crate::io::{OpenMode, Vfs};
use crate::wal::format::{
    decode_segment_header, parse_segment_file_name, ENTRY_HEADER_BYTES, SEGMENT_HEADER_BYTES,
    TEMP_SUFFIX,
};
use crate::wal::{Cursor, EntryFault};

/// Progress is reported about this often (in WAL bytes).
const PROGRESS_STEP_BYTES: u64 = 1 << 20;

/// A valid entry, where it lies.
#[derive(Clone, Copy, Debug)]
pub(super) struct EntryAt<'s> {
    /// Its log position.
    pub lsn: u64,
    /// Its segment, relative to the data directory.
    pub segment: &'s Path,
    /// Its byte offset in the segment file.
    pub file_offset: u64,
}

impl EntryAt<'_> {
    /// Where the entry is, for a finding.
    pub(super) fn location(&self) -> Location {
        Location::file(self.segment, Some(self.file_offset))
    }
}

/// What [`walk_entries`] calls with each valid entry of the segments `'s` and
/// its body.
pub(super) type EntryVisitor<'s, 'v> =
    dyn FnMut(&mut VerifyReport, EntryAt<'s>, &[u8]) -> io::Result<()> + 'v;

/// One segment file.
#[derive(Clone, Debug)]
pub(super) struct SegmentFile {
    path: PathBuf,
    /// The path relative to the data directory, for messages.
    name: PathBuf,
    first_lsn: u64,
    len: u64,
}

/// Lists the segments of `wal/`, checks their headers and tiling, and records
/// leftovers as notices.
pub(super) fn list_segments(
    vfs: &dyn Vfs,
    data_dir: &Path,
    report: &mut VerifyReport,
) -> io::Result<Vec<SegmentFile>> {
    let wal_dir = data_dir.join("wal");
    if !vfs.exists(&wal_dir) {
        return Ok(Vec::new());
    }
    let mut segments = Vec::new();
    for path in vfs.read_dir(&wal_dir)? {
        let name = Path::new("wal").join(path.file_name().unwrap_or_default());
        if let Some(first_lsn) = parse_segment_file_name(&path) {
            let len = vfs.open(&path, OpenMode::ReadOnly)?.len()?;
            segments.push(SegmentFile {
                path,
                name,
                first_lsn,
                len,
            });
        } else if name.to_string_lossy().ends_with(TEMP_SUFFIX) {
            let message = "leftover temporary segment (the next start removes it)";
            report.notice(Location::file(name, None), message);
        } else {
            report.notice(Location::file(name, None), "not a WAL segment; ignored");
        }
    }
    segments.sort_by_key(|segment| segment.first_lsn);
    check_tiling(vfs, &segments, report)?;
    Ok(segments)
}

fn check_tiling(
    vfs: &dyn Vfs,
    segments: &[SegmentFile],
    report: &mut VerifyReport,
) -> io::Result<()> {
    let mut expected_start = 0;
    for segment in segments {
        let here = Location::file(&segment.name, Some(0));
        if segment.first_lsn != expected_start {
            let message = format!(
                "segment starts at log position {} but the log before it ends at {expected_start}",
                segment.first_lsn
            );
            report.problem(here.clone(), message);
        }
        expected_start = segment.first_lsn + segment.len;
        let mut header = [0u8; SEGMENT_HEADER_BYTES as usize];
        let read = if segment.len >= SEGMENT_HEADER_BYTES {
            let file = vfs.open(&segment.path, OpenMode::ReadOnly)?;
            file.read_exact_at(&mut header, 0)?;
            decode_segment_header(&header)
        } else {
            Err("the file is shorter than a segment header")
        };
        match read {
            Ok(first_lsn) if first_lsn == segment.first_lsn => {}
            Ok(first_lsn) => report.problem(
                here,
                format!("segment header says log position {first_lsn}, its name says otherwise"),
            ),
            Err(reason) => report.problem(here, format!("corrupt segment header: {reason}")),
        }
    }
    Ok(())
}

/// Where the last segment's entries start: the log's end when it holds none.
pub(super) fn last_segment_entries_start(segments: &[SegmentFile]) -> u64 {
    segments
        .last()
        .map_or(0, |segment| segment.first_lsn + SEGMENT_HEADER_BYTES)
}

/// Total bytes of the segments.
pub(super) fn total_bytes(segments: &[SegmentFile]) -> u64 {
    segments.iter().map(|segment| segment.len).sum()
}

/// Walks every entry of every segment in log order, calling `on_entry` with each
/// valid one (frame and CRC32 checked) and its body.
pub(super) fn walk_entries<'s>(
    vfs: &dyn Vfs,
    segments: &'s [SegmentFile],
    report: &mut VerifyReport,
    progress: &mut dyn FnMut(Progress),
    on_entry: &mut EntryVisitor<'s, '_>,
) -> io::Result<()> {
    let total_bytes = total_bytes(segments);
    let mut done_before = 0;
    for (index, segment) in segments.iter().enumerate() {
        let is_last = index + 1 == segments.len();
        let file = vfs.open(&segment.path, OpenMode::ReadOnly)?;
        let mut cursor = Cursor::new(file, segment.len);
        let mut offset = SEGMENT_HEADER_BYTES;
        let mut reported = 0;
        while offset < segment.len {
            match cursor.check_entry(offset)? {
                Ok(header) => {
                    let entry = EntryAt {
                        lsn: segment.first_lsn + offset,
                        segment: &segment.name,
                        file_offset: offset,
                    };
                    let body_at = offset + ENTRY_HEADER_BYTES;
                    let body_len = header.body_len as usize;
                    if let Some(body) = cursor.bytes(body_at, body_len)? {
                        on_entry(report, entry, body)?;
                    }
                    offset += header.entry_bytes();
                }
                Err(fault) => {
                    match bad_entry(&mut cursor, segment, offset, fault, is_last, report)? {
                        Some(next) => offset = next,
                        None => break,
                    }
                }
            }
            if offset - reported >= PROGRESS_STEP_BYTES {
                reported = offset;
                progress(Progress {
                    done_bytes: done_before + offset.min(segment.len),
                    total_bytes,
                });
            }
        }
        done_before += segment.len;
        report.wal_bytes += segment.len;
        report.segments += 1;
        progress(Progress {
            done_bytes: done_before,
            total_bytes,
        });
    }
    Ok(())
}

/// Records a bad entry; returns where the walk goes on in this segment, if it does.
fn bad_entry(
    cursor: &mut Cursor,
    segment: &SegmentFile,
    offset: u64,
    fault: EntryFault,
    is_last: bool,
    report: &mut VerifyReport,
) -> io::Result<Option<u64>> {
    if is_last && cursor.zeros_from(offset)? {
        // The unused rest of a segment prepared ahead of use.
        return Ok(None);
    }
    let here = Location::file(&segment.name, Some(offset));
    let next = cursor.valid_entry_after(offset)?;
    match next {
        Some(next) => report.problem(
            here,
            format!("corrupt WAL entry: {fault}; a valid entry follows at byte {next}"),
        ),
        None if is_last => report.notice(
            here,
            format!(
                "torn tail of {} bytes at the end of the log ({fault}); it was never \
                 acknowledged and the next start cuts it",
                segment.len - offset
            ),
        ),
        None => report.problem(
            here,
            format!(
                "corrupt WAL entry: {fault}; the remaining {} bytes of the segment hold no \
                 valid entry",
                segment.len - offset
            ),
        ),
    }
    Ok(next)
}
