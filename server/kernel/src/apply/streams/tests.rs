//! Tests of `CreateStream`, `AppendEvents` and the append plan.

use kimberlite_protocol::{DataClass, Offset, Placement, Region, StreamId, TenantId};

use crate::test_support::{append, create_stream, reject, run, state_with_tenant, TENANT};
use crate::{Command, Effect, KernelError, NameKind, State, StreamKind};

fn created(stream_id: u64, existed: bool) -> Effect {
    Effect::StreamCreated {
        tenant_id: TENANT,
        stream_id: StreamId(stream_id),
        existed,
    }
}

fn appended(stream_id: u64, first_offset: u64, count: u32, timestamp_ns: u64) -> Effect {
    Effect::Append {
        tenant_id: TENANT,
        stream_id: StreamId(stream_id),
        first_offset: Offset(first_offset),
        count,
        timestamp_ns,
    }
}

#[test]
fn user_streams_are_numbered_from_one_in_creation_order() {
    let mut state = state_with_tenant();
    let command = Command::CreateStream {
        tenant_id: TENANT,
        name: "vitals".to_owned(),
        data_class: DataClass::PHI,
        placement: Placement::Region(Region::Custom("eu-west-3".to_owned())),
        timestamp_ns: 5,
    };
    assert_eq!(run(&mut state, &command), [created(1, false)]);
    assert_eq!(
        run(&mut state, &create_stream("billing", 6)),
        [created(2, false)]
    );
    assert_eq!(
        run(&mut state, &create_stream("audit", 7)),
        [created(3, false)]
    );

    let vitals = state.stream_by_name(TENANT, "vitals").expect("vitals");
    assert_eq!(
        (vitals.id(), vitals.kind(), vitals.data_class()),
        (StreamId(1), StreamKind::Events, DataClass::PHI)
    );
    assert_eq!(
        vitals.placement(),
        &Placement::Region(Region::Custom("eu-west-3".to_owned()))
    );
    assert_eq!(
        (vitals.created_ns(), vitals.length(), vitals.next_offset()),
        (5, 0, Offset(0))
    );
    let names: Vec<_> = state
        .streams(TENANT)
        .map(|stream| stream.name().to_owned())
        .collect();
    assert_eq!(names, ["$sql", "vitals", "billing", "audit"]);
    assert_eq!(
        state.tenant(TENANT).map(|tenant| tenant.next_stream_id()),
        Some(StreamId(4))
    );
}

#[test]
fn creating_a_stream_again_by_name_finds_it_and_changes_nothing() {
    let mut state = state_with_tenant();
    run(&mut state, &create_stream("vitals", 5));
    run(&mut state, &append(1, 0, 2, 6));
    let before = state.clone();
    let again = Command::CreateStream {
        tenant_id: TENANT,
        name: "vitals".to_owned(),
        data_class: DataClass::PCI,
        placement: Placement::Region(Region::USEast1),
        timestamp_ns: 9,
    };
    assert_eq!(run(&mut state, &again), [created(1, true)]);
    assert_eq!(state, before);
    assert_eq!(
        state.stream(TENANT, StreamId(1)).map(|s| s.data_class()),
        Some(DataClass::Public)
    );
}

#[test]
fn stream_names_are_checked() {
    let mut state = state_with_tenant();
    assert_eq!(
        reject(&mut state, &create_stream("$sql", 5)),
        KernelError::ReservedName {
            kind: NameKind::Stream,
            name: "$sql".to_owned()
        }
    );
    assert_eq!(
        reject(&mut state, &create_stream("", 5)),
        KernelError::EmptyName {
            kind: NameKind::Stream
        }
    );
}

#[test]
fn streams_need_an_existing_tenant() {
    let mut state = State::default();
    assert_eq!(
        reject(&mut state, &create_stream("vitals", 5)),
        KernelError::TenantNotFound { tenant_id: TENANT }
    );
    assert_eq!(
        reject(&mut state, &append(1, 0, 1, 5)),
        KernelError::TenantNotFound { tenant_id: TENANT }
    );
}

