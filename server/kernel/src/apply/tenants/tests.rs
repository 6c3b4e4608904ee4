//! Tests of `CreateTenant` and `EraseTenantKey`.

use kimberlite_protocol::{StreamId, TenantId};

use crate::test_support::{
    append, create_stream, create_tenant, plain_table, reject, run, sql, state_with_patients,
    state_with_tenant, TENANT,
};
use crate::{
    Command, Effect, HistoryRemoval, KernelError, NameKind, State, StreamKind, TableChange,
    SQL_LOG_STREAM_ID, SQL_LOG_STREAM_NAME,
};

fn erase(timestamp_ns: u64) -> Command {
    Command::EraseTenantKey {
        tenant_id: TENANT,
        timestamp_ns,
    }
}

fn keep_patients(state: &mut State, min_history_ns: u64, timestamp_ns: u64) {
    let command = Command::SetRetention {
        tenant_id: TENANT,
        table: "patients".to_owned(),
        min_history_ns,
        timestamp_ns,
    };
    run(state, &command);
}

#[test]
fn create_tenant_records_it_with_an_empty_sql_log() {
    let mut state = State::default();
    let command = Command::CreateTenant {
        tenant_id: TENANT,
        name: "clinic".to_owned(),
        timestamp_ns: 42,
    };
    assert_eq!(
        run(&mut state, &command),
        [Effect::TenantCreated { tenant_id: TENANT }]
    );

    let tenant = state.tenant(TENANT).expect("tenant");
    assert_eq!(
        (tenant.id(), tenant.name(), tenant.created_ns()),
        (TENANT, "clinic", 42)
    );
    assert!(!tenant.is_key_erased());
    assert_eq!(tenant.next_stream_id(), StreamId(1));
    let log = tenant.sql_log().expect("SQL log");
    assert_eq!(
        (log.id(), log.name(), log.kind()),
        (SQL_LOG_STREAM_ID, "$sql", StreamKind::SqlLog)
    );
    assert_eq!(
        (log.length(), log.last_commit_ns(), log.created_ns()),
        (0, 0, 42)
    );
    assert_eq!(
        state
            .stream_by_name(TENANT, SQL_LOG_STREAM_NAME)
            .map(|s| s.id()),
        Some(StreamId(0))
    );
    assert_eq!(state.streams(TENANT).count(), 1);
}

#[test]
fn tenant_zero_is_reserved() {
    let mut state = State::default();
    assert_eq!(
        reject(&mut state, &create_tenant(TenantId(0), 1)),
        KernelError::ReservedTenantId
    );
}

#[test]
fn a_tenant_id_can_be_used_once() {
    let mut state = state_with_tenant();
    let again = Command::CreateTenant {
        tenant_id: TENANT,
        name: "other".into(),
        timestamp_ns: 9,
    };
    assert_eq!(
        reject(&mut state, &again),
        KernelError::TenantAlreadyExists { tenant_id: TENANT }
    );
    assert_eq!(
        state.tenant(TENANT).map(|tenant| tenant.name()),
        Some("tenant-7")
    );
}

#[test]
fn a_tenant_needs_a_name() {
    let mut state = State::default();
    let nameless = Command::CreateTenant {
        tenant_id: TENANT,
        name: String::new(),
        timestamp_ns: 1,
    };
    assert_eq!(
        reject(&mut state, &nameless),
        KernelError::EmptyName {
            kind: NameKind::Tenant
        }
    );
}

#[test]
fn erasure_forgets_tables_but_keeps_streams_and_lengths() {
    let mut state = state_with_patients();
    run(&mut state, &create_stream("vitals", 5));
    run(&mut state, &append(1, 0, 4, 10));

    assert_eq!(
        run(&mut state, &erase(500)),
        [Effect::DestroyTenantKey { tenant_id: TENANT }]
    );
    let tenant = state.tenant(TENANT).expect("tenant");
    assert_eq!(tenant.key_erased_ns(), Some(500));
    assert!(tenant.is_key_erased());
    assert_eq!(state.tables(TENANT).count(), 0);
    assert_eq!(
        state.stream(TENANT, StreamId(1)).map(|s| s.length()),
        Some(4)
    );
    assert_eq!(
        state.stream(TENANT, SQL_LOG_STREAM_ID).map(|s| s.length()),
        Some(1)
    );
}

#[test]
fn nothing_more_is_written_for_an_erased_tenant() {
    let mut state = state_with_tenant();
    run(&mut state, &create_stream("vitals", 5));
    run(&mut state, &erase(50));
    let erased = KernelError::TenantKeyErased { tenant_id: TENANT };
    assert_eq!(reject(&mut state, &append(1, 0, 1, 60)), erased);
    assert_eq!(reject(&mut state, &create_stream("vitals", 60)), erased);
    assert_eq!(reject(&mut state, &create_stream("new", 60)), erased);
    let create_table = sql(60, vec![TableChange::CreateTable(plain_table("t", &["a"]))]);
    assert_eq!(reject(&mut state, &create_table), erased);
    assert_eq!(reject(&mut state, &sql(60, Vec::new())), erased);
}

#[test]
fn a_key_is_erased_once() {
    let mut state = state_with_tenant();
    run(&mut state, &erase(50));
    assert_eq!(
        reject(&mut state, &erase(60)),
        KernelError::TenantKeyAlreadyErased {
            tenant_id: TENANT,
            erased_ns: 50
        }
    );
}

#[test]
fn erasing_an_unknown_tenant_fails() {
    let mut state = State::default();
    assert_eq!(
        reject(&mut state, &erase(1)),
        KernelError::TenantNotFound { tenant_id: TENANT }
    );
}

#[test]
fn retention_delays_erasure_until_its_horizon() {
    let mut state = state_with_patients(); // patients last changed at 100 ns
    keep_patients(&mut state, 1_000, 200);
    assert_eq!(
        reject(&mut state, &erase(1_099)),
        KernelError::RetentionNotReached {
            tenant_id: TENANT,
            table: "patients".to_owned(),
            action: HistoryRemoval::EraseTenantKey,
            removable_from_ns: 1_100,
            timestamp_ns: 1_099,
        }
    );
    run(&mut state, &erase(1_100));
    assert!(state
        .tenant(TENANT)
        .is_some_and(|tenant| tenant.is_key_erased()));
}
