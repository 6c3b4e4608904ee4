//! Kimberlite kernel: the pure state machine `apply(State, Command) -> (State, Effects)`.
//!
//! ```
//! use kimberlite_kernel::{apply, apply_in_place, Command, Effect, State};
//! use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
//!
//! let mut state = State::default();
//! let create_tenant =
//!     Command::CreateTenant { tenant_id: TenantId(7), name: "clinic".into(), timestamp_ns: 10 };
//! apply_in_place(&mut state, &create_tenant)?;
//!
//! let create_stream = Command::CreateStream {
//!     tenant_id: TenantId(7),
//!     name: "vitals".into(),
//!     data_class: DataClass::PHI,
//!     placement: Placement::Global,
//!     timestamp_ns: 20,
//! };
//! let effects = apply_in_place(&mut state, &create_stream)?;
//! let stream_id = StreamId(1); // user streams are numbered from 1; 0 is the SQL log
//! let created = Effect::StreamCreated { tenant_id: TenantId(7), stream_id, existed: false };
//! assert_eq!(effects, [created]);
//!
//! let append = Command::AppendEvents {
//!     tenant_id: TenantId(7),
//!     stream_id,
//!     expected_offset: Offset(0),
//!     count: 3,
//!     timestamp_ns: 30,
//! };
//! let (next, effects) = apply(&state, &append)?;
//! assert_eq!(next.stream(TenantId(7), stream_id).map(|stream| stream.length()), Some(3));
//! assert_eq!(state.stream(TenantId(7), stream_id).map(|stream| stream.length()), Some(0));
//! assert!(matches!(effects[0], Effect::Append { first_offset: Offset(0), count: 3, .. }));
//!
//! // A retry with the same expected offset is rejected, and changes nothing.
//! let error = apply(&next, &append).unwrap_err();
//! assert_eq!(error.code(), kimberlite_protocol::ErrorCode::OffsetMismatch);
//! # Ok::<(), kimberlite_kernel::KernelError>(())
//! ```
//!
//! # How it behaves
//!
//! - **Pure.** No I/O, no clock, no randomness: the crate depends only on the
//!   protocol types, serde and thiserror. Time and externally drawn ids (tenant
//!   ids, API key ids) arrive on the [`Command`]; ids the kernel can derive
//!   (stream ids, log positions, commit timestamps) it derives from the state.
//!   Replaying the same commands from [`State::default`] gives the same state
//!   on every machine, byte for byte once encoded (all maps are `BTreeMap`s).
//! - **Two forms, one result.** [`apply`] returns a new state; [`apply_in_place`]
//!   changes the caller's. Both check everything before changing anything, so a
//!   rejected command leaves the state untouched.
//! - **State** ([`State`]) is the catalog: tenants ([`Tenant`]), their streams
//!   ([`Stream`]; stream 0 is the tenant's SQL log, user streams count from 1,
//!   ids are never reused), their tables ([`Table`], schema [`TableSchema`],
//!   retention [`RetentionPolicy`]), and API keys ([`ApiKey`]). Read it through
//!   [`State::tenant`], [`State::stream`], [`State::stream_by_name`],
//!   [`State::tables`], [`State::table`], [`State::api_key`] and friends.
//! - **Commands** ([`Command`]): `CreateTenant`, `CreateStream` (idempotent by
//!   name), `AppendEvents` (optimistic: `expected_offset` must be the length),
//!   `RecordSqlEffect` (one SQL log record plus its [`TableChange`]s, atomic),
//!   `CreateApiKey`, `RevokeApiKey`, `SetRetention`, `EraseTenantKey`. They are
//!   serde types: the shell stores catalog commands in its log with postcard and
//!   replays them at recovery.
//! - **Effects** ([`Effect`]) tell the shell what to do: write records (with the
//!   offsets and the commit timestamp the kernel chose; commit timestamps are
//!   monotonic per stream), create or destroy a tenant's data key, update SQL
//!   views, refresh auth caches. [`changes_state`] says whether a command's
//!   record needs logging at all.
//! - **Errors** ([`KernelError`]): one variant per failure, with the ids and
//!   numbers a message needs, and [`KernelError::code`] for the wire.
//! - **Crypto-erasure** (`EraseTenantKey`) keeps the tenant and its stream
//!   lengths (chains still verify), forgets its tables, and rejects every later
//!   write for it. Retention policies are in compliance mode: they can only be
//!   lengthened, and while one holds, dropping its table or a column of it, or
//!   erasing the tenant's key, is rejected.

mod api_key;
mod apply;
mod command;
mod effect;
mod error;
mod names;
mod schema;
mod state;
mod stream;
mod table;
mod tenant;
#[cfg(test)]
mod test_support;

pub use api_key::{ApiKey, ApiKeyId};
pub use apply::{apply, apply_in_place};
pub use command::{Command, TableAlteration, TableChange};
pub use effect::{changes_state, Effect};
pub use error::{HistoryRemoval, KernelError};
pub use names::{NameKind, MAX_NAME_BYTES, RESERVED_PREFIX};
pub use schema::{ColumnDef, ColumnType, IndexDef, TableSchema, UniqueConstraint};
pub use state::State;
pub use stream::{
    Stream, StreamKind, FIRST_USER_STREAM_ID, SQL_LOG_DATA_CLASS, SQL_LOG_STREAM_ID,
    SQL_LOG_STREAM_NAME,
};
pub use table::{RetentionPolicy, Table};
pub use tenant::Tenant;
