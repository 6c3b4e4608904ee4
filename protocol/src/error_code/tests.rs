//! Unit tests of error code numbering, names and serde.

use super::*;

#[test]
fn indices_match_the_protocol_table() {
    assert_eq!(ErrorCode::Unknown.index(), 0);
    assert_eq!(ErrorCode::OffsetMismatch.index(), 16);
    assert_eq!(ErrorCode::UniqueConstraintViolation.index(), 29);
    assert_eq!(ErrorCode::RowVersionChainTooLarge.index(), 31);
    assert_eq!(ErrorCode::ExtensionNotEnabled.index(), 64);
    let standard = ErrorCode::ALL
        .iter()
        .filter(|code| !code.is_extension())
        .count();
    assert_eq!(standard, 32);
}

#[test]
fn every_code_round_trips_by_index_name_and_postcard() {
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_index(code.index()), Some(*code));
        assert_eq!(ErrorCode::from_name(code.as_str()), Some(*code));
        let bytes = postcard::to_allocvec(code).expect("encodes");
        assert_eq!(
            postcard::from_bytes::<ErrorCode>(&bytes).expect("decodes"),
            *code
        );
    }
}

#[test]
fn unknown_indices_are_refused() {
    assert_eq!(ErrorCode::from_index(32), None);
    assert_eq!(ErrorCode::from_index(63), None);
    assert!(postcard::from_bytes::<ErrorCode>(&[40]).is_err());
}

#[test]
fn retryable_codes_are_exactly_the_three() {
    let retryable: Vec<_> = ErrorCode::ALL
        .iter()
        .filter(|code| code.is_retryable())
        .collect();
    assert_eq!(
        retryable,
        [
            &ErrorCode::ProjectionLag,
            &ErrorCode::RateLimited,
            &ErrorCode::NotLeader
        ]
    );
}

#[test]
fn plain_clients_never_see_extension_codes() {
    for code in ErrorCode::ALL {
        assert!(!code.for_plain_client().is_extension(), "{code}");
        if !code.is_extension() {
            assert_eq!(code.for_plain_client(), *code);
        }
    }
}
