//! `kimberlite verify` on a stopped node: a good directory passes and is left
//! untouched; a flipped WAL byte and an altered stored tree hash fail, named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kimberlite::{DataClass, Offset, Placement, TenantId};

use crate::harness::{init, run, scratch, text, Server};

const SEGMENT: &str = "wal/00000000000000000000.seg";

/// A stopped node with tenant 1 and its stream 1 holding 12 events.
fn stopped_node() -> (tempfile::TempDir, PathBuf) {
    let (temp, data) = scratch();
    let admin = init(&data, false);
    let server = Server::start(&data);
    let client = server.client(1, Some(&admin), None);
    client.create_tenant(TenantId(1), "clinic").unwrap();
    let stream = client
        .create_stream("visits", DataClass::PHI, Placement::Global)
        .unwrap();
    for offset in 0..12 {
        let event = format!("visit {offset}").into_bytes();
        client.append(stream, vec![event], Offset(offset)).unwrap();
    }
    drop(client);
    let (status, _, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
    (temp, data)
}

fn verify(data: &Path) -> (bool, String) {
    let output = run(&["verify", data.to_str().unwrap()]);
    let (stdout, stderr) = text(&output);
    (output.status.success(), format!("{stdout}{stderr}"))
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn a_good_directory_verifies_and_is_left_untouched() {
    let (_temp, data) = stopped_node();
    let before = snapshot(&data);
    let (ok, output) = verify(&data);
    assert!(ok, "{output}");
    assert!(output.contains("OK: every record verified"), "{output}");
    assert!(output.contains("12 recomputed"), "{output}");
    assert_eq!(snapshot(&data), before);
}

#[test]
fn a_flipped_wal_byte_fails_verification_naming_file_and_offset() {
    let (_temp, data) = stopped_node();
    let path = data.join(SEGMENT);
    let mut bytes = std::fs::read(&path).unwrap();
    // Inside the first entry's body (after the 24-byte header and 12-byte frame).
    bytes[24 + 12 + 30] ^= 0x10;
    std::fs::write(&path, bytes).unwrap();
    let (ok, output) = verify(&data);
    assert!(!ok, "{output}");
    assert!(
        output.contains(&format!("PROBLEM: {SEGMENT} byte 24")),
        "{output}"
    );
    assert!(output.contains("checksum mismatch"), "{output}");
}

#[test]
fn an_altered_tree_hash_fails_verification_naming_stream_and_record() {
    let (_temp, data) = stopped_node();
    let path = data.join("streams/1/1/tree.hashes");
    let mut bytes = std::fs::read(&path).unwrap();
    // Position 4 holds leaf 3 (L0 L1 N01 L2 L3 ...).
    bytes[4 * 32] ^= 0xFF;
    std::fs::write(&path, bytes).unwrap();
    let (ok, output) = verify(&data);
    assert!(!ok, "{output}");
    assert!(
        output.contains("streams/1/1/tree.hashes byte 128, stream 1/1 record 3"),
        "{output}"
    );
}

#[test]
fn a_directory_that_is_not_a_data_directory_is_refused() {
    let (_temp, data) = scratch();
    std::fs::create_dir_all(&data).unwrap();
    let (ok, output) = verify(&data);
    assert!(!ok);
    assert!(
        output.contains("not a Kimberlite data directory"),
        "{output}"
    );
}

#[test]
fn a_directory_being_served_is_not_verified() {
    let (_temp, data) = scratch();
    init(&data, false);
    let server = Server::start(&data);
    let (ok, output) = verify(&data);
    assert!(!ok);
    assert!(output.contains("in use by a running server"), "{output}");
    let (status, _, _) = server.terminate();
    assert!(status.success());
    assert!(verify(&data).0);
}
