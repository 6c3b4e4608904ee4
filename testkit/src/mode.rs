//! The tampering modes: their names (a contract with the scenario runners of
//! every SDK) and the verification failure each one must cause.

use std::fmt;
use std::str::FromStr;

/// How the proxy lies. See docs/client.md for the full contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Forward everything unchanged.
    None,
    /// Flip one byte of the last record's payload in verified reads.
    FlipPayloadByte,
    /// Drop the second record of a verified read of at least three, renumbering
    /// the rest so the answer stays well formed.
    DropEvent,
    /// Swap the second and third records of a verified read of at least three,
    /// renumbering them.
    ReorderEvents,
    /// Repeat the first record of a verified read after itself, renumbering.
    DuplicateEvent,
    /// Drop the last hash of the last record's inclusion proof.
    TruncateProof,
    /// Once a stream has a trusted checkpoint, answer its verified reads,
    /// checkpoints and consistency proofs from a second server that signs with
    /// the same key but holds another history (`fork_upstream`).
    ForkedCheckpoint,
    /// Remember the first checkpoint of each stream; after a newer one was
    /// forwarded, serve the first one again.
    StaleCheckpoint,
    /// Re-sign every checkpoint with a key the proxy generated.
    ForeignKey,
    /// Change the tree size line of every checkpoint, keeping its signature.
    AlterCheckpoint,
}

impl Mode {
    /// Every mode, in documentation order.
    pub const ALL: [Self; 10] = [
        Self::None,
        Self::FlipPayloadByte,
        Self::DropEvent,
        Self::ReorderEvents,
        Self::DuplicateEvent,
        Self::TruncateProof,
        Self::ForkedCheckpoint,
        Self::StaleCheckpoint,
        Self::ForeignKey,
        Self::AlterCheckpoint,
    ];

    /// The mode's command-line name, e.g. `"flip-payload-byte"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::FlipPayloadByte => "flip-payload-byte",
            Self::DropEvent => "drop-event",
            Self::ReorderEvents => "reorder-events",
            Self::DuplicateEvent => "duplicate-event",
            Self::TruncateProof => "truncate-proof",
            Self::ForkedCheckpoint => "forked-checkpoint",
            Self::StaleCheckpoint => "stale-checkpoint",
            Self::ForeignKey => "foreign-key",
            Self::AlterCheckpoint => "alter-checkpoint",
        }
    }

    /// The name of the verification failure a verifying client must report
    /// (`kimberlite::VerificationFailure::as_str`), `None` for [`Mode::None`].
    #[must_use]
    pub const fn expected_failure(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::FlipPayloadByte => Some("NotIncluded"),
            Self::DropEvent | Self::ReorderEvents | Self::DuplicateEvent => Some("BrokenChain"),
            Self::TruncateProof => Some("MalformedProof"),
            Self::ForkedCheckpoint => Some("Fork"),
            Self::StaleCheckpoint => Some("Rollback"),
            Self::ForeignKey => Some("UnknownKey"),
            Self::AlterCheckpoint => Some("BadSignature"),
        }
    }

    /// Whether the mode rewrites checkpoints (rather than records).
    #[must_use]
    pub const fn touches_checkpoints(self) -> bool {
        matches!(
            self,
            Self::StaleCheckpoint | Self::ForeignKey | Self::AlterCheckpoint
        )
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A mode name that is not one of [`Mode::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownMode(pub String);

impl fmt::Display for UnknownMode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = Mode::ALL.iter().map(|mode| mode.name()).collect();
        write!(
            formatter,
            "unknown mode {:?} (one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownMode {}

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.name() == text)
            .ok_or_else(|| UnknownMode(text.to_owned()))
    }
}
