//! Operational disk faults at moments the storage tests leave out: ENOSPC and
//! a failing fsync while a snapshot is written, ENOSPC on an append and on a new
//! tenant's key file, failing reads of a WAL segment and of an index. Each
//! checks that the caller gets a clean error, that nothing acknowledged is lost
//! across a restart (a power loss on the fault file system), and what `verify`
//! says.

use std::path::{Path, PathBuf};

use kimberlite::{Offset, TenantId};
use kimberlite_storage::engine::Engine;

use crate::fault_fixture::{build, files, observe, open, verify, Fixture, ROOT, TENANT};

/// One operational fault and what came of it.
#[derive(Clone, Debug)]
pub struct OpRow {
    /// The fault and when it strikes.
    pub fault: &'static str,
    /// What the engine, the restart and verify did.
    pub outcome: String,
    /// Whether every rule held.
    pub passed: bool,
}

/// Runs every operational fault.
///
/// # Errors
/// A message when a fixture cannot be built.
pub fn operational_faults(seed: u64) -> Result<Vec<OpRow>, String> {
    Ok(vec![
        enospc_on_append(seed)?,
        fault_during_snapshot(seed, true)?,
        fault_during_snapshot(seed, false)?,
        enospc_on_tenant_key(seed)?,
        failing_reads(seed, "wal/", "WAL segment")?,
        failing_reads(seed, "streams/7/{stream}/offsets.idx", "offsets index")?,
    ])
}

/// Appends one event to stream `index`; when acknowledged, the fixture's
/// expectations grow by it.
fn append(engine: &Engine, fixture: &mut Fixture, index: usize, tag: &str) -> Result<(), String> {
    let (id, events) = &mut fixture.streams[index];
    let event = format!("after-fault-{tag}").into_bytes();
    let length = events.len() as u64;
    engine
        .append(TENANT, *id, Offset(length), vec![event.clone()])
        .map_err(|error| error.to_string())?;
    events.push(event);
    fixture.roots[index] = engine
        .root_at(TENANT, *id, length + 1)
        .map_err(|error| error.to_string())?;
    Ok(())
}

