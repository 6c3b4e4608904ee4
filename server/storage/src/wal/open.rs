//! Opening a log: find the segments, check their headers and that they tile the
//! log, scan the last one and cut a torn tail, refusing on corruption.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cursor::Cursor;
use super::error::WalError;
use super::format::{
    decode_segment_header, encode_segment_header, parse_segment_file_name, segment_file_name,
    SEGMENT_HEADER_BYTES, TEMP_SUFFIX,
};
use super::segments::{Segment, Segments};
use super::{Wal, WalConfig, WalOpenReport};
use crate::io::{OpenMode, Vfs};

impl Wal {
    /// Opens the log in `dir`, creating it (with an empty first segment) if it
    /// does not exist. Cuts a torn tail from the last segment and reports it.
    pub fn open(
        vfs: Arc<dyn Vfs>,
        dir: &Path,
        config: WalConfig,
    ) -> Result<(Self, WalOpenReport), WalError> {
        if config.segment_size_bytes < SEGMENT_HEADER_BYTES + super::format::ENTRY_HEADER_BYTES {
            return Err(WalError::InvalidConfig(
                "segment_size_bytes is smaller than one entry",
            ));
        }
        let mut report = WalOpenReport::default();
        if !vfs.exists(dir) {
            vfs.create_dir_all(dir)
                .map_err(|error| WalError::io(dir, error))?;
            if let Some(parent) = dir.parent().filter(|parent| !parent.as_os_str().is_empty()) {
                vfs.sync_dir(parent)
                    .map_err(|error| WalError::io(parent, error))?;
            }
        }
        let mut found = list_segments(vfs.as_ref(), dir, &mut report)?;
        if found.is_empty() {
            found.push((0, create_segment(vfs.as_ref(), dir, 0)?));
        }
        let mut segments = Vec::with_capacity(found.len());
        let last_index = found.len() - 1;
        for (index, (first_lsn, path)) in found.into_iter().enumerate() {
            let mode = if index == last_index {
                OpenMode::Existing
            } else {
                OpenMode::ReadOnly
            };
            let file = vfs
                .open(&path, mode)
                .map_err(|error| WalError::io(&path, error))?;
            let segment = Segment {
                first_lsn,
                path,
                file,
            };
            check_header(&segment)?;
            segments.push(Arc::new(segment));
        }
        check_tiling(&segments)?;
        let active = segments[last_index].clone();
        let (end_lsn, torn_tail_bytes, zero_tail) = recover_tail(&active)?;
        report.segments = segments.len();
        report.end_lsn = end_lsn;
        report.torn_tail_bytes = torn_tail_bytes;
        if torn_tail_bytes > 0 {
            tracing::warn!(
                segment = %active.path.display(),
                torn_tail_bytes,
                end_lsn,
                "cut a torn tail from the write-ahead log"
            );
        }
        let wal = Self {
            vfs,
            dir: dir.to_path_buf(),
            config,
            segments: Arc::new(Segments::new(segments, end_lsn)),
            active,
            end_lsn,
            buffer: Vec::new(),
            poisoned: None,
            zero_tail,
            preparer: super::prepare::Preparer::new(config.preallocate),
        };
        Ok((wal, report))
    }
}

/// The segment files in `dir`, sorted by first position; removes leftover
/// temporary files.
fn list_segments(
    vfs: &dyn Vfs,
    dir: &Path,
    report: &mut WalOpenReport,
) -> Result<Vec<(u64, PathBuf)>, WalError> {
    let mut found = Vec::new();
    for path in vfs
        .read_dir(dir)
        .map_err(|error| WalError::io(dir, error))?
    {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        if name.ends_with(TEMP_SUFFIX) {
            vfs.remove_file(&path)
                .map_err(|error| WalError::io(&path, error))?;
            report.removed_temp_files += 1;
        } else if let Some(first_lsn) = parse_segment_file_name(&path) {
            found.push((first_lsn, path));
        }
    }
    if report.removed_temp_files > 0 {
        vfs.sync_dir(dir)
            .map_err(|error| WalError::io(dir, error))?;
    }
    found.sort_unstable();
    Ok(found)
}

