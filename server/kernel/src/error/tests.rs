//! Tests of error messages and their protocol codes.

use kimberlite_protocol::{ErrorCode, Offset, StreamId, TenantId};

use super::*;

#[test]
fn offset_mismatch_names_both_numbers() {
    let error = KernelError::OffsetMismatch {
        tenant_id: TenantId(7),
        stream_id: StreamId(2),
        expected_offset: Offset(5),
        stream_length: 9,
    };
    let message = error.to_string();
    assert!(message.contains("expected offset 5"), "{message}");
    assert!(message.contains("length 9"), "{message}");
    assert_eq!(error.code(), ErrorCode::OffsetMismatch);
}

#[test]
fn codes_match_the_protocol() {
    let tenant_id = TenantId(7);
    let cases = [
        (
            KernelError::TenantAlreadyExists { tenant_id },
            ErrorCode::TenantAlreadyExists,
        ),
        (
            KernelError::TenantNotFound { tenant_id },
            ErrorCode::TenantNotFound,
        ),
        (
            KernelError::StreamNotFound {
                tenant_id,
                stream_id: StreamId(1),
            },
            ErrorCode::StreamNotFound,
        ),
        (
            KernelError::TableNotFound {
                tenant_id,
                table: "t".into(),
            },
            ErrorCode::TableNotFound,
        ),
        (
            KernelError::ApiKeyNotFound {
                key_id: ApiKeyId(1),
            },
            ErrorCode::ApiKeyNotFound,
        ),
        (
            KernelError::TenantKeyAlreadyErased {
                tenant_id,
                erased_ns: 1,
            },
            ErrorCode::ErasureAlreadyComplete,
        ),
        (
            KernelError::EmptyAppend {
                tenant_id,
                stream_id: StreamId(1),
            },
            ErrorCode::InvalidRequest,
        ),
        (
            KernelError::EmptyName {
                kind: NameKind::Stream,
            },
            ErrorCode::InvalidRequest,
        ),
        (
            KernelError::EmptyName {
                kind: NameKind::Column,
            },
            ErrorCode::QueryExecutionError,
        ),
        (
            KernelError::TableAlreadyExists {
                tenant_id,
                table: "t".into(),
            },
            ErrorCode::QueryExecutionError,
        ),
    ];
    for (error, code) in cases {
        assert_eq!(error.code(), code, "{error}");
    }
}

#[test]
fn retention_errors_depend_on_what_was_attempted() {
    let error = |action| KernelError::RetentionNotReached {
        tenant_id: TenantId(7),
        table: "t".into(),
        action,
        removable_from_ns: 10,
        timestamp_ns: 5,
    };
    assert_eq!(
        error(HistoryRemoval::DropTable).code(),
        ErrorCode::QueryExecutionError
    );
    assert_eq!(
        error(HistoryRemoval::DropColumn).code(),
        ErrorCode::QueryExecutionError
    );
    assert_eq!(
        error(HistoryRemoval::EraseTenantKey).code(),
        ErrorCode::InvalidRequest
    );
    let message = error(HistoryRemoval::DropTable).to_string();
    assert!(
        message.starts_with("dropping the table is not allowed before 10 ns"),
        "{message}"
    );
}

#[test]
fn only_codes_every_version_5_client_knows_are_used() {
    // A sample of every family of variants; codes 30 and 31 and extensions are
    // never produced.
    let errors = [
        KernelError::ReservedTenantId,
        KernelError::TenantKeyErased {
            tenant_id: TenantId(1),
        },
        KernelError::StreamIdsExhausted {
            tenant_id: TenantId(1),
        },
        KernelError::RetentionShortened {
            tenant_id: TenantId(1),
            table: "t".into(),
            current_ns: 2,
            requested_ns: 1,
        },
        KernelError::ApiKeySecretMissing {
            key_id: ApiKeyId(1),
        },
    ];
    for error in errors {
        assert!(error.code().index() < 30, "{error} -> {:?}", error.code());
    }
}
