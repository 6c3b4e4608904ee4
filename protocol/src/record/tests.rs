//! Unit tests of the record encoding and the chain checks.

use super::*;

fn sample(payload: &[u8]) -> RecordRef<'_> {
    RecordRef {
        tenant_id: TenantId(0x0102_0304_0506_0708),
        stream_id: StreamId(9),
        offset: Offset(3),
        timestamp_ns: 1_700_000_000_123_456_789,
        kind: RecordKind::SqlEffect,
        prev_hash: Hash([0xab; 32]),
        payload,
    }
}

#[test]
fn layout_is_fixed_width_big_endian() {
    let bytes = sample(b"xyz").encode();
    assert_eq!(bytes.len(), HEADER_LEN + 3);
    assert_eq!(bytes[0], RECORD_VERSION);
    assert_eq!(&bytes[1..9], &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(&bytes[9..17], &9u64.to_be_bytes());
    assert_eq!(&bytes[17..25], &3u64.to_be_bytes());
    assert_eq!(&bytes[25..33], &1_700_000_000_123_456_789u64.to_be_bytes());
    assert_eq!(bytes[33], 1);
    assert_eq!(&bytes[34..66], &[0xab; 32]);
    assert_eq!(&bytes[66..70], &[0, 0, 0, 3]);
    assert_eq!(&bytes[70..], b"xyz");
    assert_eq!(
        decode_record(&bytes).unwrap(),
        sample(b"xyz").to_owned_record()
    );
}

#[test]
fn the_hash_is_the_leaf_hash_of_the_encoding() {
    for payload in [&b""[..], b"xyz", &[7u8; 1500]] {
        let record = sample(payload);
        assert_eq!(record.hash(), record_hash(&record.encode()));
    }
}

#[test]
fn encode_appends() {
    let mut out = vec![0xff];
    encode_record(&sample(b""), &mut out);
    assert_eq!(out[0], 0xff);
    assert_eq!(&out[1..], sample(b"").encode().as_slice());
}

#[test]
fn decoding_errors_are_distinct() {
    let good = sample(b"xyz").encode();
    assert_eq!(decode_record(&[]), Err(RecordError::Empty));
    let mut bad = good.clone();
    bad[0] = 2;
    assert_eq!(decode_record(&bad), Err(RecordError::UnknownVersion(2)));
    assert_eq!(
        decode_record(&good[..69]),
        Err(RecordError::TruncatedHeader { len: 69 })
    );
    let mut bad = good.clone();
    bad[33] = 3;
    assert_eq!(decode_record(&bad), Err(RecordError::UnknownKind(3)));
    assert_eq!(
        decode_record(&good[..72]),
        Err(RecordError::TruncatedPayload {
            declared: 3,
            available: 2
        })
    );
    let mut bad = good;
    bad.push(0);
    assert_eq!(
        decode_record(&bad),
        Err(RecordError::TrailingBytes { count: 1 })
    );
}

#[test]
fn kinds_round_trip_through_their_byte() {
    for kind in [
        RecordKind::Event,
        RecordKind::SqlEffect,
        RecordKind::Catalog,
    ] {
        assert_eq!(RecordKind::from_u8(kind.as_u8()), Some(kind));
    }
    assert_eq!(RecordKind::from_u8(3), None);
}

#[test]
fn genesis_is_bound_to_tenant_and_stream() {
    let base = genesis_hash(TenantId(1), StreamId(2));
    assert_ne!(base, genesis_hash(TenantId(2), StreamId(1)));
    assert_ne!(base, genesis_hash(TenantId(1), StreamId(3)));
    assert_eq!(base, genesis_hash(TenantId(1), StreamId(2)));
}

fn chain(tenant: TenantId, stream: StreamId, n: u64) -> Vec<Vec<u8>> {
    let mut prev = genesis_hash(tenant, stream);
    let mut out = Vec::new();
    for i in 0..n {
        let payload = i.to_be_bytes();
        let record = RecordRef {
            tenant_id: tenant,
            stream_id: stream,
            offset: Offset(i),
            timestamp_ns: 100 + i,
            kind: RecordKind::Event,
            prev_hash: prev,
            payload: &payload,
        };
        let bytes = record.encode();
        prev = record_hash(&bytes);
        out.push(bytes);
    }
    out
}

#[test]
fn a_built_chain_verifies_and_each_kind_of_break_is_named() {
    let (t, s) = (TenantId(5), StreamId(6));
    let records = chain(t, s, 4);
    let head = verify_chain(t, s, records.iter().map(Vec::as_slice)).unwrap();
    assert_eq!(head, record_hash(&records[3]));
    assert!(matches!(
        verify_chain(TenantId(4), s, records.iter().map(Vec::as_slice)),
        Err(ChainError::TenantMismatch { .. })
    ));
    assert!(matches!(
        verify_chain(t, StreamId(7), records.iter().map(Vec::as_slice)),
        Err(ChainError::StreamMismatch { .. })
    ));
    assert!(matches!(
        verify_chain(t, s, [&records[0], &records[2]].map(Vec::as_slice)),
        Err(ChainError::OffsetGap {
            expected: Offset(1),
            found: Offset(2)
        })
    ));
    let mut tampered = records.clone();
    tampered[1][40] ^= 1;
    assert!(matches!(
        verify_chain(t, s, tampered.iter().map(Vec::as_slice)),
        Err(ChainError::BrokenLink {
            offset: Offset(1),
            ..
        })
    ));
    let mut tampered = records.clone();
    tampered[2][32] = 0;
    assert!(matches!(
        verify_chain(t, s, tampered.iter().map(Vec::as_slice)),
        Err(ChainError::TimestampRegression {
            offset: Offset(2),
            ..
        })
    ));
    let mut tampered = records;
    tampered[2].push(0);
    assert!(matches!(
        verify_chain(t, s, tampered.iter().map(Vec::as_slice)),
        Err(ChainError::Malformed {
            position: 2,
            source: RecordError::TrailingBytes { count: 1 }
        })
    ));
}
