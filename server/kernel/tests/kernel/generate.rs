//! Generated command sequences that mix accepted and rejected commands.
//!
//! Ids, names and timestamps come from small ranges so that commands collide:
//! duplicate tenants, names reused, offsets that are sometimes right and
//! sometimes stale, clocks that step back. An append's expected offset is
//! chosen as "the current length" or a fixed number; the former is resolved
//! against the state as the sequence is built, so most appends succeed.

use kimberlite_kernel::{
    apply_in_place, ApiKeyId, ColumnDef, ColumnType, Command, IndexDef, State, TableAlteration,
    TableChange, TableSchema,
};
use kimberlite_protocol::{DataClass, Offset, Placement, StreamId, TenantId};
use proptest::prelude::*;

const STREAM_NAMES: [&str; 3] = ["vitals", "billing", "audit"];
const BAD_STREAM_NAMES: [&str; 2] = ["$reserved", ""];
const TABLES: [&str; 3] = ["patients", "visits", "wards"];
const COLUMNS: [&str; 3] = ["a", "b", "c"];
const INDEXES: [&str; 2] = ["first_index", "second_index"];

/// Which offset an append expects.
#[derive(Clone, Debug)]
enum Expected {
    /// The stream's length when the command is built (usually accepted).
    Current,
    /// A fixed number (usually stale or ahead).
    Fixed(u64),
}

/// One generated step, before offsets are resolved.
#[derive(Clone, Debug)]
enum Step {
    Ready(Command),
    Append {
        tenant_id: TenantId,
        stream_id: StreamId,
        expected: Expected,
        count: u32,
        at: u64,
    },
}

/// Mostly tenants 1 and 2; sometimes 3 (rarely created) or 0 (reserved).
fn tenant() -> impl Strategy<Value = TenantId> {
    prop_oneof![18 => 1u64..3, 1 => Just(3u64), 1 => Just(0u64)].prop_map(TenantId)
}

/// Erasure ends a tenant's writes, so it mostly hits tenant 2, rarely 1.
fn erased_tenant() -> impl Strategy<Value = TenantId> {
    prop_oneof![1 => Just(1u64), 4 => Just(2u64), 1 => Just(3u64), 1 => Just(0u64)]
        .prop_map(TenantId)
}

/// Mostly 1 to 3 events, sometimes none.
fn append_count() -> impl Strategy<Value = u32> {
    prop_oneof![9 => 1u32..4, 1 => Just(0u32)]
}

/// Mostly user streams 1 and 2; sometimes 3 or the SQL log.
fn stream() -> impl Strategy<Value = StreamId> {
    prop_oneof![8 => 1u64..3, 1 => Just(3u64), 1 => Just(0u64)].prop_map(StreamId)
}

fn timestamp() -> impl Strategy<Value = u64> {
    0u64..1_000
}

fn name_from(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(names).prop_map(str::to_owned)
}

/// Mostly valid stream names, sometimes a reserved or empty one.
fn stream_name() -> impl Strategy<Value = String> {
    prop_oneof![8 => name_from(&STREAM_NAMES), 1 => name_from(&BAD_STREAM_NAMES)]
}

fn table_change() -> impl Strategy<Value = TableChange> {
    let table = || name_from(&TABLES);
    let column = || name_from(&COLUMNS);
    prop_oneof![
        5 => (table(), proptest::sample::subsequence(COLUMNS.to_vec(), 0..=3), any::<bool>())
            .prop_map(|(name, columns, keyed)| {
                TableChange::CreateTable(schema(name, &columns, keyed))
            }),
        1 => table().prop_map(|table| TableChange::DropTable { table }),
        1 => (table(), column()).prop_map(|(table, name)| TableChange::AlterTable {
            table,
            alteration: TableAlteration::AddColumn(column_def(&name, true)),
        }),
        1 => (table(), column()).prop_map(|(table, column)| TableChange::AlterTable {
            table,
            alteration: TableAlteration::DropColumn { column },
        }),
        1 => (table(), column(), column()).prop_map(|(table, from, to)| TableChange::AlterTable {
            table,
            alteration: TableAlteration::RenameColumn { from, to },
        }),
        1 => (table(), name_from(&INDEXES), column()).prop_map(|(table, name, column)| {
            let index = IndexDef { name, columns: vec![column], unique: false };
            TableChange::CreateIndex { table, index }
        }),
        1 => name_from(&INDEXES).prop_map(|index| TableChange::DropIndex { index }),
        4 => (table(), 0u64..5).prop_map(|(table, inserted)| TableChange::RowChanges {
            table,
            inserted,
            updated: 0,
            deleted: 0,
        }),
    ]
}

fn column_def(name: &str, nullable: bool) -> ColumnDef {
    ColumnDef {
        name: name.to_owned(),
        column_type: ColumnType::BigInt,
        nullable,
        default: None,
    }
}

fn schema(name: String, columns: &[&str], keyed: bool) -> TableSchema {
    let primary_key = match (keyed, columns.first()) {
        (true, Some(first)) => vec![(*first).to_owned()],
        _ => Vec::new(),
    };
    TableSchema {
        name,
        columns: columns
            .iter()
            .map(|column| column_def(column, !primary_key.contains(&(*column).to_owned())))
            .collect(),
        primary_key,
        unique_constraints: Vec::new(),
        indexes: Vec::new(),
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => create_tenant().prop_map(Step::Ready),
        12 => create_stream().prop_map(Step::Ready),
        40 => append(),
        16 => record_sql_effect().prop_map(Step::Ready),
        4 => create_api_key().prop_map(Step::Ready),
        3 => revoke_api_key().prop_map(Step::Ready),
        4 => set_retention().prop_map(Step::Ready),
        1 => erase_tenant_key().prop_map(Step::Ready),
    ]
}

