//! Disk faults through the fault-injecting file system: bit flips in every kind
//! of file the engine keeps, and the operational faults (ENOSPC, failing fsync,
//! failing reads) at the moments the storage tests do not already cover. For
//! each trial: what `verify` says (before anything opens the directory), and
//! what an engine opened on it answers. A panic, or wrong data served without
//! `verify` naming the damage, fails; the rest is tabulated per file kind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::fault_fixture::{build, files, observe, verify, Fixture, Observation, ROOT};

pub use crate::fault_ops::{operational_faults, OpRow};

/// What `verify` said about a damaged directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A problem naming the damaged file.
    Named(String),
    /// Problems, none naming the file (the damage seen through what it breaks).
    Reported(String),
    /// Only notices (what the next start repairs), naming the file.
    Notice(String),
    /// Nothing at all.
    Clean,
    /// Verification refused to run, with this message.
    Refused(String),
}

/// One flipped bit and what came of it.
#[derive(Clone, Debug)]
pub struct Trial {
    /// The file kind.
    pub kind: &'static str,
    /// The file, relative to the data directory.
    pub file: PathBuf,
    /// The byte flipped.
    pub offset: u64,
    /// What verify said.
    pub verdict: Verdict,
    /// What the engine answered.
    pub engine: Observation,
}

impl Trial {
    /// Whether this trial breaks a rule: a panic, or wrong answers that
    /// verification does not name.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.engine.panicked
            || (!self.engine.wrong.is_empty() && !matches!(self.verdict, Verdict::Named(_)))
    }
}

/// The kind of `file` at `offset`.
#[must_use]
pub fn kind_of(file: &Path, offset: u64) -> &'static str {
    let name = file
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    let top = file
        .components()
        .next()
        .map(|part| part.as_os_str().to_string_lossy());
    match (top.as_deref(), name) {
        (Some("wal"), _) if offset < 24 => "WAL segment header",
        (Some("wal"), _) => "WAL entry",
        (_, "offsets.idx") if offset % 16 < 8 => "offsets index (WAL position)",
        (_, "offsets.idx") => "time index (commit time)",
        (_, "tree.hashes") => "tree hashes",
        (_, "snapshot") => "snapshot",
        (_, "master.key") => "master key",
        (_, "signing.key") => "signing key",
        (Some("keys"), _) => "tenant data key",
        _ => "other",
    }
}

/// Runs `per_kind` bit flips in each kind of file, at seeded random places.
///
/// # Errors
/// A message when the fixture cannot be built.
pub fn bit_flips(seed: u64, per_kind: usize) -> Result<Vec<Trial>, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let template = build(seed)?;
    let mut places: BTreeMap<&'static str, Vec<(PathBuf, u64)>> = BTreeMap::new();
    for file in files(&template.vfs) {
        let length = template
            .vfs
            .contents(&Path::new(ROOT).join(&file))
            .map_or(0, |bytes| bytes.len() as u64);
        for offset in 0..length {
            places
                .entry(kind_of(&file, offset))
                .or_default()
                .push((file.clone(), offset));
        }
    }
    let mut trials = Vec::new();
    for (kind, candidates) in &places {
        for _ in 0..per_kind {
            let (file, offset) = candidates[rng.gen_range(0..candidates.len())].clone();
            let bit = rng.gen_range(0..8u8);
            let fixture = build(seed)?;
            trials.push(flip_one(&fixture, kind, file, offset, bit)?);
        }
    }
    Ok(trials)
}

fn flip_one(
    fixture: &Fixture,
    kind: &'static str,
    file: PathBuf,
    offset: u64,
    bit: u8,
) -> Result<Trial, String> {
    let path = Path::new(ROOT).join(&file);
    fixture
        .vfs
        .flip_bit(&path, offset, bit)
        .map_err(|error| format!("cannot flip {}: {error}", path.display()))?;
    let verdict = match verify(&fixture.vfs) {
        Err(message) => Verdict::Refused(message),
        Ok(report) => {
            let name = file.display().to_string();
            let named = |found: &[kimberlite_storage::verify::Finding]| {
                found
                    .iter()
                    .map(ToString::to_string)
                    .find(|text| text.contains(&name))
            };
            if let Some(text) = named(&report.problems) {
                Verdict::Named(text)
            } else if let Some(first) = report.problems.first() {
                Verdict::Reported(first.to_string())
            } else if let Some(text) = named(&report.notices) {
                Verdict::Notice(text)
            } else {
                Verdict::Clean
            }
        }
    };
    let engine = observe(fixture);
    Ok(Trial {
        kind,
        file,
        offset,
        verdict,
        engine,
    })
}

/// Per file kind: trials, how verify answered, how the engine answered.
#[derive(Clone, Debug, Default)]
pub struct KindRow {
    /// Trials.
    pub trials: usize,
    /// Verify named the file / reported other problems / only a notice /
    /// nothing / refused to run.
    pub verify: [usize; 5],
    /// The engine refused to open / answered some call with an error / served
    /// wrong answers / panicked.
    pub engine: [usize; 4],
    /// Trials that broke a rule.
    pub failed: usize,
}

/// Tabulates trials by file kind.
#[must_use]
pub fn by_kind(trials: &[Trial]) -> BTreeMap<&'static str, KindRow> {
    let mut rows: BTreeMap<&'static str, KindRow> = BTreeMap::new();
    for trial in trials {
        let row = rows.entry(trial.kind).or_default();
        row.trials += 1;
        let slot = match trial.verdict {
            Verdict::Named(_) => 0,
            Verdict::Reported(_) => 1,
            Verdict::Notice(_) => 2,
            Verdict::Clean => 3,
            Verdict::Refused(_) => 4,
        };
        row.verify[slot] += 1;
        let engine = &trial.engine;
        row.engine[0] += usize::from(engine.refused.is_some());
        row.engine[1] += usize::from(engine.refused.is_none() && !engine.errors.is_empty());
        row.engine[2] += usize::from(!engine.wrong.is_empty());
        row.engine[3] += usize::from(engine.panicked);
        row.failed += usize::from(trial.failed());
    }
    rows
}

/// Prints the per-kind table.
pub fn print_table(rows: &BTreeMap<&'static str, KindRow>) {
    println!(
        "| file kind | flips | verify: named / other problem / notice / silent / refused \
         | engine: refused open / error / WRONG answer / panic | rule broken |"
    );
    println!("|---|---|---|---|---|");
    for (kind, row) in rows {
        let [named, other, notice, silent, refused] = row.verify;
        let [open, error, wrong, panic] = row.engine;
        println!(
            "| {kind} | {} | {named} / {other} / {notice} / {silent} / {refused} | {open} / \
             {error} / {wrong} / {panic} | {} |",
            row.trials, row.failed
        );
    }
}
