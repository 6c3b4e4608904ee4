use super::*;
use proptest::prelude::*;

fn sample(sealing: Sealing, payload: Vec<u8>) -> StoredRecord {
    StoredRecord {
        tenant_id: TenantId(7),
        stream_id: StreamId(3),
        offset: Offset(42),
        timestamp_ns: 1_700_000_000_000_000_000,
        kind: 0,
        prev_hash: Hash([1; 32]),
        record_hash: Hash([2; 32]),
        append_flags: WHOLE_APPEND,
        sealing,
        payload,
    }
}

#[test]
fn round_trips_both_sealings() {
    for record in [
        sample(Sealing::Plaintext, b"hello".to_vec()),
        sample(Sealing::AesGcm { nonce: [9; 12] }, vec![0xAB; 40]),
        sample(Sealing::Plaintext, Vec::new()),
    ] {
        let mut body = Vec::new();
        record.encode_into(&mut body);
        assert_eq!(body.len(), record.encoded_len());
        assert_eq!(StoredRecord::decode(&body), Ok(record));
    }
}

#[test]
fn rejects_bad_version_sealing_truncation_and_trailing_bytes() {
    let mut body = Vec::new();
    sample(Sealing::Plaintext, b"abc".to_vec()).encode_into(&mut body);

    let mut bad_version = body.clone();
    bad_version[0] = 2;
    assert_eq!(
        StoredRecord::decode(&bad_version),
        Err(StoredRecordError::UnsupportedVersion(2))
    );

    let mut bad_sealing = body.clone();
    bad_sealing[99] = 5;
    assert_eq!(
        StoredRecord::decode(&bad_sealing),
        Err(StoredRecordError::UnknownSealing(5))
    );

    let mut bad_flags = body.clone();
    bad_flags[98] = 0b100;
    assert_eq!(
        StoredRecord::decode(&bad_flags),
        Err(StoredRecordError::UnknownFlags(4))
    );

    for cut in 0..body.len() {
        assert!(matches!(
            StoredRecord::decode(&body[..cut]),
            Err(StoredRecordError::Truncated(_) | StoredRecordError::UnsupportedVersion(_))
        ));
    }

    let mut trailing = body;
    trailing.push(0);
    assert_eq!(
        StoredRecord::decode(&trailing),
        Err(StoredRecordError::TrailingBytes(1))
    );
}

#[test]
fn associated_data_differs_when_the_place_differs() {
    let a = sample(Sealing::Plaintext, Vec::new());
    let mut b = a.clone();
    b.offset = Offset(43);
    assert_ne!(a.associated_data(), b.associated_data());
}

proptest! {
    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = StoredRecord::decode(&bytes);
    }
}
