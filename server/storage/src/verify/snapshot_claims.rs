//! What `state/snapshot` claims about the log, to be checked against it.
//!
//! Recovery starts from the snapshot and trusts each stream's (length, head)
//! there, so a wrong claim would survive restarts; verification recomputes
//! both from the log. The snapshot is read with the layout of the engine's
//! `engine::snapshot` module (magic, BLAKE3 of the body, body length, postcard
//! body). A snapshot that is damaged or that this build cannot decode is only a
//! notice: recovery ignores such a snapshot and replays the whole log.

use std::collections::BTreeMap;
use std::path::Path;

use kimberlite_kernel::State;
use kimberlite_protocol::{Hash, StreamId, TenantId};
use serde::Deserialize;

use super::report::{Location, VerifyReport};
use crate::io::{OpenMode, Vfs};

const MAGIC: &[u8; 8] = b"KMBSNAP1";
const HEADER_LEN: usize = 48;
const SNAPSHOT_FILE: &str = "state/snapshot";

/// The engine's snapshot body, field for field (postcard is positional).
#[derive(Deserialize)]
struct SnapshotBody {
    wal_end_lsn: u64,
    _state: State,
    chains: Vec<((TenantId, StreamId), ChainClaim)>,
}

/// A stream's chain as the snapshot records it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub(super) struct ChainClaim {
    /// Records in the stream.
    pub length: u64,
    /// Hash of the last record, or the genesis value.
    pub head: Hash,
    /// Commit time of the last record.
    pub timestamp_ns: u64,
}

/// The claims of a readable snapshot.
#[derive(Debug)]
pub(super) struct SnapshotClaims {
    /// Every log entry before this position is reflected in the snapshot.
    pub wal_end_lsn: u64,
    /// Each stream's chain at that position.
    pub chains: BTreeMap<(TenantId, StreamId), ChainClaim>,
}

/// Reads the snapshot, if there is a usable one.
pub(super) fn read(
    vfs: &dyn Vfs,
    data_dir: &Path,
    report: &mut VerifyReport,
) -> Option<SnapshotClaims> {
    let path = data_dir.join(SNAPSHOT_FILE);
    if !vfs.exists(&path) {
        return None;
    }
    let mut ignored = |why: String| {
        let message = format!("{why}; the next start ignores it and replays the whole log");
        report.notice(Location::file(SNAPSHOT_FILE, None), message);
        None
    };
    let bytes = match read_all(vfs, &path) {
        Ok(bytes) => bytes,
        Err(error) => return ignored(format!("cannot be read: {error}")),
    };
    if bytes.len() < HEADER_LEN || &bytes[0..8] != MAGIC {
        return ignored("is not a snapshot (bad magic or too short)".into());
    }
    let mut declared = [0u8; 8];
    declared.copy_from_slice(&bytes[40..48]);
    let body = &bytes[HEADER_LEN..];
    if u64::from_be_bytes(declared) != body.len() as u64
        || blake3::hash(body).as_bytes() != &bytes[8..40]
    {
        return ignored("is damaged (length or BLAKE3 checksum mismatch)".into());
    }
    match postcard::from_bytes::<SnapshotBody>(body) {
        Ok(snapshot) => Some(SnapshotClaims {
            wal_end_lsn: snapshot.wal_end_lsn,
            chains: snapshot.chains.into_iter().collect(),
        }),
        Err(error) => ignored(format!("does not decode: {error}")),
    }
}

fn read_all(vfs: &dyn Vfs, path: &Path) -> std::io::Result<Vec<u8>> {
    let file = vfs.open(path, OpenMode::ReadOnly)?;
    let mut bytes = vec![0u8; usize::try_from(file.len()?).unwrap_or(0)];
    file.read_exact_at(&mut bytes, 0)?;
    Ok(bytes)
}

/// Compares the claims with what the log holds before the snapshot's position:
/// `found` maps each stream to its (length, head, last commit time) there.
pub(super) fn compare(
    claims: &SnapshotClaims,
    found: &BTreeMap<(TenantId, StreamId), ChainClaim>,
    log_end: u64,
    report: &mut VerifyReport,
) {
    let here =
        |key: (TenantId, StreamId)| Location::file(SNAPSHOT_FILE, None).with_record(key, None);
    if claims.wal_end_lsn > log_end {
        let message = format!(
            "covers the log up to position {} but its valid entries end at {log_end}",
            claims.wal_end_lsn
        );
        report.problem(Location::file(SNAPSHOT_FILE, None), message);
        return;
    }
    for (key, claim) in &claims.chains {
        let actual = found.get(key).copied();
        let matches = match actual {
            Some(actual) => actual == *claim,
            None => claim.length == 0,
        };
        if !matches {
            let (length, head) = actual.map_or((0, None), |chain| (chain.length, Some(chain.head)));
            let message = format!(
                "claims {} records with head {}; the log has {length} records{} before \
                 position {}",
                claim.length,
                claim.head,
                head.map_or(String::new(), |head| format!(" with head {head}")),
                claims.wal_end_lsn
            );
            report.problem(here(*key), message);
        }
    }
    for (key, chain) in found {
        if chain.length > 0 && !claims.chains.contains_key(key) {
            let message = format!(
                "omits a stream of {} records before its position",
                chain.length
            );
            report.problem(here(*key), message);
        }
    }
}
