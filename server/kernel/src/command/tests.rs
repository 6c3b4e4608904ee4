//! Tests of the command accessors and their stored encoding.

use kimberlite_protocol::{DataClass, Offset, Placement, Region, StreamId, TenantId};

use super::*;
use crate::schema::ColumnType;
use crate::test_support::patients;

fn every_command() -> Vec<Command> {
    let tenant_id = TenantId(3);
    vec![
        Command::CreateTenant {
            tenant_id,
            name: "clinic".into(),
            timestamp_ns: 1,
        },
        Command::CreateStream {
            tenant_id,
            name: "vitals".into(),
            data_class: DataClass::PHI,
            placement: Placement::Region(Region::Custom("mars-1".into())),
            timestamp_ns: 2,
        },
        Command::AppendEvents {
            tenant_id,
            stream_id: StreamId(1),
            expected_offset: Offset(9),
            count: 4,
            timestamp_ns: 3,
        },
        Command::RecordSqlEffect {
            tenant_id,
            timestamp_ns: 4,
            table_changes: vec![
                TableChange::CreateTable(patients()),
                TableChange::AlterTable {
                    table: "patients".into(),
                    alteration: TableAlteration::AddColumn(ColumnDef {
                        name: "fee".into(),
                        column_type: ColumnType::Decimal {
                            precision: 10,
                            scale: 2,
                        },
                        nullable: true,
                        default: None,
                    }),
                },
                TableChange::DropIndex { index: "i".into() },
                TableChange::RowChanges {
                    table: "patients".into(),
                    inserted: 1,
                    updated: 2,
                    deleted: 3,
                },
            ],
        },
        Command::CreateApiKey {
            key_id: ApiKeyId(11),
            tenant_id,
            label: "ci".into(),
            salt: vec![1, 2],
            secret_hash: vec![3, 4],
            timestamp_ns: 5,
        },
        Command::RevokeApiKey {
            key_id: ApiKeyId(11),
            timestamp_ns: 6,
        },
        Command::SetRetention {
            tenant_id,
            table: "patients".into(),
            min_history_ns: 100,
            timestamp_ns: 7,
        },
        Command::EraseTenantKey {
            tenant_id,
            timestamp_ns: 8,
        },
    ]
}

#[test]
fn accessors_report_tenant_and_time() {
    for (index, command) in every_command().iter().enumerate() {
        let expected_tenant = match command {
            Command::RevokeApiKey { .. } => None,
            _ => Some(TenantId(3)),
        };
        assert_eq!(command.tenant_id(), expected_tenant);
        assert_eq!(command.timestamp_ns(), index as u64 + 1);
    }
}

#[test]
fn commands_survive_postcard() {
    for command in every_command() {
        let bytes = postcard::to_allocvec(&command).expect("encode");
        let decoded: Command = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(decoded, command);
    }
}

#[test]
fn the_variant_index_leads_the_encoding() {
    // Stored records depend on these indices: variants are only ever appended.
    let first_bytes: Vec<u8> = every_command()
        .iter()
        .map(|command| postcard::to_allocvec(command).expect("encode")[0])
        .collect();
    assert_eq!(first_bytes, [0, 1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn table_changes_name_their_table() {
    let commands = every_command();
    let names: Vec<Option<&str>> = match &commands[3] {
        Command::RecordSqlEffect { table_changes, .. } => {
            table_changes.iter().map(TableChange::table).collect()
        }
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(
        names,
        [Some("patients"), Some("patients"), None, Some("patients")]
    );
}
