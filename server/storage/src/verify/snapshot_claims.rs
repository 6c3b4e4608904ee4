//! What `state/snapshot` claims about the log, to be checked against it.
//!
//! Recovery starts from the snapshot and trusts each stream's (length, head)
//! there, so a wrong claim would survive restarts; verification recomputes
//! both from the log. The snapshot is read by the engine's own decoder
//! ([`read_snapshot`]), so both see the same file the same way. A snapshot that
//! is damaged or that this build cannot decode is only a notice: recovery
//! ignores such a snapshot and replays the whole log.

use std::collections::BTreeMap;
use std::path::Path;

use kimberlite_protocol::{StreamId, TenantId};

use super::report::{Location, VerifyReport};
use crate::engine::{read_snapshot, Chain, Layout};
use crate::io::Vfs;

const SNAPSHOT_FILE: &str = "state/snapshot";

/// The claims of a readable snapshot.
#[derive(Debug)]
pub(super) struct SnapshotClaims {
    /// Every log entry before this position is reflected in the snapshot.
    pub wal_end_lsn: u64,
    /// Each stream's chain at that position.
    pub chains: BTreeMap<(TenantId, StreamId), Chain>,
}

/// Reads the snapshot, if there is a usable one.
pub(super) fn read(
    vfs: &dyn Vfs,
    data_dir: &Path,
    report: &mut VerifyReport,
) -> Option<SnapshotClaims> {
    match read_snapshot(vfs, &Layout::new(data_dir)) {
        Ok(snapshot) => snapshot.map(|snapshot| SnapshotClaims {
            wal_end_lsn: snapshot.wal_end_lsn,
            chains: snapshot.chains.into_iter().collect(),
        }),
        Err(error) => {
            let message = format!(
                "cannot be used ({error}); the next start ignores it and replays the whole log"
            );
            report.notice(Location::file(SNAPSHOT_FILE, None), message);
            None
        }
    }
}

/// Compares the claims with what the log holds before the snapshot's position:
/// `found` maps each stream to its (length, head, last commit time) there.
pub(super) fn compare(
    claims: &SnapshotClaims,
    found: &BTreeMap<(TenantId, StreamId), Chain>,
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
