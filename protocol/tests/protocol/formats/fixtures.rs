//! Fixed inputs shared by the format tests and the vector generator: deterministic
//! leaves, sample records, a chain, the public test signing key, and error naming.

use ed25519_dalek::SigningKey;
use kimberlite_protocol::merkle::leaf_hash;
use kimberlite_protocol::note::NoteSigner;
use kimberlite_protocol::record::{genesis_hash, record_hash, Record, RecordKind, RecordRef};
use kimberlite_protocol::{Hash, Offset, StreamId, TenantId};

/// The key name (server identity) of the test key.
pub const KEY_NAME: &str = "db.kimberlite.test";

/// The seed of the test key. Public test data: it protects nothing.
pub const SERVER_SEED: [u8; 32] = *b"kimberlite-public-test-key-seed!";

/// Another public test seed, for "wrong key" cases.
pub const OTHER_SEED: [u8; 32] = [0x42; 32];

/// The signer of the test key.
pub fn fixed_signer() -> NoteSigner {
    NoteSigner::new(KEY_NAME, SigningKey::from_bytes(&SERVER_SEED)).expect("valid key name")
}

/// Leaf `i` of the deterministic trees: `SHA-256(0x00 || i as u64 big-endian)`.
pub fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Records covering each kind, empty and long payloads and extreme ids.
pub fn sample_records() -> Vec<Record> {
    let record = |t: u64, s: u64, o: u64, ts: u64, kind, prev: Hash, payload: &[u8]| Record {
        tenant_id: TenantId(t),
        stream_id: StreamId(s),
        offset: Offset(o),
        timestamp_ns: ts,
        kind,
        prev_hash: prev,
        payload: payload.to_vec(),
    };
    let long: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
    vec![
        record(
            1,
            1,
            0,
            0,
            RecordKind::Event,
            genesis_hash(TenantId(1), StreamId(1)),
            b"",
        ),
        record(
            1,
            1,
            1,
            1_700_000_000_000_000_000,
            RecordKind::Event,
            Hash([0x11; 32]),
            b"hello",
        ),
        record(
            7,
            0,
            12,
            1_767_225_600_123_456_789,
            RecordKind::SqlEffect,
            Hash([0xa5; 32]),
            &long,
        ),
        record(
            0,
            0,
            5,
            42,
            RecordKind::Catalog,
            Hash([0; 32]),
            "\u{e9}t\u{e9}".as_bytes(),
        ),
        record(
            u64::MAX,
            u64::MAX,
            u64::MAX,
            u64::MAX,
            RecordKind::Event,
            Hash([0xff; 32]),
            &[0],
        ),
    ]
}

/// Five records of tenant 3, stream 4, each linking to the previous one's hash.
pub fn chain_records() -> Vec<Record> {
    let (tenant_id, stream_id) = (TenantId(3), StreamId(4));
    let mut prev_hash = genesis_hash(tenant_id, stream_id);
    let mut out = Vec::new();
    for i in 0..5u64 {
        let payload = format!("event {i}").into_bytes();
        let record = RecordRef {
            tenant_id,
            stream_id,
            offset: Offset(i),
            timestamp_ns: 1_700_000_000_000_000_000 + i * 1_000,
            kind: RecordKind::Event,
            prev_hash,
            payload: &payload,
        };
        prev_hash = record_hash(&record.encode());
        out.push(record.to_owned_record());
    }
    out
}

/// The name of an error's variant, from its `Debug` form; a checkpoint's wrapped note
/// error is named by the inner variant.
pub fn error_name<E: std::fmt::Debug>(error: &E) -> String {
    let text = format!("{error:?}");
    let name: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    match text.strip_prefix("Note(") {
        Some(inner) => inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect(),
        None => name,
    }
}
