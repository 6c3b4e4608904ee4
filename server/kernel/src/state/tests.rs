//! Tests of the state accessors and its encoding.

use kimberlite_protocol::{StreamId, TenantId};

use crate::test_support::{create_stream, run, state_with_patients, TENANT};
use crate::{Command, State, TableChange};

#[test]
fn unknown_things_are_absent_not_errors() {
    let state = State::default();
    assert!(state.tenant(TENANT).is_none());
    assert!(state.stream(TENANT, StreamId(0)).is_none());
    assert!(state.stream_by_name(TENANT, "$sql").is_none());
    assert!(state.table(TENANT, "patients").is_none());
    assert!(state.retention(TENANT, "patients").is_none());
    assert_eq!(state.streams(TENANT).count(), 0);
    assert_eq!(state.tables(TENANT).count(), 0);
    assert_eq!(state.tenants().count(), 0);
}

#[test]
fn lookups_are_scoped_to_their_tenant() {
    let mut state = state_with_patients();
    let other = TenantId(8);
    run(
        &mut state,
        &Command::CreateTenant {
            tenant_id: other,
            name: "b".into(),
            timestamp_ns: 2,
        },
    );
    run(&mut state, &create_stream("vitals", 3));
    assert!(state.stream_by_name(TENANT, "vitals").is_some());
    assert!(state.stream_by_name(other, "vitals").is_none());
    assert!(state.stream(other, StreamId(1)).is_none());
    assert!(state.table(other, "patients").is_none());
    let tenants: Vec<_> = state.tenants().map(|tenant| tenant.id()).collect();
    assert_eq!(tenants, [TENANT, other]);
}

#[test]
fn tables_are_listed_by_name() {
    let mut state = state_with_patients();
    let create =
        |name: &str| TableChange::CreateTable(crate::test_support::plain_table(name, &["a"]));
    run(
        &mut state,
        &crate::test_support::sql(200, vec![create("zebra"), create("alpha")]),
    );
    let names: Vec<_> = state
        .tables(TENANT)
        .map(|table| table.name().to_owned())
        .collect();
    assert_eq!(names, ["alpha", "patients", "zebra"]);
}

#[test]
fn the_state_survives_postcard() {
    let state = state_with_patients();
    let bytes = postcard::to_allocvec(&state).expect("encode");
    let decoded: State = postcard::from_bytes(&bytes).expect("decode");
    assert_eq!(decoded, state);
}
