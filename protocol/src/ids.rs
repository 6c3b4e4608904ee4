//! Identifier newtypes shared by the wire protocol and the verification formats.
//!
//! Each one is a `u64` on the wire: serde treats a newtype struct as its inner
//! value, so postcard writes a bare LEB128 varint, exactly as protocol v5 does.

use serde::{Deserialize, Serialize};

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        pub struct $name(pub u64);

        impl $name {
            /// The raw `u64` value.
            #[must_use]
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl From<u64> for $name {
            fn from(value: u64) -> Self {
                Self(value)
            }
        }

        impl From<$name> for u64 {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

id_newtype!(
    /// Identifies one request on a connection; the response carries the same id.
    RequestId
);
id_newtype!(
    /// A tenant: the unit of isolation. Nothing crosses tenants.
    TenantId
);
id_newtype!(
    /// A stream within a tenant.
    StreamId
);
id_newtype!(
    /// A record's position in its stream (0, 1, 2, ...), or a position in a tenant's
    /// SQL log.
    Offset
);
id_newtype!(
    /// A subscription on one connection.
    SubscriptionId
);
