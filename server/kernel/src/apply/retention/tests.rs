//! Tests of `SetRetention` and the history check.

use crate::test_support::{reject, run, state_with_patients, state_with_tenant, TENANT};
use crate::{Command, Effect, KernelError, RetentionPolicy, State};

fn keep(table: &str, min_history_ns: u64, timestamp_ns: u64) -> Command {
    Command::SetRetention {
        tenant_id: TENANT,
        table: table.to_owned(),
        min_history_ns,
        timestamp_ns,
    }
}

#[test]
fn a_policy_is_set_on_a_table() {
    let mut state = state_with_patients();
    assert_eq!(
        run(&mut state, &keep("patients", 1_000, 300)),
        [Effect::RetentionSet {
            tenant_id: TENANT,
            table: "patients".into(),
            min_history_ns: 1_000
        }]
    );
    let policy = RetentionPolicy {
        min_history_ns: 1_000,
        set_ns: 300,
    };
    assert_eq!(state.retention(TENANT, "patients"), Some(&policy));
    let table = state.table(TENANT, "patients").expect("table");
    assert_eq!(table.history_removable_from_ns(), Some(1_100));
}

#[test]
fn a_policy_can_be_lengthened_but_not_shortened() {
    let mut state = state_with_patients();
    run(&mut state, &keep("patients", 1_000, 300));
    run(&mut state, &keep("patients", 1_000, 400));
    run(&mut state, &keep("patients", 5_000, 500));
    assert_eq!(
        reject(&mut state, &keep("patients", 4_999, 600)),
        KernelError::RetentionShortened {
            tenant_id: TENANT,
            table: "patients".into(),
            current_ns: 5_000,
            requested_ns: 4_999,
        }
    );
    assert_eq!(
        state
            .retention(TENANT, "patients")
            .map(|policy| policy.set_ns),
        Some(500)
    );
}

#[test]
fn a_policy_needs_a_table_and_a_tenant() {
    let mut state = state_with_tenant();
    assert_eq!(
        reject(&mut state, &keep("patients", 1, 1)),
        KernelError::TableNotFound {
            tenant_id: TENANT,
            table: "patients".into()
        }
    );
    let mut empty = State::default();
    assert_eq!(
        reject(&mut empty, &keep("patients", 1, 1)),
        KernelError::TenantNotFound { tenant_id: TENANT }
    );
}

#[test]
fn a_horizon_past_the_end_of_time_saturates() {
    let mut state = state_with_patients();
    run(&mut state, &keep("patients", u64::MAX, 300));
    let table = state.table(TENANT, "patients").expect("table");
    assert_eq!(table.history_removable_from_ns(), Some(u64::MAX));
}
