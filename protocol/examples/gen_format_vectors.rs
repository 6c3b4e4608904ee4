//! Writes the verification-format vectors: tests/vectors/records.json (canonical
//! records, their hashes, genesis values and a chain), tests/vectors/merkle.json (roots,
//! inclusion and consistency proofs), tests/vectors/notes.json and
//! tests/vectors/checkpoints.json (a fixed test key, signed notes and checkpoints) and
//! tests/vectors/formats-negative.json (inputs every verifier must refuse, each with
//! the expected error name).
//!
//! Output is deterministic (sorted keys, fixed inputs, deterministic Ed25519), so
//! scripts/check-vectors can regenerate it and fail on any difference. Run with
//! `cargo run -p kimberlite-protocol --example gen_format_vectors`.

#[path = "../tests/protocol/formats/fixtures.rs"]
#[allow(
    clippy::expect_used,
    reason = "the fixtures build fixed inputs that are valid by construction"
)]
mod fixtures;

use std::path::{Path, PathBuf};

use fixtures::{
    chain_records, error_name, fixed_signer, hex, leaves, sample_records, KEY_NAME, SERVER_SEED,
};
use kimberlite_protocol::checkpoint::{
    checkpoint_origin, sign_checkpoint, timestamp_extension, Checkpoint,
};
use kimberlite_protocol::merkle::{
    consistency_proof, consistency_proof_ranges, empty_root, inclusion_proof,
    inclusion_proof_ranges, range_proof, range_proof_ranges, root,
};
use kimberlite_protocol::record::{genesis_hash, record_hash, RecordRef};
use kimberlite_protocol::{StreamId, TenantId};
use serde_json::{json, Value as Json};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[path = "gen_format_vectors/negative.rs"]
mod negative;

fn main() -> Result<()> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    write_json(&directory.join("records.json"), &records_json())?;
    write_json(&directory.join("merkle.json"), &merkle_json()?)?;
    write_json(&directory.join("notes.json"), &notes_json()?)?;
    write_json(&directory.join("checkpoints.json"), &checkpoints_json()?)?;
    write_json(
        &directory.join("formats-negative.json"),
        &negative::cases()?,
    )?;
    Ok(())
}

fn write_json(path: &Path, value: &Json) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(())
}

fn record_json(record: &RecordRef<'_>) -> Json {
    let encoded = record.encode();
    json!({
        "tenant_id": record.tenant_id.0,
        "stream_id": record.stream_id.0,
        "offset": record.offset.0,
        "timestamp_ns": record.timestamp_ns,
        "kind": format!("{:?}", record.kind),
        "kind_byte": record.kind.as_u8(),
        "prev_hash_hex": record.prev_hash.to_hex(),
        "payload_hex": hex(record.payload),
        "encoded_hex": hex(&encoded),
        "hash_hex": record_hash(&encoded).to_hex(),
    })
}

fn records_json() -> Json {
    let genesis: Vec<Json> = [(0, 0), (1, 1), (1, 2), (2, 1), (u64::MAX, u64::MAX)]
        .into_iter()
        .map(|(t, s)| {
            json!({
                "tenant_id": t,
                "stream_id": s,
                "hash_hex": genesis_hash(TenantId(t), StreamId(s)).to_hex(),
            })
        })
        .collect();
    let samples = sample_records();
    let chain = chain_records();
    let chain_hashes: Vec<_> = chain
        .iter()
        .map(|r| record_hash(&r.as_ref().encode()))
        .collect();
    json!({
        "description": "Canonical record encoding v1: version u8 (1) | tenant u64 BE | stream \
            u64 BE | offset u64 BE | timestamp_ns u64 BE | kind u8 (Event 0, \
            SqlEffect 1, Catalog 2) | prev_hash 32 bytes | payload_len u32 BE | \
            payload. hash = SHA-256(0x00 || encoded). genesis = \
            SHA-256(\"kimberlite/genesis/v1\" || tenant u64 BE || stream u64 BE). \
            The chain's records each link to the previous record's hash (the first \
            to the genesis hash); root_hex is the RFC 6962 root of their hashes.",
        "genesis": genesis,
        "records": samples.iter().map(|r| record_json(&r.as_ref())).collect::<Vec<_>>(),
        "chain": {
            "tenant_id": chain[0].tenant_id.0,
            "stream_id": chain[0].stream_id.0,
            "genesis_hex": genesis_hash(chain[0].tenant_id, chain[0].stream_id).to_hex(),
            "records": chain.iter().map(|r| record_json(&r.as_ref())).collect::<Vec<_>>(),
            "head_hex": chain_hashes.last().map(|h| h.to_hex()),
            "root_hex": root(&chain_hashes).to_hex(),
        },
    })
}

