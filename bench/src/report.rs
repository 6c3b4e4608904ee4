//! REPORT.md and results.json: the machine, a throughput table with the
//! ratios of Kimberlite to each other system, a latency table, the charts, how
//! each system ran the workloads, and the client SDKs as shares of Rust.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::sdk::{self, SdkResult};
use crate::workload::{Row, Settings, System, Workload};
use crate::Result;

/// Everything one comparison produced.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    /// The machine and versions.
    pub machine: Machine,
    /// Seconds each workload ran on each system.
    pub seconds_per_run: f64,
    /// One row per workload and system that ran it.
    pub rows: Vec<Row>,
    /// The client SDK figures, if any.
    pub sdk_results: Vec<SdkResult>,
    /// Where the SDK figures came from, or why there are none.
    pub sdk_note: String,
}

/// `value` rounded, with thin spaces between thousands (`12 345`).
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

/// Milliseconds with two decimals, three below 0.1 ms.
fn millis(value: f64) -> String {
    if value < 0.1 {
        format!("{value:.3}")
    } else {
        format!("{value:.2}")
    }
}

impl Comparison {
    fn row(&self, workload: &str, system: System) -> Option<&Row> {
        self.rows
            .iter()
            .find(|row| row.workload == workload && row.system == system)
    }

    /// Kimberlite's throughput over `system`'s on `workload`.
    pub fn ratio(&self, workload: &str, system: System) -> Option<f64> {
        let ours = self
            .row(workload, System::Kimberlite)?
            .summary
            .items_per_second;
        let theirs = self.row(workload, system)?.summary.items_per_second;
        (theirs > 0.0).then(|| ours / theirs)
    }

    fn workloads(&self) -> Vec<(String, String)> {
        let mut seen: Vec<(String, String)> = Vec::new();
        for row in &self.rows {
            if !seen.iter().any(|(name, _)| *name == row.workload) {
                seen.push((row.workload.clone(), row.unit.clone()));
            }
        }
        seen
    }

    fn systems(&self) -> Vec<System> {
        System::ALL
            .into_iter()
            .filter(|system| self.rows.iter().any(|row| row.system == *system))
            .collect()
    }

    fn throughput_table(&self) -> String {
        let systems = self.systems();
        // Ratios only when Kimberlite ran, one column per other system.
        let others: Vec<System> = if systems.contains(&System::Kimberlite) {
            systems
                .iter()
                .copied()
                .filter(|system| *system != System::Kimberlite)
                .collect()
        } else {
            Vec::new()
        };
        let mut out = String::from("| workload | unit |");
        for system in &systems {
            let _ = write!(out, " {} |", system.label());
        }
        for system in &others {
            let _ = write!(out, " Kimberlite / {} |", system.label());
        }
        out.push_str("\n|---|---|");
        out.push_str(&"---:|".repeat(systems.len() + others.len()));
        out.push('\n');
        for (workload, unit) in self.workloads() {
            let _ = write!(out, "| {workload} | {unit} |");
            for system in &systems {
                let cell = self.row(&workload, *system).map_or_else(
                    || "-".to_owned(),
                    |row| thousands(row.summary.items_per_second),
                );
                let _ = write!(out, " {cell} |");
            }
            for system in &others {
                let cell = self
                    .ratio(&workload, *system)
                    .map_or_else(|| "-".to_owned(), |ratio| format!("{ratio:.2}x"));
                let _ = write!(out, " {cell} |");
            }
            out.push('\n');
        }
        out
    }

    fn latency_table(&self) -> String {
        let systems = self.systems();
        let mut out = String::from("| workload |");
        for system in &systems {
            let _ = write!(out, " {} p50 / p99 ms |", system.label());
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(systems.len()));
        out.push('\n');
        for (workload, _) in self.workloads() {
            let _ = write!(out, "| {workload} |");
            for system in &systems {
                let cell = self.row(&workload, *system).map_or_else(
                    || "-".to_owned(),
                    |row| {
                        format!(
                            "{} / {}",
                            millis(row.summary.p50_ms),
                            millis(row.summary.p99_ms)
                        )
                    },
                );
                let _ = write!(out, " {cell} |");
            }
            out.push('\n');
        }
        out
    }

    /// The headline: 64 (or the most) appending clients against PostgreSQL
    /// plain and with the trigger, beside the targets 5x and 20x.
    pub fn headline(&self, settings: &Settings) -> String {
        let Some(clients) = settings
            .workloads
            .iter()
            .filter_map(|workload| match workload {
                Workload::Append { clients } => Some(*clients),
                _ => None,
            })
            .max()
        else {
            return String::new();
        };
        let workload = Workload::Append { clients }.label();
        let mut out = String::new();
        for (system, target) in [(System::Postgres, 5.0), (System::PostgresChain, 20.0)] {
            if let Some(ratio) = self.ratio(&workload, system) {
                let verdict = if ratio >= target { "met" } else { "missed" };
                let _ = writeln!(
                    out,
                    "- {workload}: Kimberlite / {} = **{ratio:.2}x** (target {target:.0}x: {verdict})",
                    system.label()
                );
            }
        }
        out
    }

    /// Writes `REPORT.md` and `results.json` into `dir`.
    ///
    /// # Errors
    /// The files cannot be written.
    pub fn write(&self, dir: &Path, settings: &Settings) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join("results.json"),
            serde_json::to_string_pretty(self)?,
        )?;
        std::fs::write(dir.join("REPORT.md"), self.markdown(settings))?;
        Ok(())
    }

    /// The report's text.
    pub fn markdown(&self, settings: &Settings) -> String {
        let machine = &self.machine;
        let mut out = String::from("# Kimberlite against PostgreSQL and SQLite\n\n");
        let _ = writeln!(
            out,
            "Produced by `bench/compare` in one run. Each workload ran {:.0} s on each \
             system; throughput counts records, reads, rows or queries per second, and \
             latency is that of one operation (one append call, one statement, one \
             query) as its client saw it.\n",
            self.seconds_per_run
        );
        out.push_str("## Machine\n\n");
        let _ = writeln!(
            out,
            "- {} cores ({}), {:.1} GiB memory, Linux {}\n- load average (1 min) at the \
             start: {}\n- disk: **{:.0} write + fdatasync rounds per second** (4 KiB, \
             measured just before the run). Every durable write of every system waits \
             for one, so the write workloads of all three are bounded by how many \
             writes each can share one fdatasync.",
            machine.cores,
            machine.processor,
            machine.memory_gib,
            machine.kernel,
            machine.load_average,
            machine.fdatasync_per_second
        );
        for (name, version) in &machine.versions {
            let _ = writeln!(out, "- {name}: {version}");
        }
        out.push_str("\n## Headline\n\n");
        out.push_str(&self.headline(settings));
        out.push_str("\n## Throughput\n\n");
        out.push_str(&self.throughput_table());
        out.push_str("\n![throughput](throughput.png)\n\n## Latency\n\n");
        out.push_str(&self.latency_table());
        out.push_str("\n![p99 latency](latency_p99.png)\n![p50 latency](latency_p50.png)\n\n");
        out.push_str(crate::notes::HOW_IT_RUNS);
        out.push_str("\n## Client SDKs against the Rust client\n\n");
        let _ = writeln!(out, "{}\n", self.sdk_note);
        out.push_str(&sdk::table(&self.sdk_results));
        if !self.sdk_results.is_empty() {
            out.push_str("\n![SDKs against Rust](sdks.png)\n");
        }
        out
    }
}
