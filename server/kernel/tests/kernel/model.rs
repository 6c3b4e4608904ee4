//! A model check of the append rules: a simple map of stream lengths and last
//! commit times predicts which appends succeed and what they report.
//!
//! The model learns which streams exist from `StreamCreated` effects and which
//! tenants are erased from accepted `EraseTenantKey` commands; everything about
//! lengths, offsets and times it computes itself.

use std::collections::{BTreeMap, BTreeSet};

use kimberlite_kernel::{apply_in_place, Command, Effect, State, SQL_LOG_STREAM_ID};
use kimberlite_protocol::{Offset, StreamId, TenantId};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use crate::generate::commands;

type Key = (TenantId, StreamId);

#[derive(Default)]
struct Model {
    /// Length and last commit time of every stream, the SQL logs included.
    streams: BTreeMap<Key, (u64, u64)>,
    erased: BTreeSet<TenantId>,
}

impl Model {
    /// Whether the model expects this append to be accepted.
    fn accepts_append(&self, key: Key, expected_offset: Offset, count: u32) -> bool {
        let length = self.streams.get(&key).map(|(length, _)| *length);
        key.1 != SQL_LOG_STREAM_ID
            && !self.erased.contains(&key.0)
            && count > 0
            && length == Some(expected_offset.get())
    }

    /// Checks an `Append` effect against the model, then records it.
    fn check_append(
        &mut self,
        key: Key,
        first_offset: Offset,
        count: u32,
        commit_ns: u64,
        clock_ns: u64,
    ) -> Result<(), TestCaseError> {
        let known = self.streams.get(&key).copied();
        prop_assert!(
            known.is_some(),
            "append to {:?}, which was never created",
            key
        );
        let (length, last_ns) = known.unwrap_or_default();
        prop_assert_eq!(
            first_offset,
            Offset(length),
            "offsets go on from the length"
        );
        prop_assert_eq!(
            commit_ns,
            clock_ns.max(last_ns),
            "commit time is max(clock, last)"
        );
        prop_assert!(commit_ns >= last_ns, "commit times never go backwards");
        self.streams
            .insert(key, (length + u64::from(count), commit_ns));
        Ok(())
    }
}

fn check_sequence(commands: &[Command]) -> Result<(), TestCaseError> {
    let mut state = State::default();
    let mut model = Model::default();
    for command in commands {
        let predicted = match command {
            Command::AppendEvents {
                tenant_id,
                stream_id,
                expected_offset,
                count,
                ..
            } => Some(model.accepts_append((*tenant_id, *stream_id), *expected_offset, *count)),
            _ => None,
        };
        let outcome = apply_in_place(&mut state, command);
        if let Some(predicted) = predicted {
            prop_assert_eq!(
                predicted,
                outcome.is_ok(),
                "{:?} gave {:?}",
                command,
                outcome
            );
        }
        let Ok(effects) = outcome else { continue };
        if let Command::EraseTenantKey { tenant_id, .. } = command {
            model.erased.insert(*tenant_id);
        }
        for effect in effects {
            match effect {
                Effect::TenantCreated { tenant_id } => {
                    model.streams.insert((tenant_id, SQL_LOG_STREAM_ID), (0, 0));
                }
                Effect::StreamCreated {
                    tenant_id,
                    stream_id,
                    existed: false,
                } => {
                    model.streams.insert((tenant_id, stream_id), (0, 0));
                }
                Effect::Append {
                    tenant_id,
                    stream_id,
                    first_offset,
                    count,
                    timestamp_ns,
                } => {
                    let key = (tenant_id, stream_id);
                    model.check_append(
                        key,
                        first_offset,
                        count,
                        timestamp_ns,
                        command.timestamp_ns(),
                    )?;
                }
                _ => {}
            }
        }
    }
    // Every stream's length is the sum of its accepted appends, and no stream
    // exists that the model does not know.
    let mut seen = 0;
    for tenant in state.tenants() {
        for stream in tenant.streams() {
            let key = (tenant.id(), stream.id());
            let (length, last_ns) = model.streams.get(&key).copied().unwrap_or((u64::MAX, 0));
            prop_assert_eq!(
                (stream.length(), stream.last_commit_ns()),
                (length, last_ns)
            );
            seen += 1;
        }
    }
    prop_assert_eq!(seen, model.streams.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lengths_offsets_and_commit_times_follow_the_model(commands in commands(80)) {
        check_sequence(&commands)?;
    }
}

#[test]
fn the_generator_exercises_acceptance_and_rejection_of_every_command() {
    // Guards the properties of this binary against a generator that only makes
    // rejections (or only successes) of some command.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = commands(80);
    // Per command variant index: (accepted, rejected).
    let mut counts = [(0u32, 0u32); 8];
    let mut tables_created = 0;
    for _ in 0..64 {
        let commands = strategy.new_tree(&mut runner).expect("tree").current();
        let mut state = State::default();
        for command in &commands {
            let variant = usize::from(postcard::to_allocvec(command).expect("encode")[0]);
            match apply_in_place(&mut state, command) {
                Ok(effects) => {
                    counts[variant].0 += 1;
                    tables_created += effects
                        .iter()
                        .filter(|effect| matches!(effect, Effect::TableCreated { .. }))
                        .count();
                }
                Err(_) => counts[variant].1 += 1,
            }
        }
    }
    for (variant, (accepted, rejected)) in counts.iter().enumerate() {
        assert!(
            *accepted >= 5 && *rejected >= 5,
            "command {variant}: {accepted} / {rejected}"
        );
    }
    assert!(counts[2].0 >= 200, "only {} appends accepted", counts[2].0);
    assert!(tables_created >= 20, "only {tables_created} tables created");
}
