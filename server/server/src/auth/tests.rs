//! Unit tests of token parsing, digests and identities.

use super::*;

#[test]
fn generated_key_round_trips_through_its_token() {
    let key = generate_api_key(TenantId(7), "ci".into());
    let token = api_key_token(42, &key.secret);
    let parsed = parse_api_key_token(&token).unwrap();
    assert_eq!(parsed.key_id, 42);
    let record = ApiKeyRecord {
        key_id: 42,
        tenant_id: TenantId(7),
        salt: key.stored.salt.clone(),
        secret_hash: key.stored.secret_hash.clone(),
        revoked: false,
    };
    assert!(verify_api_key(&record, parsed.secret));
    assert!(!verify_api_key(&record, "0000"));
    let revoked = ApiKeyRecord {
        revoked: true,
        ..record
    };
    assert!(!verify_api_key(&revoked, parsed.secret));
}

#[test]
fn two_keys_get_different_salts_and_secrets() {
    let a = generate_api_key(TenantId(1), String::new());
    let b = generate_api_key(TenantId(1), String::new());
    assert_ne!(a.stored.salt, b.stored.salt);
    assert_ne!(a.secret, b.secret);
    assert_eq!(a.secret.len(), 64);
}

#[test]
fn malformed_tokens_are_not_parsed() {
    for token in ["", "kmb1", "kmb1.5", "kmb1.x.abc", "kmb2.5.abc", "kmb1.5."] {
        assert_eq!(parse_api_key_token(token), None, "{token:?}");
    }
    assert_eq!(
        parse_api_key_token("kmb1.5.a.b"),
        Some(ParsedToken {
            key_id: 5,
            secret: "a.b"
        })
    );
}

#[test]
fn admin_token_compares_exactly() {
    let admin = AdminToken::new("s3cret");
    assert!(is_admin_token(&admin, "s3cret"));
    assert!(!is_admin_token(&admin, "s3cre"));
    assert!(!is_admin_token(&admin, "s3cret "));
    assert_eq!(format!("{admin:?}"), "AdminToken(<redacted>)");
}

#[test]
fn identities_are_scoped() {
    let key = Identity::ApiKey {
        key_id: 1,
        tenant_id: TenantId(3),
    };
    assert!(key.may_use(TenantId(3)));
    assert!(!key.may_use(TenantId(4)));
    assert!(!key.is_admin());
    assert!(Identity::Admin.may_use(TenantId(4)));
    assert!(Identity::Admin.is_admin());
}
