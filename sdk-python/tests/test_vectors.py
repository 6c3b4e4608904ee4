"""The shared vectors of tests/vectors, checked through kimberlite.verify (the Rust
client's checks): every positive vector verifies, every negative one is refused with
the named failure."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List

import pytest

import kimberlite
from kimberlite import errors, verify

from conftest import VECTORS


def load(name: str) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads((VECTORS / f"{name}.json").read_text())
    return data


def unhex(values: List[str]) -> List[bytes]:
    return [bytes.fromhex(value) for value in values]


def test_record_hashes_and_chain() -> None:
    records = load("records")
    for record in records["records"] + records["chain"]["records"]:
        computed = verify.record_hash(
            record["tenant_id"], record["stream_id"], record["offset"], record["timestamp_ns"],
            record["kind_byte"], bytes.fromhex(record["prev_hash_hex"]),
            bytes.fromhex(record["payload_hex"]),
        )
        assert computed.hex() == record["hash_hex"]
        assert verify.decode_record_hash(bytes.fromhex(record["encoded_hex"])) == computed
    for genesis in records["genesis"]:
        hashed = verify.genesis_hash(genesis["tenant_id"], genesis["stream_id"])
        assert hashed.hex() == genesis["hash_hex"]
    chain = records["chain"]
    assert verify.genesis_hash(chain["tenant_id"], chain["stream_id"]).hex() == chain["genesis_hex"]
    hashes = [bytes.fromhex(record["hash_hex"]) for record in chain["records"]]
    assert [record["prev_hash_hex"] for record in chain["records"][1:]] == [
        value.hex() for value in hashes[:-1]
    ]
    assert hashes[-1].hex() == chain["head_hex"]
    assert verify.merkle_root(hashes).hex() == chain["root_hex"]


def test_merkle_roots_and_proofs() -> None:
    merkle = load("merkle")
    # The description defines leaf i as SHA-256(0x00 || i as u64 big-endian).
    largest = max(root["size"] for root in merkle["roots"])
    leaves = [hashlib.sha256(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(largest)]
    assert [leaf.hex() for leaf in leaves[: len(merkle["leaf_hashes_hex"])]] == merkle[
        "leaf_hashes_hex"
    ]
    assert verify.merkle_root([]).hex() == merkle["empty_root_hex"]
    for root in merkle["roots"]:
        assert verify.merkle_root(leaves[: root["size"]]).hex() == root["root_hex"]
    for case in merkle["inclusion_proofs"]:
        verify.verify_inclusion(
            bytes.fromhex(case["leaf_hex"]), case["index"], case["size"],
            unhex(case["proof_hex"]), bytes.fromhex(case["root_hex"]),
        )
    for case in merkle["consistency_proofs"]:
        verify.verify_consistency(
            case["old_size"], case["new_size"], bytes.fromhex(case["old_root_hex"]),
            bytes.fromhex(case["new_root_hex"]), unhex(case["proof_hex"]),
        )


def test_a_changed_leaf_is_not_included() -> None:
    case = next(c for c in load("merkle")["inclusion_proofs"] if c["size"] > 1)
    leaf = bytearray(bytes.fromhex(case["leaf_hex"]))
    leaf[0] ^= 1
    with pytest.raises(errors.NotIncludedError):
        verify.verify_inclusion(bytes(leaf), case["index"], case["size"],
                                unhex(case["proof_hex"]), bytes.fromhex(case["root_hex"]))


def test_signed_notes_and_checkpoints() -> None:
    notes = load("notes")
    assert verify.parse_verifier_key(notes["verifier_key"]) == notes["key_name"]
    for note in notes["notes"]:
        assert verify.open_signed_note(note["note"], [notes["verifier_key"]]) == note["text"]
    checkpoints = load("checkpoints")
    for case in checkpoints["checkpoints"]:
        origin = verify.stream_origin(checkpoints["verifier_key"], case["tenant_id"],
                                      case["stream_id"])
        assert origin == case["origin"]
        opened = verify.open_checkpoint(case["note"], checkpoints["verifier_key"], origin)
        assert isinstance(opened, kimberlite.Checkpoint)
        assert (opened.origin, opened.size) == (case["origin"], case["size"])
        assert opened.root.hex() == case["root_hex"]
        assert opened.extensions == case["extensions"]


def refuse(case: Dict[str, Any]) -> None:
    kind = case["kind"]
    if kind == "inclusion":
        verify.verify_inclusion(bytes.fromhex(case["leaf_hex"]), case["index"], case["size"],
                                unhex(case["proof_hex"]), bytes.fromhex(case["root_hex"]))
    elif kind == "consistency":
        verify.verify_consistency(case["old_size"], case["new_size"],
                                  bytes.fromhex(case["old_root_hex"]),
                                  bytes.fromhex(case["new_root_hex"]), unhex(case["proof_hex"]))
    elif kind == "record":
        verify.decode_record_hash(bytes.fromhex(case["encoded_hex"]))
    elif kind == "verifier_key":
        verify.parse_verifier_key(case["verifier_key"])
    elif kind == "note":
        verify.open_signed_note(case["note"], case["verifier_keys"])
    elif kind == "checkpoint":
        verify.open_checkpoint(case["note"], case["verifier_key"], case["expected_origin"])
    else:
        pytest.fail(f"unknown vector kind {kind}")


NEGATIVE = load("formats-negative")["cases"]


@pytest.mark.parametrize("case", NEGATIVE, ids=[case["name"] for case in NEGATIVE])
def test_negative_vectors_are_refused(case: Dict[str, Any]) -> None:
    with pytest.raises(errors.VerificationError) as raised:
        refuse(case)
    assert raised.value.message.split(":")[0] == case["error"], raised.value.message
