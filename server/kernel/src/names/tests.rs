//! Tests of the naming rules.

use super::*;

#[test]
fn ordinary_names_pass() {
    for kind in [
        NameKind::Tenant,
        NameKind::Stream,
        NameKind::Table,
        NameKind::Column,
    ] {
        assert_eq!(check_name(kind, "patients_2026"), Ok(()));
        assert_eq!(check_name(kind, "b\u{fc}cher"), Ok(()));
    }
}

#[test]
fn empty_names_fail_except_labels() {
    assert_eq!(
        check_name(NameKind::Table, ""),
        Err(KernelError::EmptyName {
            kind: NameKind::Table
        })
    );
    assert_eq!(check_name(NameKind::ApiKeyLabel, ""), Ok(()));
}

#[test]
fn the_length_limit_is_in_bytes() {
    let at_limit = "a".repeat(MAX_NAME_BYTES);
    assert_eq!(check_name(NameKind::Stream, &at_limit), Ok(()));
    // 128 two-byte characters: 128 characters but 256 bytes.
    let wide = "\u{e9}".repeat(128);
    assert_eq!(
        check_name(NameKind::Stream, &wide),
        Err(KernelError::NameTooLong {
            kind: NameKind::Stream,
            length_bytes: 256,
            max_bytes: 255
        })
    );
}

#[test]
fn control_characters_fail() {
    assert_eq!(
        check_name(NameKind::Column, "a\nb"),
        Err(KernelError::NameHasControlCharacter {
            kind: NameKind::Column,
            name: "a\nb".to_owned()
        })
    );
}

#[test]
fn the_dollar_prefix_is_reserved_for_streams_only() {
    assert_eq!(
        check_name(NameKind::Stream, "$sql"),
        Err(KernelError::ReservedName {
            kind: NameKind::Stream,
            name: "$sql".to_owned()
        })
    );
    assert_eq!(check_name(NameKind::Table, "$price"), Ok(()));
    assert_eq!(check_name(NameKind::Stream, "price$"), Ok(()));
}
