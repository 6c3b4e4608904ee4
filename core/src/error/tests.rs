//! Unit tests for error codes: numbering, names and retryability.

use super::*;

#[test]
fn every_code_number_round_trips() {
    let mut codes: Vec<ErrorCode> = ServerErrorCode::ALL
        .iter()
        .map(|code| ErrorCode::Server(*code))
        .collect();
    codes.extend([
        ErrorCode::Connection,
        ErrorCode::Timeout,
        ErrorCode::Protocol,
        ErrorCode::Unsupported,
        ErrorCode::InvalidArgument,
        ErrorCode::TrustedState,
    ]);
    codes.extend(VerificationFailure::ALL.map(ErrorCode::Verification));
    let mut numbers = std::collections::HashSet::new();
    for code in codes {
        assert!(numbers.insert(code.number()), "duplicate number for {code}");
        assert_eq!(ErrorCode::from_number(code.number()), Some(code));
    }
    assert_eq!(ErrorCode::from_number(999), None);
}

#[test]
fn numbers_are_stable() {
    assert_eq!(
        ErrorCode::Server(ServerErrorCode::OffsetMismatch).number(),
        16
    );
    assert_eq!(ErrorCode::Connection.number(), 1000);
    assert_eq!(
        ErrorCode::Verification(VerificationFailure::BadSignature).number(),
        1100
    );
    assert_eq!(
        ErrorCode::Verification(VerificationFailure::Fork).number(),
        1102
    );
}

#[test]
fn retryable_codes() {
    assert!(Error::connection("lost").is_retryable());
    assert!(Error::new(ErrorCode::Timeout, "slow").is_retryable());
    assert!(Error::server(ServerErrorCode::RateLimited, "later").is_retryable());
    assert!(!Error::server(ServerErrorCode::OffsetMismatch, "no").is_retryable());
    assert!(!Error::verification(VerificationFailure::Fork, "fork").is_retryable());
    assert!(!Error::protocol("bad").is_retryable());
}

#[test]
fn display_and_source() {
    let io = std::io::Error::other("reset");
    let error = Error::connection("lost the server").with_source(io);
    assert_eq!(error.to_string(), "Connection: lost the server: reset");
    assert!(std::error::Error::source(&error).is_some());
    assert_eq!(error.server_code(), None);
}
