//! Unit tests of the code mapping for clients older than 0.9.1.

use kimberlite_protocol::{capability, CapabilitySet, ErrorCode};

use super::older_code;

#[test]
fn codes_30_and_31_go_to_older_codes_unless_extension_codes_are_enabled() {
    let plain = CapabilitySet::NONE;
    assert_eq!(
        older_code(ErrorCode::TenantIdTooLarge, plain),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        older_code(ErrorCode::RowVersionChainTooLarge, plain),
        ErrorCode::QueryExecutionError
    );
    assert_eq!(
        older_code(ErrorCode::OffsetMismatch, plain),
        ErrorCode::OffsetMismatch
    );
    let modern = CapabilitySet::from_names([capability::ERRORS]);
    assert_eq!(
        older_code(ErrorCode::TenantIdTooLarge, modern),
        ErrorCode::TenantIdTooLarge
    );
}
