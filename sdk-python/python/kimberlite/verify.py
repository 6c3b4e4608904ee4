"""The verification API over bytes: record hashes, Merkle proofs, signed notes and
checkpoints, each checked by the Rust client (never re-implemented in Python).

A refused input raises a ``VerificationError`` subclass (``NotIncludedError``,
``ForkError``, ``RollbackError``, ``MalformedProofError``, ...); its message starts
with the name of the precise check that failed (e.g. ``WrongProofLength``).
"""

from kimberlite._native import (
    decode_record_hash,
    genesis_hash,
    merkle_root,
    open_checkpoint,
    open_signed_note,
    parse_verifier_key,
    record_hash,
    stream_origin,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "decode_record_hash",
    "genesis_hash",
    "merkle_root",
    "open_checkpoint",
    "open_signed_note",
    "parse_verifier_key",
    "record_hash",
    "stream_origin",
    "verify_consistency",
    "verify_inclusion",
]