fn create_tenant() -> impl Strategy<Value = Command> {
    (tenant(), timestamp()).prop_map(|(tenant_id, timestamp_ns)| Command::CreateTenant {
        tenant_id,
        name: format!("t{tenant_id}"),
        timestamp_ns,
    })
}

fn create_stream() -> impl Strategy<Value = Command> {
    let data_class = proptest::sample::select(DataClass::ALL.to_vec());
    (tenant(), stream_name(), data_class, timestamp()).prop_map(
        |(tenant_id, name, data_class, timestamp_ns)| Command::CreateStream {
            tenant_id,
            name,
            data_class,
            placement: Placement::Global,
            timestamp_ns,
        },
    )
}

fn append() -> impl Strategy<Value = Step> {
    let expected =
        prop_oneof![4 => Just(Expected::Current), 1 => (0u64..6).prop_map(Expected::Fixed)];
    (tenant(), stream(), expected, append_count(), timestamp()).prop_map(
        |(tenant_id, stream_id, expected, count, at)| Step::Append {
            tenant_id,
            stream_id,
            expected,
            count,
            at,
        },
    )
}

fn record_sql_effect() -> impl Strategy<Value = Command> {
    (
        tenant(),
        timestamp(),
        proptest::collection::vec(table_change(), 0..3),
    )
        .prop_map(
            |(tenant_id, timestamp_ns, table_changes)| Command::RecordSqlEffect {
                tenant_id,
                timestamp_ns,
                table_changes,
            },
        )
}

fn create_api_key() -> impl Strategy<Value = Command> {
    ((0u64..4).prop_map(ApiKeyId), tenant(), timestamp()).prop_map(
        |(key_id, tenant_id, timestamp_ns)| Command::CreateApiKey {
            key_id,
            tenant_id,
            label: "key".into(),
            salt: vec![1; 16],
            secret_hash: vec![2; 32],
            timestamp_ns,
        },
    )
}

fn revoke_api_key() -> impl Strategy<Value = Command> {
    ((0u64..4).prop_map(ApiKeyId), timestamp()).prop_map(|(key_id, timestamp_ns)| {
        Command::RevokeApiKey {
            key_id,
            timestamp_ns,
        }
    })
}

fn set_retention() -> impl Strategy<Value = Command> {
    (tenant(), name_from(&TABLES), 0u64..300, timestamp()).prop_map(
        |(tenant_id, table, min_history_ns, timestamp_ns)| Command::SetRetention {
            tenant_id,
            table,
            min_history_ns,
            timestamp_ns,
        },
    )
}

fn erase_tenant_key() -> impl Strategy<Value = Command> {
    (erased_tenant(), timestamp()).prop_map(|(tenant_id, timestamp_ns)| Command::EraseTenantKey {
        tenant_id,
        timestamp_ns,
    })
}

/// Sequences of up to `max_len` generated commands. Most start by creating
/// tenants 1 and 2 with streams 1 and 2 each, so that later steps find something
/// to work on; the rest start empty.
pub fn commands(max_len: usize) -> impl Strategy<Value = Vec<Command>> {
    (
        proptest::bool::weighted(0.8),
        proptest::collection::vec(step(), 0..max_len),
    )
        .prop_map(|(with_setup, steps)| {
            let mut all = if with_setup { setup() } else { Vec::new() };
            all.extend(steps);
            resolve(all)
        })
}

fn setup() -> Vec<Step> {
    let mut steps = Vec::new();
    for tenant_id in [TenantId(1), TenantId(2)] {
        let name = format!("t{tenant_id}");
        steps.push(Step::Ready(Command::CreateTenant {
            tenant_id,
            name,
            timestamp_ns: 0,
        }));
        for name in &STREAM_NAMES[..2] {
            steps.push(Step::Ready(Command::CreateStream {
                tenant_id,
                name: (*name).to_owned(),
                data_class: DataClass::Public,
                placement: Placement::Global,
                timestamp_ns: 0,
            }));
        }
    }
    steps
}

/// Turns steps into commands, choosing "current" offsets from a scratch state.
fn resolve(steps: Vec<Step>) -> Vec<Command> {
    let mut state = State::default();
    let mut commands = Vec::with_capacity(steps.len());
    for step in steps {
        let command = match step {
            Step::Ready(command) => command,
            Step::Append {
                tenant_id,
                stream_id,
                expected,
                count,
                at,
            } => {
                let expected_offset = match expected {
                    Expected::Current => state
                        .stream(tenant_id, stream_id)
                        .map_or(Offset(0), |stream| stream.next_offset()),
                    Expected::Fixed(offset) => Offset(offset),
                };
                Command::AppendEvents {
                    tenant_id,
                    stream_id,
                    expected_offset,
                    count,
                    timestamp_ns: at,
                }
            }
        };
        // Rejections are part of the sequence; the scratch state ignores them.
        let _ = apply_in_place(&mut state, &command);
        commands.push(command);
    }
    commands
}
