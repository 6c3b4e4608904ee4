//! Client-side verification: pure checks over the bytes a server sent, and the
//! trusted state (pinned key, last trusted checkpoint per stream) they start from.
//!
//! A verified read is accepted only if, in this order: the checkpoint's signature
//! verifies under the trusted server key and names the stream read (origin); the new
//! tree is not smaller than the trusted one and a consistency proof links them; every
//! returned record, hashed from the bytes received, is included in the new tree; and
//! every record links to the one before it. Only then does the trusted checkpoint
//! advance. All hashing and proof checking is done by `kimberlite_protocol`; this
//! module decides what to check and names each failure
//! ([`crate::VerificationFailure`]).

mod checks;
mod opened;
mod state_dir;
pub(crate) mod trust;

pub use checks::{
    check_consistency, check_inclusion, check_range_records, check_records, open_signed_checkpoint,
    parse_verifier_key, stream_origin, verify_range_read, verify_read, Scope,
};
pub use kimberlite_protocol::checkpoint::Checkpoint;
pub use state_dir::{StoreOutcome, TrustedStateDir};

pub(crate) use checks::{verify_answer, while_server_works, ReadOf};
pub(crate) use opened::OpenedNotes;
