//! Tests of `changes_state`.

use kimberlite_protocol::{Offset, StreamId, TenantId};

use super::*;

fn stream_created(existed: bool) -> Effect {
    Effect::StreamCreated {
        tenant_id: TenantId(1),
        stream_id: StreamId(1),
        existed,
    }
}

#[test]
fn only_a_found_stream_changes_nothing() {
    assert!(!changes_state(&[stream_created(true)]));
    assert!(changes_state(&[stream_created(false)]));
    assert!(changes_state(&[Effect::TenantCreated {
        tenant_id: TenantId(1)
    }]));
    let append = Effect::Append {
        tenant_id: TenantId(1),
        stream_id: StreamId(0),
        first_offset: Offset(0),
        count: 1,
        timestamp_ns: 5,
    };
    assert!(changes_state(&[append]));
}
