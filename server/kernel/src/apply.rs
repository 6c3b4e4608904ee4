//! The transition function: one command in, a new state and effects out.
//!
//! Each command is handled in two phases: every check reads the state, then the
//! changes are written. So a rejected command leaves the state exactly as it
//! was, and [`apply`] and [`apply_in_place`] always agree.

mod api_keys;
mod retention;
mod schema_checks;
mod sql;
mod streams;
mod table_changes;
mod tenants;

use crate::command::Command;
use crate::effect::Effect;
use crate::error::KernelError;
use crate::state::State;

/// The pure form: returns the state after `command` and the effects the shell
/// must carry out, or why the command is rejected. `state` is not touched.
pub fn apply(state: &State, command: &Command) -> Result<(State, Vec<Effect>), KernelError> {
    let mut next = state.clone();
    let effects = apply_in_place(&mut next, command)?;
    Ok((next, effects))
}

/// The in-place form, for a shell that owns its state: same result as
/// [`apply`] without copying the state. On error `state` is unchanged.
pub fn apply_in_place(state: &mut State, command: &Command) -> Result<Vec<Effect>, KernelError> {
    match command {
        Command::CreateTenant {
            tenant_id,
            name,
            timestamp_ns,
        } => tenants::create_tenant(state, *tenant_id, name, *timestamp_ns),
        Command::CreateStream {
            tenant_id,
            name,
            data_class,
            placement,
            timestamp_ns,
        } => streams::create_stream(
            state,
            *tenant_id,
            streams::NewStream {
                name,
                data_class: *data_class,
                placement,
                timestamp_ns: *timestamp_ns,
            },
        ),
        Command::AppendEvents {
            tenant_id,
            stream_id,
            expected_offset,
            count,
            timestamp_ns,
        } => streams::append_events(
            state,
            (*tenant_id, *stream_id),
            *expected_offset,
            *count,
            *timestamp_ns,
        ),
        Command::RecordSqlEffect {
            tenant_id,
            timestamp_ns,
            table_changes,
        } => sql::record_sql_effect(state, *tenant_id, *timestamp_ns, table_changes),
        Command::CreateApiKey {
            key_id,
            tenant_id,
            label,
            salt,
            secret_hash,
            timestamp_ns,
        } => api_keys::create_api_key(
            state,
            *key_id,
            *tenant_id,
            api_keys::KeyMaterial {
                label,
                salt,
                secret_hash,
            },
            *timestamp_ns,
        ),
        Command::RevokeApiKey {
            key_id,
            timestamp_ns,
        } => api_keys::revoke_api_key(state, *key_id, *timestamp_ns),
        Command::SetRetention {
            tenant_id,
            table,
            min_history_ns,
            timestamp_ns,
        } => retention::set_retention(state, *tenant_id, table, *min_history_ns, *timestamp_ns),
        Command::EraseTenantKey {
            tenant_id,
            timestamp_ns,
        } => tenants::erase_tenant_key(state, *tenant_id, *timestamp_ns),
    }
}
