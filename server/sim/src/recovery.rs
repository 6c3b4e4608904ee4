//! After a restart: settle every write whose outcome was unknown (present
//! whole, or absent), check that the catalog holds exactly what was
//! acknowledged plus settled writes, then check every stream in full.

use kimberlite_kernel::State;
use kimberlite_protocol::{Offset, StreamId, TenantId};
use kimberlite_storage::engine::Engine;

use crate::check::{check_stream, failed, learn_appended, Failure};
use crate::model::{Model, StreamModel, TenantModel};

/// Settles the unknown outcomes against the recovered engine and checks
/// everything. Returns the number of checks made.
pub fn settle_and_check(engine: &Engine, model: &mut Model) -> Result<u64, Failure> {
    let catalog = engine.catalog();
    for tenant_id in std::mem::take(&mut model.tenants_unknown) {
        if catalog.tenant(tenant_id).is_some() {
            model.tenants.push(TenantModel::new(tenant_id));
        }
    }
    let mut checks = 0;
    for tenant in &mut model.tenants {
        checks += settle_tenant(engine, &catalog, tenant)?;
    }
    check_no_extra(&catalog, model)?;
    for tenant in &model.tenants {
        for stream in &tenant.streams {
            checks += check_stream(engine, tenant.id, stream, tenant.erased, 0)?;
        }
    }
    Ok(checks)
}

fn settle_tenant(
    engine: &Engine,
    catalog: &State,
    tenant: &mut TenantModel,
) -> Result<u64, Failure> {
    let Some(recovered) = catalog.tenant(tenant.id) else {
        return Err(format!("acknowledged tenant {} is gone", tenant.id));
    };
    if tenant.erase_unknown {
        tenant.erased = recovered.is_key_erased();
        tenant.erase_unknown = false;
    } else if tenant.erased != recovered.is_key_erased() {
        return Err(format!("tenant {}: erasure state differs", tenant.id));
    }
    for name in std::mem::take(&mut tenant.streams_unknown) {
        if let Some(stream) = recovered.stream_by_name(&name) {
            tenant.streams.push(StreamModel::new(stream.id(), name));
        }
    }
    let mut checks = 1;
    for stream in &mut tenant.streams {
        match recovered.stream(stream.id) {
            Some(found) if found.name() == stream.name => {}
            _ => {
                return Err(format!(
                    "acknowledged stream {}/{} is gone",
                    tenant.id, stream.id
                ))
            }
        }
        if let Some(batch) = stream.unknown.take() {
            checks += settle_append(engine, tenant.id, stream, batch)?;
        }
    }
    Ok(checks)
}

/// An append that failed under a fault is there whole or not at all.
fn settle_append(
    engine: &Engine,
    tenant_id: TenantId,
    stream: &mut StreamModel,
    batch: Vec<Vec<u8>>,
) -> Result<u64, Failure> {
    let length = engine
        .stream_length(tenant_id, stream.id)
        .map_err(|error| failed("stream length", &error))?;
    let before = stream.len();
    if length == before {
        return Ok(1);
    }
    if length != before + batch.len() as u64 {
        return Err(format!(
            "stream {tenant_id}/{}: {} records of an unacknowledged append of {} survived",
            stream.id,
            length.saturating_sub(before),
            batch.len()
        ));
    }
    let read = engine
        .read(tenant_id, stream.id, Offset(before), u64::MAX)
        .map_err(|error| failed("read a settled append", &error))?;
    if read.events != batch {
        return Err(format!(
            "stream {tenant_id}/{}: a settled append differs",
            stream.id
        ));
    }
    stream.events.extend(batch);
    learn_appended(engine, tenant_id, stream, before)
}

/// Nothing unacknowledged and unsettled may be visible: no extra tenant, no
/// extra stream.
fn check_no_extra(catalog: &State, model: &Model) -> Result<(), Failure> {
    for tenant in catalog.tenants() {
        if tenant.id().get() == 0 {
            continue;
        }
        let Some(known) = model.tenants.iter().find(|known| known.id == tenant.id()) else {
            return Err(format!("tenant {} was never acknowledged", tenant.id()));
        };
        for stream in tenant.streams() {
            let id = stream.id();
            if id != StreamId(0) && !known.streams.iter().any(|known| known.id == id) {
                return Err(format!(
                    "stream {}/{id} was never acknowledged",
                    tenant.id()
                ));
            }
        }
    }
    Ok(())
}

/// The state as text, one line per tenant, stream and table: the catalog
/// (what the kernel state holds apart from stream lengths, which the published
/// catalog updates only with catalog changes), each stream's durable length and
/// head, and every record hash the model learned.
pub fn state_text(engine: &Engine, model: &Model) -> String {
    let catalog = engine.catalog();
    let mut text = String::new();
    for tenant in catalog.tenants() {
        text += &format!(
            "tenant {} {:?} {} {:?}\n",
            tenant.id(),
            tenant.name(),
            tenant.created_ns(),
            tenant.key_erased_ns()
        );
        for stream in tenant.streams() {
            // An empty stream may have no open handle (a tenant's SQL log
            // before its first record, after a restart): length 0 then.
            let length = engine.stream_length(tenant.id(), stream.id()).unwrap_or(0);
            let head = (length > 0)
                .then(|| engine.stream_head(tenant.id(), stream.id()).ok())
                .flatten();
            text += &format!(
                "stream {} {:?} {:?} {:?} {} {length} {head:?}\n",
                stream.id(),
                stream.name(),
                stream.kind(),
                stream.data_class(),
                stream.created_ns()
            );
        }
        for table in tenant.tables() {
            text += &format!("table {table:?}\n");
        }
    }
    for tenant in &model.tenants {
        for stream in &tenant.streams {
            text += &format!("records {}/{}:", tenant.id, stream.id);
            for leaf in &stream.leaves {
                text += &format!(" {leaf:?}");
            }
            text.push('\n');
        }
    }
    text
}

/// BLAKE3 of [`state_text`]: equal runs of a seed give equal hashes, and a
/// restart that lost nothing leaves it unchanged.
#[must_use]
pub fn state_hash(text: &str) -> blake3::Hash {
    blake3::hash(text.as_bytes())
}

/// The first line where two state texts differ.
#[must_use]
pub fn first_difference(before: &str, after: &str) -> String {
    before
        .lines()
        .zip(after.lines())
        .find(|(old, new)| old != new)
        .map_or_else(
            || "one state has more lines".to_owned(),
            |(old, new)| format!("{old} became {new}"),
        )
}