/// What verify said, in a few words.
fn verify_text(vfs: &crate::fault_fixture::Fixture) -> (String, bool) {
    match verify(&vfs.vfs) {
        Ok(report) if report.is_ok() => ("OK".to_owned(), true),
        Ok(report) => (
            format!(
                "{} problems, first: {}",
                report.problems.len(),
                report
                    .problems
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
            false,
        ),
        Err(error) => (format!("refused: {error}"), false),
    }
}

/// Simulates a power loss, runs verify on the stopped directory, restarts,
/// checks every acknowledged write, and runs verify again; returns a
/// description and whether the restart kept everything and the second verify
/// passed.
fn restart_and_check(engine: Engine, fixture: &Fixture, seed: u64) -> (String, bool) {
    let _ = engine.shutdown();
    drop(engine);
    fixture.vfs.power_loss(seed);
    let (before, _) = verify_text(fixture);
    let seen = observe(fixture);
    let (after, verified) = verify_text(fixture);
    let passed = seen.refused.is_none()
        && seen.wrong.is_empty()
        && seen.errors.is_empty()
        && !seen.panicked
        && verified;
    let text = format!(
        "power loss; verify of the stopped directory: {before}; restart: {} wrong answers, \
         {} errors; verify after the restart: {after}",
        seen.wrong.len(),
        seen.errors.len()
    );
    (text, passed)
}

fn enospc_on_append(seed: u64) -> Result<OpRow, String> {
    let mut fixture = build(seed)?;
    let engine = open(&fixture.vfs)?;
    fixture.vfs.fail_writes_after_bytes(20);
    let first = append(&engine, &mut fixture, 0, "enospc-1");
    let second = append(&engine, &mut fixture, 1, "enospc-2");
    let failure = engine.failure();
    let (after, restarted) = restart_and_check(engine, &fixture, seed);
    let clean = first.is_err() && second.is_err() && failure.is_some();
    Ok(OpRow {
        fault: "ENOSPC on an append (WAL write)",
        outcome: format!(
            "append: {}; next append: {}; engine failure: {}; {after}",
            first.err().unwrap_or_else(|| "ACKNOWLEDGED".into()),
            second.err().unwrap_or_else(|| "ACKNOWLEDGED".into()),
            failure.unwrap_or_else(|| "none".into())
        ),
        passed: clean && restarted,
    })
}

/// ENOSPC (`enospc`) or a failing fsync while `sync` writes a snapshot and
/// flushes the indexes; appends after it must either fail or survive.
fn fault_during_snapshot(seed: u64, enospc: bool) -> Result<OpRow, String> {
    let mut fixture = build(seed)?;
    let engine = open(&fixture.vfs)?;
    append(&engine, &mut fixture, 0, "before-snapshot")?;
    if enospc {
        fixture.vfs.fail_writes_after_bytes(0);
    } else {
        fixture.vfs.fail_sync_after(0);
    }
    let synced = engine.sync();
    if enospc {
        fixture.vfs.clear_faults();
    }
    let later = append(&engine, &mut fixture, 1, "after-snapshot");
    let (after, restarted) = restart_and_check(engine, &fixture, seed);
    Ok(OpRow {
        fault: if enospc {
            "ENOSPC while writing a snapshot and flushing indexes"
        } else {
            "failing fsync while writing a snapshot and flushing indexes"
        },
        outcome: format!(
            "sync: {}; a later append: {}; {after}",
            synced
                .as_ref()
                .map_or_else(ToString::to_string, |()| "OK".into()),
            later
                .as_ref()
                .map_or_else(Clone::clone, |()| "acknowledged".into()),
        ),
        passed: synced.is_err() && restarted,
    })
}

fn enospc_on_tenant_key(seed: u64) -> Result<OpRow, String> {
    let fixture = build(seed)?;
    let engine = open(&fixture.vfs)?;
    fixture.vfs.fail_writes_after_bytes(0);
    let created = engine.create_tenant(TenantId(8), "second");
    fixture.vfs.clear_faults();
    let (after, restarted) = restart_and_check(engine, &fixture, seed);
    let again = open(&fixture.vfs).and_then(|engine| {
        let created = engine
            .create_tenant(TenantId(8), "second")
            .map_err(|error| error.to_string());
        let _ = engine.shutdown();
        created
    });
    Ok(OpRow {
        fault: "ENOSPC while creating a tenant (catalog entry and key file)",
        outcome: format!(
            "create: {}; {after}; created again after the restart: {}",
            created
                .as_ref()
                .map_or_else(ToString::to_string, |()| "OK".into()),
            again.as_ref().map_or_else(Clone::clone, |()| "OK".into())
        ),
        passed: created.is_err() && restarted && again.is_ok(),
    })
}

/// Reads of the first file whose path contains `pattern` (`{stream}` being
/// the fixture's first stream) fail with EIO.
fn failing_reads(seed: u64, pattern: &str, what: &'static str) -> Result<OpRow, String> {
    let fixture = build(seed)?;
    let pattern = pattern.replace("{stream}", &fixture.streams[0].0 .0.to_string());
    let file: PathBuf = files(&fixture.vfs)
        .into_iter()
        .find(|file| file.to_string_lossy().contains(&pattern))
        .ok_or(format!("no file matching {pattern}"))?;
    let engine = open(&fixture.vfs)?;
    fixture
        .vfs
        .fail_reads(&Path::new(ROOT).join(&file))
        .map_err(|error| error.to_string())?;
    let (id, _) = &fixture.streams[0];
    let read = engine.read(TENANT, *id, Offset(0), 1 << 20);
    let served_right = read
        .as_ref()
        .is_ok_and(|batch| batch.events.first() == fixture.streams[0].1.first());
    let _ = engine.shutdown();
    let verified = verify(&fixture.vfs);
    let name = file.display().to_string();
    let verify_named = match &verified {
        Ok(report) => report
            .problems
            .iter()
            .any(|p| p.to_string().contains(&name)),
        Err(error) => error.contains(&name),
    };
    let outcome = format!(
        "{}: engine read: {}; verify: {}",
        file.display(),
        match &read {
            Ok(_) if served_right => "served the right events (cached)".to_owned(),
            Ok(_) => "WRONG events".to_owned(),
            Err(error) => format!("error: {error}"),
        },
        match &verified {
            Ok(report) => report
                .problems
                .first()
                .map_or_else(|| "OK (nothing found)".to_owned(), ToString::to_string),
            Err(error) => format!("refused: {error}"),
        }
    );
    let passed = (read.is_err() || served_right) && verify_named;
    Ok(OpRow {
        fault: if what == "WAL segment" {
            "EIO on every read of a WAL segment"
        } else {
            "EIO on every read of an offsets index"
        },
        outcome,
        passed,
    })
}
