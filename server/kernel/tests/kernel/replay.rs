//! Determinism: replaying commands gives the same state, whichever apply form
//! runs them, whether they were stored and decoded first, and whether the state
//! was snapshotted and restored midway.

use kimberlite_kernel::{apply, apply_in_place, Command, Effect, KernelError, State};
use proptest::prelude::*;

use crate::generate::commands;

/// BLAKE3 of the postcard encoding: the fingerprint of a state.
fn fingerprint(state: &State) -> blake3::Hash {
    blake3::hash(&postcard::to_allocvec(state).expect("a state always encodes"))
}

/// Replays `commands` on a fresh state; returns the state and each outcome.
fn replay(commands: &[Command]) -> (State, Vec<Result<Vec<Effect>, KernelError>>) {
    let mut state = State::default();
    let outcomes = commands
        .iter()
        .map(|command| apply_in_place(&mut state, command))
        .collect();
    (state, outcomes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn replaying_twice_gives_the_same_state(commands in commands(60)) {
        let (first, first_outcomes) = replay(&commands);
        // The second run replays what a log would hold: the commands after a
        // postcard round trip.
        let stored: Vec<Command> = commands
            .iter()
            .map(|command| {
                let bytes = postcard::to_allocvec(command).expect("encode");
                postcard::from_bytes(&bytes).expect("decode")
            })
            .collect();
        let (second, second_outcomes) = replay(&stored);
        prop_assert_eq!(fingerprint(&first), fingerprint(&second));
        prop_assert_eq!(first_outcomes, second_outcomes);
    }

    #[test]
    fn both_apply_forms_agree_and_rejections_change_nothing(commands in commands(60)) {
        let mut in_place = State::default();
        let mut pure = State::default();
        for command in &commands {
            let before = postcard::to_allocvec(&in_place).expect("encode");
            let pure_outcome = apply(&pure, command);
            let in_place_outcome = apply_in_place(&mut in_place, command);
            match (pure_outcome, in_place_outcome) {
                (Ok((next, pure_effects)), Ok(effects)) => {
                    prop_assert_eq!(pure_effects, effects);
                    pure = next;
                }
                (Err(pure_error), Err(error)) => {
                    prop_assert_eq!(pure_error, error);
                    let after = postcard::to_allocvec(&in_place).expect("encode");
                    prop_assert_eq!(before, after, "rejected {:?} changed the state", command);
                }
                (pure_outcome, in_place_outcome) => {
                    let (pure, in_place) = (pure_outcome, in_place_outcome);
                    prop_assert!(false, "{:?}: pure {:?}, in place {:?}", command, pure, in_place);
                }
            }
            prop_assert_eq!(fingerprint(&pure), fingerprint(&in_place));
        }
    }

    #[test]
    fn a_snapshot_restored_midway_changes_nothing(
        commands in commands(60),
        split in any::<proptest::sample::Index>(),
    ) {
        let (expected, _) = replay(&commands);
        let split = split.index(commands.len() + 1);
        let (head, _) = replay(&commands[..split]);
        let snapshot = postcard::to_allocvec(&head).expect("encode");
        let mut restored: State = postcard::from_bytes(&snapshot).expect("decode");
        for command in &commands[split..] {
            let _ = apply_in_place(&mut restored, command);
        }
        prop_assert_eq!(fingerprint(&restored), fingerprint(&expected));
    }
}

#[test]
fn different_histories_give_different_fingerprints() {
    // The fingerprint used above distinguishes states that differ only in a
    // stream's length, so equal fingerprints mean something.
    let commands = |count| {
        vec![
            Command::CreateTenant {
                tenant_id: kimberlite_protocol::TenantId(1),
                name: "t".into(),
                timestamp_ns: 1,
            },
            Command::CreateStream {
                tenant_id: kimberlite_protocol::TenantId(1),
                name: "s".into(),
                data_class: kimberlite_protocol::DataClass::Public,
                placement: kimberlite_protocol::Placement::Global,
                timestamp_ns: 2,
            },
            Command::AppendEvents {
                tenant_id: kimberlite_protocol::TenantId(1),
                stream_id: kimberlite_protocol::StreamId(1),
                expected_offset: kimberlite_protocol::Offset(0),
                count,
                timestamp_ns: 3,
            },
        ]
    };
    let (one, _) = replay(&commands(1));
    let (two, _) = replay(&commands(2));
    assert_ne!(fingerprint(&one), fingerprint(&two));
}
