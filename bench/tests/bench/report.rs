//! The report's arithmetic and the SDK lines it reads, on made-up figures.

use kimberlite_bench::machine::Machine;
use kimberlite_bench::measure::Summary;
use kimberlite_bench::report::{thousands, Comparison};
use kimberlite_bench::sdk;
use kimberlite_bench::{Row, Settings, System, Workload};

fn row(workload: Workload, system: System, rate: f64) -> Row {
    Row {
        workload: workload.label(),
        unit: workload.unit().to_owned(),
        system,
        system_label: system.label().to_owned(),
        summary: Summary {
            items_per_second: rate,
            p50_ms: 1.0,
            p99_ms: 2.0,
            operations: 10,
        },
    }
}

#[test]
fn ratios_and_headline_against_the_targets() {
    let append = Workload::Append { clients: 64 };
    let comparison = Comparison {
        machine: Machine::default(),
        seconds_per_run: 1.0,
        rows: vec![
            row(append, System::Kimberlite, 12_000.0),
            row(append, System::Postgres, 2_000.0),
            row(append, System::PostgresChain, 1_000.0),
            row(append, System::Sqlite, 0.0),
        ],
        sdk_results: Vec::new(),
        sdk_note: String::new(),
    };
    let label = append.label();
    assert_eq!(comparison.ratio(&label, System::Postgres), Some(6.0));
    assert_eq!(comparison.ratio(&label, System::PostgresChain), Some(12.0));
    // No ratio against a system that did nothing, nor one that did not run.
    assert_eq!(comparison.ratio(&label, System::Sqlite), None);
    assert_eq!(
        comparison.ratio(&label, System::PostgresChainPerClient),
        None
    );
    let headline = comparison.headline(&Settings::full(std::time::Duration::from_secs(1)));
    assert!(
        headline.contains("**6.00x** (target 5x: met)"),
        "{headline}"
    );
    assert!(
        headline.contains("**12.00x** (target 20x: missed)"),
        "{headline}"
    );
    assert_eq!(thousands(1_234_567.4), "1 234 567");
    assert_eq!(thousands(999.6), "1 000");
}

#[test]
fn sdk_lines_become_shares_of_rust() {
    let text = "building...\nRESULT rust append 1000\nRESULT Python append 250.6\n\
                RESULT go append 800 extra\nRESULT node append fast\nRESULT node append 500\nRESULT node read 90\n";
    let results = sdk::parse(text);
    let languages: Vec<&str> = results.iter().map(|r| r.language.as_str()).collect();
    assert_eq!(languages, ["rust", "python", "node", "node"]);
    let table = sdk::table(&results);
    assert!(
        table.contains("| append | 1 000 | 251 | 25 % | 500 | 50 % |\n"),
        "{table}"
    );
    // No Rust figure: no share.
    assert!(table.contains("| read | - | - | - | 90 | - |\n"), "{table}");
    assert!(sdk::table(&[]).is_empty());
}
