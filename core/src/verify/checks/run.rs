//! Inclusion of a run of records, checked together.
//!
//! Proofs of neighbouring leaves share most of their nodes. Checking each proof up
//! to the root costs `log2 n` hashes per record; here a record's path is climbed
//! only until it meets a node already proven to lead to the checkpoint's root (the
//! root itself to begin with), and must equal it there; the proof hashes above that
//! point must equal the proven siblings (a comparison, no hashing). Records are
//! taken from the last, so each climb usually stops after a hash or two. A node
//! counts as proven only once a path through it reached a proven node with an equal
//! hash, so a record and its proof are accepted exactly when checking that proof
//! alone up to the root would accept them. The shape of each path
//! (which subtree every proof hash covers, and on which side) is the protocol
//! crate's `inclusion_proof_ranges`, the same the server builds its proofs with.

use std::collections::HashMap;

use kimberlite_protocol::merkle::{inclusion_proof_ranges, node_hash, SubtreeRange};
use kimberlite_protocol::Hash;

use super::fail;
use crate::error::{Error, Result, VerificationFailure as Failure};
use crate::verify::Checkpoint;

/// Checks that `leaves[i]` is at `indexes[i]` in the tree `checkpoint` commits to,
/// with `proofs[i]`, for every `i`. On failure, the error is that of the lowest
/// failing record, as if each had been checked alone in order.
///
/// # Errors
/// `NotIncluded` when a path leads to another tree, `MalformedProof` for an index
/// outside the tree or a proof of the wrong length.
pub(super) fn check_run_inclusion<'a>(
    checkpoint: &Checkpoint,
    run: impl DoubleEndedIterator<Item = (u64, &'a Hash, &'a [Hash])>,
) -> Result<()> {
    let mut proven: HashMap<SubtreeRange, Hash> = HashMap::new();
    if checkpoint.size > 0 {
        proven.insert(SubtreeRange::new(0, checkpoint.size), checkpoint.root);
    }
    let mut lowest_failure = None;
    for (index, leaf, proof) in run.rev() {
        if let Err(error) = climb(&mut proven, checkpoint.size, index, leaf, proof) {
            lowest_failure = Some(error);
        }
    }
    lowest_failure.map_or(Ok(()), Err)
}

/// Climbs the path of one leaf until a proven node; on success every node of the
/// path and every proof hash below that node are proven too.
fn climb(
    proven: &mut HashMap<SubtreeRange, Hash>,
    size: u64,
    index: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<()> {
    let malformed = |message: String| fail(Failure::MalformedProof, message);
    let ranges = inclusion_proof_ranges(index, size)
        .map_err(|error| malformed(format!("record {index}: {error}")).with_source(error))?;
    if ranges.len() != proof.len() {
        return Err(malformed(format!(
            "record {index} has a proof of {} hashes where {} were expected",
            proof.len(),
            ranges.len()
        )));
    }
    let mut range = SubtreeRange::new(index, 1);
    let mut hash = *leaf;
    let mut path = Vec::with_capacity(2 * proof.len());
    let mut siblings = ranges.iter().zip(proof);
    loop {
        if let Some(known) = proven.get(&range) {
            // Above a proven node every sibling is proven too (each climb proves
            // the siblings of its path), so the rest of the proof must match
            // them: no hashing, and no proof hash goes unchecked.
            let rest_matches = siblings.all(|(range, sibling)| proven.get(range) == Some(sibling));
            if *known != hash || !rest_matches {
                return Err(not_included(index));
            }
            proven.extend(path);
            return Ok(());
        }
        let Some((sibling_range, sibling)) = siblings.next() else {
            // Every path ends at the whole tree, which is proven from the start.
            return Err(not_included(index));
        };
        path.push((range, hash));
        path.push((*sibling_range, *sibling));
        hash = if sibling_range.start < range.start {
            node_hash(sibling, &hash)
        } else {
            node_hash(&hash, sibling)
        };
        let start = range.start.min(sibling_range.start);
        range = SubtreeRange::new(start, range.len + sibling_range.len);
    }
}

fn not_included(index: u64) -> Error {
    fail(
        Failure::NotIncluded,
        format!("record {index} is not proven to be in the tree"),
    )
}
