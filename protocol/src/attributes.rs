//! Stream attributes carried by `CreateStream`: the data class and the placement.
//!
//! Their postcard layout is fixed by protocol v5: each enum is its variant index
//! as a varint, `Region::Custom` then carries its string. Declaration order is the
//! wire order, so never reorder these variants.

use serde::{Deserialize, Serialize};

/// What kind of data a stream holds; compliance features key off it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataClass {
    /// Protected health information (HIPAA).
    PHI,
    /// Health data with identifiers removed.
    Deidentified,
    /// Personally identifiable information.
    PII,
    /// Sensitive data not covered by another class.
    Sensitive,
    /// Payment card data (PCI DSS).
    PCI,
    /// Financial records.
    Financial,
    /// Business-confidential data.
    Confidential,
    /// Data that may be published.
    Public,
}

impl DataClass {
    /// Every class, in wire order.
    pub const ALL: [Self; 8] = [
        Self::PHI,
        Self::Deidentified,
        Self::PII,
        Self::Sensitive,
        Self::PCI,
        Self::Financial,
        Self::Confidential,
        Self::Public,
    ];
}

/// A named region for [`Placement::Region`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Region {
    /// US East 1.
    USEast1,
    /// Asia Pacific South East 2.
    APSoutheast2,
    /// Any other region, by name.
    Custom(String),
}

/// Where a stream's data may live.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Placement {
    /// Pinned to one region.
    Region(Region),
    /// Anywhere.
    Global,
}