/// Creates the segment starting at `first_lsn` atomically: a temporary file with
/// the header, synced, renamed into place, the directory synced.
pub(super) fn create_segment(
    vfs: &dyn Vfs,
    dir: &Path,
    first_lsn: u64,
) -> Result<PathBuf, WalError> {
    let name = segment_file_name(first_lsn);
    let temp = dir.join(format!("{}{TEMP_SUFFIX}", name.trim_end_matches(".seg")));
    let file = vfs
        .open(&temp, OpenMode::Create)
        .map_err(|error| WalError::io(&temp, error))?;
    file.set_len(0)
        .map_err(|error| WalError::io(&temp, error))?;
    install_segment(vfs, dir, first_lsn, &temp, &file)
}

/// Makes the file at `temp` (empty, or zeros prepared ahead of use) the segment
/// starting at `first_lsn`: its header, synced, renamed into place, the
/// directory synced.
pub(super) fn install_segment(
    vfs: &dyn Vfs,
    dir: &Path,
    first_lsn: u64,
    temp: &Path,
    file: &crate::io::FileHandle,
) -> Result<PathBuf, WalError> {
    let path = dir.join(segment_file_name(first_lsn));
    file.write_all_at(&encode_segment_header(first_lsn), 0)
        .map_err(|error| WalError::io(temp, error))?;
    file.sync_data()
        .map_err(|error| WalError::io(temp, error))?;
    vfs.rename(temp, &path)
        .map_err(|error| WalError::io(temp, error))?;
    vfs.sync_dir(dir)
        .map_err(|error| WalError::io(dir, error))?;
    Ok(path)
}

/// Checks a segment's header and that it matches the file name.
fn check_header(segment: &Segment) -> Result<(), WalError> {
    let bad = |reason| WalError::BadSegmentHeader {
        path: segment.path.clone(),
        reason,
    };
    let mut header = [0u8; SEGMENT_HEADER_BYTES as usize];
    let len = segment
        .file
        .len()
        .map_err(|error| WalError::io(&segment.path, error))?;
    if len < SEGMENT_HEADER_BYTES {
        return Err(bad("the file is shorter than a segment header"));
    }
    segment
        .file
        .read_exact_at(&mut header, 0)
        .map_err(|error| WalError::io(&segment.path, error))?;
    let first_lsn = decode_segment_header(&header).map_err(bad)?;
    if first_lsn != segment.first_lsn {
        return Err(bad(
            "the header's first position does not match the file name",
        ));
    }
    Ok(())
}

/// Checks that each segment ends exactly where the next one starts.
fn check_tiling(segments: &[Arc<Segment>]) -> Result<(), WalError> {
    for pair in segments.windows(2) {
        let (segment, next) = (&pair[0], &pair[1]);
        let len = segment
            .file
            .len()
            .map_err(|error| WalError::io(&segment.path, error))?;
        let end_lsn = segment.first_lsn + len;
        if end_lsn != next.first_lsn {
            return Err(WalError::SegmentGap {
                path: segment.path.clone(),
                first_lsn: segment.first_lsn,
                end_lsn,
                next_first_lsn: next.first_lsn,
            });
        }
    }
    Ok(())
}

/// Scans the last segment: returns the end of its valid entries, how many torn
/// bytes were cut after them, and whether zeros prepared ahead of use follow
/// them. A bad entry followed by a valid one is corruption.
fn recover_tail(segment: &Segment) -> Result<(u64, u64, bool), WalError> {
    let io_error = |error| WalError::io(&segment.path, error);
    let len = segment.file.len().map_err(io_error)?;
    let mut cursor = Cursor::new(segment.file.clone(), len);
    let mut offset = SEGMENT_HEADER_BYTES;
    while offset < len {
        match cursor.check_entry(offset).map_err(io_error)? {
            Ok(header) => offset += header.entry_bytes(),
            Err(fault) => {
                if cursor.zeros_from(offset).map_err(io_error)? {
                    return Ok((segment.first_lsn + offset, 0, true));
                }
                if let Some(valid) = cursor.valid_entry_after(offset).map_err(io_error)? {
                    tracing::error!(
                        segment = %segment.path.display(),
                        bad_offset = offset,
                        valid_offset = valid,
                        "WAL corruption: a bad entry is followed by a valid one"
                    );
                    return Err(WalError::CorruptEntry {
                        path: segment.path.clone(),
                        file_offset: offset,
                        lsn: segment.first_lsn + offset,
                        fault,
                    });
                }
                segment.file.set_len(offset).map_err(io_error)?;
                segment.file.sync_data().map_err(io_error)?;
                return Ok((segment.first_lsn + offset, len - offset, false));
            }
        }
    }
    Ok((segment.first_lsn + offset, 0, false))
}