#[test]
fn stream_ids_can_run_out_without_overflowing() {
    let mut state = state_with_tenant();
    state.tenant_mut(TENANT).expect("tenant").next_stream_id = StreamId(u64::MAX);
    assert_eq!(
        reject(&mut state, &create_stream("last", 5)),
        KernelError::StreamIdsExhausted { tenant_id: TENANT }
    );
}

#[test]
fn appends_advance_the_length_and_report_their_offsets() {
    let mut state = state_with_tenant();
    run(&mut state, &create_stream("vitals", 5));
    assert_eq!(
        run(&mut state, &append(1, 0, 3, 10)),
        [appended(1, 0, 3, 10)]
    );
    assert_eq!(
        run(&mut state, &append(1, 3, 1, 20)),
        [appended(1, 3, 1, 20)]
    );
    let stream = state.stream(TENANT, StreamId(1)).expect("stream");
    assert_eq!((stream.length(), stream.last_commit_ns()), (4, 20));
}

#[test]
fn commit_times_never_go_backwards_along_a_stream() {
    let mut state = state_with_tenant();
    run(&mut state, &create_stream("vitals", 5));
    run(&mut state, &create_stream("other", 5));
    run(&mut state, &append(1, 0, 1, 100));
    // The clock stepped back: the commit time stays at the stream's last one.
    assert_eq!(
        run(&mut state, &append(1, 1, 2, 40)),
        [appended(1, 1, 2, 100)]
    );
    // Another stream is not held back by this one.
    assert_eq!(
        run(&mut state, &append(2, 0, 1, 40)),
        [appended(2, 0, 1, 40)]
    );
}

#[test]
fn an_append_at_the_wrong_offset_names_both_numbers() {
    let mut state = state_with_tenant();
    run(&mut state, &create_stream("vitals", 5));
    run(&mut state, &append(1, 0, 2, 10));
    for expected in [0, 1, 3, 99] {
        assert_eq!(
            reject(&mut state, &append(1, expected, 1, 20)),
            KernelError::OffsetMismatch {
                tenant_id: TENANT,
                stream_id: StreamId(1),
                expected_offset: Offset(expected),
                stream_length: 2,
            }
        );
    }
}

#[test]
fn an_empty_append_is_rejected() {
    let mut state = state_with_tenant();
    run(&mut state, &create_stream("vitals", 5));
    assert_eq!(
        reject(&mut state, &append(1, 0, 0, 10)),
        KernelError::EmptyAppend {
            tenant_id: TENANT,
            stream_id: StreamId(1)
        }
    );
}

#[test]
fn appends_need_an_existing_user_stream() {
    let mut state = state_with_tenant();
    assert_eq!(
        reject(&mut state, &append(1, 0, 1, 10)),
        KernelError::StreamNotFound {
            tenant_id: TENANT,
            stream_id: StreamId(1)
        }
    );
    assert_eq!(
        reject(&mut state, &append(0, 0, 1, 10)),
        KernelError::StreamNotAppendable {
            tenant_id: TENANT,
            stream_id: StreamId(0)
        }
    );
    let other_tenant = Command::AppendEvents {
        tenant_id: TenantId(8),
        stream_id: StreamId(1),
        expected_offset: Offset(0),
        count: 1,
        timestamp_ns: 10,
    };
    assert_eq!(
        reject(&mut state, &other_tenant),
        KernelError::TenantNotFound {
            tenant_id: TenantId(8)
        }
    );
}

#[test]
fn a_stream_length_cannot_overflow() {
    let mut state = state_with_tenant();
    run(&mut state, &create_stream("vitals", 5));
    let near_end = u64::MAX - 1;
    state
        .tenant_mut(TENANT)
        .expect("tenant")
        .streams
        .get_mut(&StreamId(1))
        .expect("stream")
        .length = near_end;
    assert_eq!(
        reject(&mut state, &append(1, near_end, 2, 10)),
        KernelError::StreamLengthOverflow {
            tenant_id: TENANT,
            stream_id: StreamId(1),
            length: near_end,
            count: 2,
        }
    );
    assert_eq!(
        run(&mut state, &append(1, near_end, 1, 10)),
        [appended(1, near_end, 1, 10)]
    );
}
