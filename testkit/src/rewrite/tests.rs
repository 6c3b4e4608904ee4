//! The record rewrites keep answers well formed, and the checkpoint rewrites
//! change exactly what they claim.

use kimberlite_protocol::message::{
    RangeRecord, ReadVerifiedResponse, ResponsePayload, VerifiedRangeResponse, VerifiedRecord,
};
use kimberlite_protocol::{Hash, Offset};

use super::{grow_size_line, origin_and_size, Rewriter};
use crate::Mode;

fn answer(count: u64) -> ReadVerifiedResponse {
    ReadVerifiedResponse {
        checkpoint: "origin\n5\nroot\n\n\u{2014} name sig\n".to_owned(),
        records: (0..count)
            .map(|index| VerifiedRecord {
                offset: Offset(2 + index),
                timestamp_ns: index,
                kind: 0,
                prev_hash: Hash([index as u8; 32]),
                payload: vec![index as u8],
                inclusion_proof: vec![Hash([9; 32]); 2],
            })
            .collect(),
        consistency_proof: vec![],
        next_offset: (count > 0).then_some(Offset(2 + count)),
    }
}

fn rewritten(mode: Mode, count: u64) -> (bool, ReadVerifiedResponse) {
    let mut payload = ResponsePayload::ReadVerified(answer(count));
    let changed = Rewriter::new(mode).response(&mut payload);
    let ResponsePayload::ReadVerified(answer) = payload else {
        panic!("the answer changed its kind");
    };
    (changed, answer)
}

#[test]
fn list_rewrites_renumber_offsets_and_next_offset() {
    for (mode, count, payloads) in [
        (Mode::DropEvent, 3, vec![0u8, 2]),
        (Mode::ReorderEvents, 3, vec![0, 2, 1]),
        (Mode::DuplicateEvent, 2, vec![0, 0, 1]),
    ] {
        let (changed, answer) = rewritten(mode, count);
        assert!(changed, "{mode}");
        let got: Vec<u8> = answer.records.iter().map(|r| r.payload[0]).collect();
        assert_eq!(got, payloads, "{mode}");
        for (index, record) in answer.records.iter().enumerate() {
            assert_eq!(record.offset, Offset(2 + index as u64), "{mode}");
        }
        let next = Offset(2 + answer.records.len() as u64);
        assert_eq!(answer.next_offset, Some(next), "{mode}");
    }
}

#[test]
fn too_short_answers_and_mode_none_are_forwarded_unchanged() {
    for (mode, count) in [
        (Mode::None, 3),
        (Mode::DropEvent, 2),
        (Mode::ReorderEvents, 2),
        (Mode::DuplicateEvent, 0),
        (Mode::FlipPayloadByte, 0),
    ] {
        let (changed, after) = rewritten(mode, count);
        assert!(!changed, "{mode}");
        assert_eq!(after, answer(count), "{mode}");
    }
}

#[test]
fn flip_and_truncate_touch_only_the_last_record() {
    let (_, flipped) = rewritten(Mode::FlipPayloadByte, 3);
    assert_eq!(flipped.records[2].payload, vec![3]);
    assert_eq!(flipped.records[..2], answer(3).records[..2]);
    let (_, truncated) = rewritten(Mode::TruncateProof, 3);
    assert_eq!(truncated.records[2].inclusion_proof.len(), 1);
    assert_eq!(truncated.records[..2], answer(3).records[..2]);
}

#[test]
fn alter_grows_the_size_line_only() {
    let note = "origin\n5\nroot\n\n\u{2014} name sig\n";
    let grown = grow_size_line(note).unwrap();
    assert_eq!(grown, "origin\n6\nroot\n\n\u{2014} name sig\n");
    assert_eq!(origin_and_size(&grown), Some(("origin", 6)));
}

#[test]
fn stale_serves_the_first_checkpoint_after_a_newer_one() {
    let rewriter = Rewriter::new(Mode::StaleCheckpoint);
    let mut first = "o\n3\nr\n\n\u{2014} n s\n".to_owned();
    let mut newer = "o\n5\nr\n\n\u{2014} n s\n".to_owned();
    assert!(!rewriter.checkpoint(&mut first));
    assert!(!rewriter.checkpoint(&mut newer.clone()));
    assert!(rewriter.checkpoint(&mut newer));
    assert_eq!(newer, first);
}

fn range_answer(count: u64, range_proof: usize, consistency: usize) -> VerifiedRangeResponse {
    VerifiedRangeResponse {
        checkpoint: "origin\n5\nroot\n\n\u{2014} name sig\n".to_owned(),
        records: (0..count)
            .map(|index| RangeRecord {
                offset: Offset(2 + index),
                timestamp_ns: index,
                kind: 0,
                prev_hash: Hash([index as u8; 32]),
                payload: vec![index as u8],
            })
            .collect(),
        range_proof: vec![Hash([7; 32]); range_proof],
        consistency_proof: vec![Hash([8; 32]); consistency],
        next_offset: (count > 0).then_some(Offset(2 + count)),
    }
}

fn rewritten_range(mode: Mode, answer: VerifiedRangeResponse) -> (bool, VerifiedRangeResponse) {
    let mut payload = ResponsePayload::VerifiedRange(answer);
    let changed = Rewriter::new(mode).response(&mut payload);
    let ResponsePayload::VerifiedRange(answer) = payload else {
        panic!("the answer changed its kind");
    };
    (changed, answer)
}

#[test]
fn range_answers_get_the_same_list_rewrites() {
    let (changed, answer) = rewritten_range(Mode::DropEvent, range_answer(3, 1, 0));
    assert!(changed);
    let got: Vec<u8> = answer.records.iter().map(|r| r.payload[0]).collect();
    assert_eq!(got, vec![0, 2]);
    assert_eq!(answer.records[1].offset, Offset(3));
    assert_eq!(answer.next_offset, Some(Offset(4)));
    let (changed, answer) = rewritten_range(Mode::FlipPayloadByte, range_answer(2, 1, 0));
    assert!(changed);
    assert_eq!(answer.records[1].payload, vec![0]);
}

#[test]
fn truncate_proof_shortens_the_range_proof_else_the_consistency_proof() {
    let (changed, answer) = rewritten_range(Mode::TruncateProof, range_answer(3, 2, 2));
    assert!(changed);
    assert_eq!(
        (answer.range_proof.len(), answer.consistency_proof.len()),
        (1, 2)
    );
    let (changed, answer) = rewritten_range(Mode::TruncateProof, range_answer(3, 0, 2));
    assert!(changed);
    assert_eq!(
        (answer.range_proof.len(), answer.consistency_proof.len()),
        (0, 1)
    );
    let (changed, _) = rewritten_range(Mode::TruncateProof, range_answer(3, 0, 0));
    assert!(!changed);
}