fn hexes(hashes: &[kimberlite_protocol::Hash]) -> Vec<String> {
    hashes.iter().map(|h| h.to_hex()).collect()
}

fn merkle_json() -> Result<Json> {
    let all = leaves(4097);
    let mut sizes: Vec<u64> = (1..=64).collect();
    sizes.extend([100, 127, 128, 129, 1000, 1024, 4095, 4096, 4097]);
    let roots: Vec<Json> = sizes
        .iter()
        .map(|&n| json!({"size": n, "root_hex": root(&all[..n as usize]).to_hex()}))
        .collect();
    let mut inclusion_cases: Vec<(u64, u64)> = Vec::new();
    for n in 1..=16 {
        inclusion_cases.extend((0..n).map(|m| (m, n)));
    }
    inclusion_cases.extend([
        (0, 1000),
        (999, 1000),
        (511, 1000),
        (512, 1000),
        (4096, 4097),
    ]);
    inclusion_cases.extend([(0, 4097), (2049, 4097), (100, 129), (128, 129)]);
    let mut inclusion = Vec::new();
    for (m, n) in inclusion_cases {
        let tree = &all[..n as usize];
        let ranges = inclusion_proof_ranges(m, n)?;
        inclusion.push(json!({
            "index": m,
            "size": n,
            "leaf_hex": tree[m as usize].to_hex(),
            "root_hex": root(tree).to_hex(),
            "proof_hex": hexes(&inclusion_proof(tree, m)?),
            "proof_ranges": ranges.iter().map(|r| [r.start, r.len]).collect::<Vec<_>>(),
        }));
    }
    let mut consistency_cases: Vec<(u64, u64)> = Vec::new();
    for n in 1..=16 {
        consistency_cases.extend((0..=n).map(|m| (m, n)));
    }
    consistency_cases.extend([(1, 4097), (1000, 4097), (4096, 4097), (513, 1000), (17, 64)]);
    consistency_cases.extend([(64, 1000), (999, 1000), (127, 129), (3, 4096)]);
    let mut consistency = Vec::new();
    for (m, n) in consistency_cases {
        let tree = &all[..n as usize];
        let ranges = consistency_proof_ranges(m, n)?;
        consistency.push(json!({
            "old_size": m,
            "new_size": n,
            "old_root_hex": root(&tree[..m as usize]).to_hex(),
            "new_root_hex": root(tree).to_hex(),
            "proof_hex": hexes(&consistency_proof(tree, m)?),
            "proof_ranges": ranges.iter().map(|r| [r.start, r.len]).collect::<Vec<_>>(),
        }));
    }
    let mut range_cases: Vec<(u64, u64, u64)> = Vec::new();
    for n in 1..=8 {
        for from in 0..n {
            range_cases.extend((from + 1..=n).map(|to| (from, to, n)));
        }
    }
    range_cases.extend([
        (0, 64, 1000),
        (100, 164, 1000),
        (936, 1000, 1000),
        (4000, 4097, 4097),
    ]);
    range_cases.extend([
        (1, 4096, 4097),
        (2048, 2049, 4097),
        (17, 18, 129),
        (0, 129, 129),
    ]);
    let mut range = Vec::new();
    for (from, to, n) in range_cases {
        let tree = &all[..n as usize];
        let ranges = range_proof_ranges(from, to, n)?;
        range.push(json!({
            "from": from,
            "to": to,
            "size": n,
            "root_hex": root(tree).to_hex(),
            "proof_hex": hexes(&range_proof(tree, from, to)?),
            "proof_ranges": ranges.iter().map(|r| [r.start, r.len]).collect::<Vec<_>>(),
        }));
    }
    Ok(json!({
        "description": "RFC 6962 trees over deterministic leaves: leaf i = SHA-256(0x00 || i as \
            u64 big-endian), i = 0, 1, 2, ... A tree of size n has leaves 0..n. \
            Proofs are RFC 9162 inclusion and consistency proofs (hashes in proof \
            order), and range proofs of the leaves [from, to) (kmb.verify/2, \
            docs/protocol.md section 12: hashes left to right). proof_ranges \
            lists, per proof hash, the leaves [start, start + len) whose Merkle \
            tree hash it is.",
        "empty_root_hex": empty_root().to_hex(),
        "leaf_hashes_hex": hexes(&all[..64]),
        "roots": roots,
        "inclusion_proofs": inclusion,
        "consistency_proofs": consistency,
        "range_proofs": range,
    }))
}

