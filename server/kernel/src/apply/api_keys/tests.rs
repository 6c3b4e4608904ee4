//! Tests of `CreateApiKey` and `RevokeApiKey`.

use kimberlite_protocol::TenantId;

use crate::test_support::{create_tenant, reject, run, state_with_tenant, TENANT};
use crate::{ApiKeyId, Command, Effect, KernelError, NameKind, State};

fn create_key(key_id: u64, tenant_id: TenantId, label: &str) -> Command {
    Command::CreateApiKey {
        key_id: ApiKeyId(key_id),
        tenant_id,
        label: label.to_owned(),
        salt: vec![1; 16],
        secret_hash: vec![2; 32],
        timestamp_ns: 50,
    }
}

fn revoke(key_id: u64, timestamp_ns: u64) -> Command {
    Command::RevokeApiKey {
        key_id: ApiKeyId(key_id),
        timestamp_ns,
    }
}

#[test]
fn a_key_is_stored_as_given() {
    let mut state = state_with_tenant();
    assert_eq!(
        run(&mut state, &create_key(3, TENANT, "ci")),
        [Effect::ApiKeyCreated {
            key_id: ApiKeyId(3),
            tenant_id: TENANT
        }]
    );
    let key = state.api_key(ApiKeyId(3)).expect("key");
    assert_eq!(
        (key.id(), key.tenant_id(), key.label()),
        (ApiKeyId(3), TENANT, "ci")
    );
    assert_eq!(
        (key.salt(), key.secret_hash()),
        (&[1; 16][..], &[2; 32][..])
    );
    assert_eq!(
        (key.created_ns(), key.revoked_ns(), key.is_active()),
        (50, None, true)
    );
}

#[test]
fn keys_are_listed_per_tenant() {
    let mut state = state_with_tenant();
    run(&mut state, &create_tenant(TenantId(8), 2));
    run(&mut state, &create_key(5, TENANT, ""));
    run(&mut state, &create_key(4, TenantId(8), "other"));
    run(&mut state, &create_key(3, TENANT, "ci"));
    let ids: Vec<_> = state.api_keys(TENANT).map(|key| key.id()).collect();
    assert_eq!(ids, [ApiKeyId(3), ApiKeyId(5)]);
}

#[test]
fn key_ids_are_unique_node_wide() {
    let mut state = state_with_tenant();
    run(&mut state, &create_tenant(TenantId(8), 2));
    run(&mut state, &create_key(3, TENANT, "ci"));
    assert_eq!(
        reject(&mut state, &create_key(3, TenantId(8), "ci")),
        KernelError::ApiKeyAlreadyExists {
            key_id: ApiKeyId(3)
        }
    );
}

#[test]
fn a_key_needs_a_tenant_a_label_within_limits_and_material() {
    let mut state = state_with_tenant();
    assert_eq!(
        reject(&mut state, &create_key(3, TenantId(8), "ci")),
        KernelError::TenantNotFound {
            tenant_id: TenantId(8)
        }
    );
    assert!(matches!(
        reject(&mut state, &create_key(3, TENANT, &"x".repeat(300))),
        KernelError::NameTooLong {
            kind: NameKind::ApiKeyLabel,
            length_bytes: 300,
            ..
        }
    ));
    for (salt, secret_hash) in [(vec![], vec![2]), (vec![1], vec![])] {
        let command = Command::CreateApiKey {
            key_id: ApiKeyId(3),
            tenant_id: TENANT,
            label: "ci".into(),
            salt,
            secret_hash,
            timestamp_ns: 1,
        };
        assert_eq!(
            reject(&mut state, &command),
            KernelError::ApiKeySecretMissing {
                key_id: ApiKeyId(3)
            }
        );
    }
}

#[test]
fn an_erased_tenant_may_still_get_keys() {
    let mut state = state_with_tenant();
    run(
        &mut state,
        &Command::EraseTenantKey {
            tenant_id: TENANT,
            timestamp_ns: 10,
        },
    );
    run(&mut state, &create_key(3, TENANT, "auditor"));
    assert!(state.api_key(ApiKeyId(3)).is_some());
}

#[test]
fn revocation_is_recorded_and_final() {
    let mut state = state_with_tenant();
    run(&mut state, &create_key(3, TENANT, "ci"));
    assert_eq!(
        run(&mut state, &revoke(3, 70)),
        [Effect::ApiKeyRevoked {
            key_id: ApiKeyId(3),
            tenant_id: TENANT
        }]
    );
    let key = state.api_key(ApiKeyId(3)).expect("key");
    assert_eq!((key.revoked_ns(), key.is_active()), (Some(70), false));
    assert_eq!(
        reject(&mut state, &revoke(3, 80)),
        KernelError::ApiKeyAlreadyRevoked {
            key_id: ApiKeyId(3),
            revoked_ns: 70
        }
    );
}

#[test]
fn revoking_an_unknown_key_fails() {
    let mut state = State::default();
    assert_eq!(
        reject(&mut state, &revoke(9, 1)),
        KernelError::ApiKeyNotFound {
            key_id: ApiKeyId(9)
        }
    );
}
