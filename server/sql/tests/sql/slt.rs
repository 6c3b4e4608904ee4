//! Runs every tests/slt/*.slt file and the examples of docs/sql.md, each on
//! a fresh node.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_protocol::TenantId;

use crate::harness::{Node, SltConnection};

fn run_slt(path: &Path) {
    let node = Arc::new(Node::new());
    let mut runner = sqllogictest::Runner::new(move || {
        let node = node.clone();
        async move {
            Ok(SltConnection {
                node,
                tenant: TenantId(1),
                actor: "tester".to_owned(),
            })
        }
    });
    if let Err(error) = runner.run_file(path) {
        panic!("{}: {}", path.display(), error.display(true));
    }
}

fn slt_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "slt"))
        .collect();
    files.sort();
    files
}

#[test]
fn conformance_files_pass() {
    let files = slt_files();
    for file in &files {
        run_slt(file);
    }
    assert!(
        files.len() >= 7,
        "expected the conformance files, found {files:?}"
    );
}

/// docs/sql.md's examples are the ```sqllogictest blocks of the page, run in
/// order as one file.
#[test]
fn documentation_examples_pass() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sql.md");
    let text = std::fs::read_to_string(doc).unwrap();
    let mut script = String::new();
    let mut inside = false;
    let mut blocks = 0;
    for line in text.lines() {
        if line.trim() == "```sqllogictest" {
            inside = true;
            blocks += 1;
        } else if inside && line.trim() == "```" {
            inside = false;
            script.push('\n');
        } else if inside {
            script.push_str(line);
            script.push('\n');
        }
    }
    assert!(blocks >= 5, "docs/sql.md has only {blocks} example blocks");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), script).unwrap();
    run_slt(file.path());
}