fn notes_json() -> Result<Json> {
    let signer = fixed_signer();
    let texts = [
        "hello\n",
        "two lines\nof text\n",
        "a text\n\nwith a blank line\n",
        "unicode: \u{e9}t\u{e9} \u{2014} \u{65e5}\u{672c}\n",
    ];
    let notes: Vec<Json> = texts
        .iter()
        .map(|text| Ok(json!({"text": text, "note": signer.sign(text)?})))
        .collect::<Result<_>>()?;
    Ok(json!({
        "description": "C2SP signed notes by the fixed test key (Ed25519, RFC 8032 deterministic \
            signatures). The key's 32-byte seed is public test data: never use it \
            for anything else. Each note must open with verifier_key and yield text.",
        "key_name": KEY_NAME,
        "seed_hex": hex(&SERVER_SEED),
        "public_key_hex": hex(signer.verifier().public_key().as_bytes()),
        "key_id_hex": format!("{:08x}", signer.key_id()),
        "verifier_key": signer.verifier_key(),
        "notes": notes,
    }))
}

fn checkpoints_json() -> Result<Json> {
    let signer = fixed_signer();
    let all = leaves(1000);
    let mut checkpoints = Vec::new();
    for (tenant, stream, size, timestamp) in [
        (1u64, 1u64, 0u64, None),
        (1, 1, 1, Some(1_700_000_000_000_000_000u64)),
        (1, 1, 7, Some(1_700_000_000_000_000_007)),
        (1, 2, 7, Some(1_700_000_000_000_000_007)),
        (42, 9, 1000, Some(1_767_225_600_123_456_789)),
    ] {
        let checkpoint = Checkpoint {
            origin: checkpoint_origin(KEY_NAME, TenantId(tenant), StreamId(stream)),
            size,
            root: root(&all[..size as usize]),
            extensions: timestamp.map(timestamp_extension).into_iter().collect(),
        };
        checkpoints.push(json!({
            "tenant_id": tenant,
            "stream_id": stream,
            "origin": checkpoint.origin,
            "size": size,
            "root_hex": checkpoint.root.to_hex(),
            "timestamp_ns": timestamp,
            "extensions": checkpoint.extensions,
            "body": checkpoint.to_body()?,
            "note": sign_checkpoint(&checkpoint, &signer)?,
        }));
    }
    Ok(json!({
        "description": "C2SP tlog-checkpoint bodies (origin, decimal size, base64 root, \
            extension lines) signed as notes by the fixed test key of notes.json. \
            origin = <identity>/tenant/<tenant>/stream/<stream> with identity = \
            key_name; roots are over merkle.json's deterministic leaves; the \
            extension 'kimberlite/timestamp-ns <decimal>' carries the last record's \
            commit timestamp.",
        "key_name": KEY_NAME,
        "seed_hex": hex(&SERVER_SEED),
        "verifier_key": signer.verifier_key(),
        "checkpoints": checkpoints,
    }))
}

/// The error name of a failed result, for the negative vectors.
fn expect_error<T, E: std::fmt::Debug>(
    name: &str,
    result: std::result::Result<T, E>,
) -> Result<String> {
    match result {
        Ok(_) => Err(format!("negative vector {name:?} was accepted").into()),
        Err(error) => Ok(error_name(&error)),
    }
}
