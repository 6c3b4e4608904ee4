//! The client SDK benchmarks' figures: lines `RESULT <language> <workload>
//! <ops_per_sec>` printed by `bench/sdks`, turned into a table of each
//! language's rate as a share of the Rust client's on the same workload.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// One figure of one SDK benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SdkResult {
    /// `rust`, `python`, `node` or `go`.
    pub language: String,
    /// The workload's name as the programs print it.
    pub workload: String,
    /// Operations per second.
    pub ops_per_second: f64,
}

/// Every well-formed `RESULT` line of `text`; other lines are ignored.
pub fn parse(text: &str) -> Vec<SdkResult> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            if words.next()? != "RESULT" {
                return None;
            }
            let language = words.next()?.to_lowercase();
            let workload = words.next()?.to_owned();
            let ops_per_second = words.next()?.parse().ok()?;
            words.next().is_none().then_some(SdkResult {
                language,
                workload,
                ops_per_second,
            })
        })
        .collect()
}

/// A Markdown table: one row per workload, each language's ops/s (Rust's
/// first, then the others as they come) and its share of Rust's. Empty when there is nothing to show.
pub fn table(results: &[SdkResult]) -> String {
    let mut workloads: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for result in results {
        workloads
            .entry(&result.workload)
            .or_default()
            .insert(&result.language, result.ops_per_second);
    }
    if workloads.is_empty() {
        return String::new();
    }
    // Rust first, then the others in the order they were printed.
    let mut languages = vec!["rust"];
    for result in results {
        if !languages.contains(&result.language.as_str()) {
            languages.push(&result.language);
        }
    }
    let mut out = String::from("| workload | Rust ops/s |");
    for language in &languages[1..] {
        let _ = write!(out, " {language} ops/s | {language} / Rust |");
    }
    out.push_str("\n|---|---:|");
    out.push_str(&"---:|---:|".repeat(languages.len() - 1));
    out.push('\n');
    for (workload, rates) in &workloads {
        let rust = rates.get("rust").copied();
        let _ = write!(out, "| {workload} | {} |", cell(rust));
        for language in &languages[1..] {
            let rate = rates.get(language).copied();
            let share = match (rate, rust) {
                (Some(rate), Some(rust)) if rust > 0.0 => format!("{:.0} %", rate / rust * 1e2),
                _ => "-".to_owned(),
            };
            let _ = write!(out, " {} | {share} |", cell(rate));
        }
        out.push('\n');
    }
    out
}

fn cell(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), crate::report::thousands)
}
