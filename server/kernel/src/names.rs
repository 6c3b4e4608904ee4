//! Rules every name in the catalog follows.
//!
//! Names are UTF-8, 1 to [`MAX_NAME_BYTES`] bytes, without control characters.
//! Stream names starting with `$` are reserved for system streams such as the
//! SQL log. API key labels may be empty.

#[cfg(test)]
mod tests;

use crate::error::KernelError;

/// The longest name allowed, in bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// The prefix reserved for system objects.
pub const RESERVED_PREFIX: char = '$';

/// What a name names, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// A tenant's display name.
    Tenant,
    /// A stream.
    Stream,
    /// A table.
    Table,
    /// A column.
    Column,
    /// A `UNIQUE` constraint.
    Constraint,
    /// An index.
    Index,
    /// An API key's label.
    ApiKeyLabel,
}

impl std::fmt::Display for NameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Tenant => "tenant",
            Self::Stream => "stream",
            Self::Table => "table",
            Self::Column => "column",
            Self::Constraint => "constraint",
            Self::Index => "index",
            Self::ApiKeyLabel => "API key label",
        })
    }
}

/// Checks `name` against the rules for `kind`.
pub(crate) fn check_name(kind: NameKind, name: &str) -> Result<(), KernelError> {
    if name.is_empty() && kind != NameKind::ApiKeyLabel {
        return Err(KernelError::EmptyName { kind });
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(KernelError::NameTooLong {
            kind,
            length_bytes: name.len(),
            max_bytes: MAX_NAME_BYTES,
        });
    }
    if name.chars().any(char::is_control) {
        return Err(KernelError::NameHasControlCharacter {
            kind,
            name: name.to_owned(),
        });
    }
    if kind == NameKind::Stream && name.starts_with(RESERVED_PREFIX) {
        return Err(KernelError::ReservedName {
            kind,
            name: name.to_owned(),
        });
    }
    Ok(())
}
