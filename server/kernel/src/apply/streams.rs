//! `CreateStream` and `AppendEvents`, and the append rule the SQL log shares.

#[cfg(test)]
mod tests;

use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};

use crate::effect::Effect;
use crate::error::KernelError;
use crate::names::{check_name, NameKind};
use crate::state::State;
use crate::stream::{Stream, StreamKind};

/// The attributes of a stream to create.
pub(super) struct NewStream<'a> {
    pub(super) name: &'a str,
    pub(super) data_class: DataClass,
    pub(super) placement: &'a Placement,
    pub(super) timestamp_ns: u64,
}

/// Creates a user stream with the next free id, or finds the one of that name.
pub(super) fn create_stream(
    state: &mut State,
    tenant_id: TenantId,
    new: NewStream<'_>,
) -> Result<Vec<Effect>, KernelError> {
    let tenant = state.writable_tenant(tenant_id)?;
    check_name(NameKind::Stream, new.name)?;
    if let Some(existing) = tenant.stream_by_name(new.name) {
        return Ok(vec![Effect::StreamCreated {
            tenant_id,
            stream_id: existing.id,
            existed: true,
        }]);
    }
    let stream_id = tenant.next_stream_id;
    let next_stream_id = stream_id
        .get()
        .checked_add(1)
        .map(StreamId)
        .ok_or(KernelError::StreamIdsExhausted { tenant_id })?;

    let tenant = state.tenant_mut(tenant_id)?;
    tenant.next_stream_id = next_stream_id;
    tenant
        .stream_ids_by_name
        .insert(new.name.to_owned(), stream_id);
    tenant.streams.insert(
        stream_id,
        Stream {
            id: stream_id,
            name: new.name.to_owned(),
            kind: StreamKind::Events,
            data_class: new.data_class,
            placement: new.placement.clone(),
            created_ns: new.timestamp_ns,
            length: 0,
            last_commit_ns: 0,
        },
    );
    Ok(vec![Effect::StreamCreated {
        tenant_id,
        stream_id,
        existed: false,
    }])
}

/// Where an append lands: decided from the stream before anything changes.
#[derive(Clone, Copy, Debug)]
pub(super) struct AppendPlan {
    pub(super) first_offset: Offset,
    pub(super) new_length: u64,
    pub(super) commit_ns: u64,
}

/// Plans `count` records at the end of `stream`. The commit time is the later
/// of the shell's clock and the stream's last commit, so commit times never
/// decrease along a stream even if the clock steps back.
pub(super) fn plan_append(
    tenant_id: TenantId,
    stream: &Stream,
    count: u32,
    timestamp_ns: u64,
) -> Result<AppendPlan, KernelError> {
    let new_length =
        stream
            .length
            .checked_add(u64::from(count))
            .ok_or(KernelError::StreamLengthOverflow {
                tenant_id,
                stream_id: stream.id,
                length: stream.length,
                count,
            })?;
    Ok(AppendPlan {
        first_offset: Offset(stream.length),
        new_length,
        commit_ns: timestamp_ns.max(stream.last_commit_ns),
    })
}

/// Carries out a plan made by [`plan_append`] for the same stream.
pub(super) fn commit_append(stream: &mut Stream, plan: AppendPlan) {
    stream.length = plan.new_length;
    stream.last_commit_ns = plan.commit_ns;
}

/// The effect announcing a planned append.
pub(super) fn append_effect(
    (tenant_id, stream_id): (TenantId, StreamId),
    plan: AppendPlan,
    count: u32,
) -> Effect {
    Effect::Append {
        tenant_id,
        stream_id,
        first_offset: plan.first_offset,
        count,
        timestamp_ns: plan.commit_ns,
    }
}

/// Appends `count` events to a user stream whose length is `expected_offset`.
pub(super) fn append_events(
    state: &mut State,
    (tenant_id, stream_id): (TenantId, StreamId),
    expected_offset: Offset,
    count: u32,
    timestamp_ns: u64,
) -> Result<Vec<Effect>, KernelError> {
    let tenant = state.writable_tenant(tenant_id)?;
    let stream = tenant
        .stream(stream_id)
        .ok_or(KernelError::StreamNotFound {
            tenant_id,
            stream_id,
        })?;
    if stream.kind != StreamKind::Events {
        return Err(KernelError::StreamNotAppendable {
            tenant_id,
            stream_id,
        });
    }
    if count == 0 {
        return Err(KernelError::EmptyAppend {
            tenant_id,
            stream_id,
        });
    }
    if expected_offset.get() != stream.length {
        return Err(KernelError::OffsetMismatch {
            tenant_id,
            stream_id,
            expected_offset,
            stream_length: stream.length,
        });
    }
    let plan = plan_append(tenant_id, stream, count, timestamp_ns)?;

    let stream = stream_mut(state, tenant_id, stream_id)?;
    commit_append(stream, plan);
    Ok(vec![append_effect((tenant_id, stream_id), plan, count)])
}

/// Mutable access to a stream the caller has already found.
pub(super) fn stream_mut(
    state: &mut State,
    tenant_id: TenantId,
    stream_id: StreamId,
) -> Result<&mut Stream, KernelError> {
    state
        .tenant_mut(tenant_id)?
        .streams
        .get_mut(&stream_id)
        .ok_or(KernelError::StreamNotFound {
            tenant_id,
            stream_id,
        })
}
