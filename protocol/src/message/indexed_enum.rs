//! A macro for enums whose wire variant indices are explicit and may have gaps.
//!
//! serde's derive numbers variants by position, but protocol v5 leaves indices
//! 11 to 63 to other implementations and our extensions start at 64. The macro
//! declares the enum and writes `Serialize` / `Deserialize` by hand: a variant is
//! serialised with its explicit index (postcard writes it as a varint) and read
//! back through a `u32` variant identifier. Each variant is a unit or holds one
//! value (usually a struct whose fields are the variant's fields, in order).

/// Declares an enum with explicit wire indices; see the module documentation.
macro_rules! indexed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident $( ($inner:ty) )? = $index:literal, )*
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$variant_meta])* $variant $( ($inner) )?, )*
        }

        impl $name {
            /// Every wire index this type knows, in declaration order.
            pub const INDICES: &'static [u32] = &[$($index,)*];

            /// The variant's wire index.
            #[must_use]
            pub const fn variant_index(&self) -> u32 {
                match self {
                    $( indexed_enum!(@pattern $variant $(, _value: $inner)?) => $index, )*
                }
            }

            /// The variant's name.
            #[must_use]
            pub const fn variant_name(&self) -> &'static str {
                match self {
                    $( indexed_enum!(@pattern $variant $(, _value: $inner)?) =>
                        stringify!($variant), )*
                }
            }

            /// The name of the variant with wire index `index`, if known.
            #[must_use]
            pub const fn name_of_index(index: u32) -> Option<&'static str> {
                match index {
                    $( $index => Some(stringify!($variant)), )*
                    _ => None,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( indexed_enum!(@pattern $variant $(, value: $inner)?) =>
                        indexed_enum!(@serialize serializer, $name, $variant, $index
                            $(, value: $inner)?), )*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct IndexVisitor;

                impl<'de> serde::de::Visitor<'de> for IndexVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " variant index"))
                    }

                    fn visit_enum<A: serde::de::EnumAccess<'de>>(
                        self,
                        data: A,
                    ) -> Result<Self::Value, A::Error> {
                        #[allow(unused_imports, reason = "unused when every variant is a unit")]
                        use serde::de::VariantAccess as _;
                        let (index, variant) = data.variant::<u32>()?;
                        match index {
                            $( $index => indexed_enum!(@deserialize variant, $name, $variant
                                $(, $inner)?), )*
                            _ => Err(serde::de::Error::invalid_value(
                                serde::de::Unexpected::Unsigned(index.into()),
                                &self,
                            )),
                        }
                    }
                }

                deserializer.deserialize_enum(stringify!($name), &[], IndexVisitor)
            }
        }
    };
    (@pattern $variant:ident) => { Self::$variant };
    (@pattern $variant:ident, $binding:ident: $inner:ty) => { Self::$variant($binding) };
    (@serialize $serializer:ident, $name:ident, $variant:ident, $index:literal) => {
        $serializer.serialize_unit_variant(stringify!($name), $index, stringify!($variant))
    };
    (@serialize $serializer:ident, $name:ident, $variant:ident, $index:literal,
        $binding:ident: $inner:ty) => {
        $serializer.serialize_newtype_variant(
            stringify!($name),
            $index,
            stringify!($variant),
            $binding,
        )
    };
    (@deserialize $access:ident, $name:ident, $variant:ident) => {
        $access.unit_variant().map(|()| $name::$variant)
    };
    (@deserialize $access:ident, $name:ident, $variant:ident, $inner:ty) => {
        $access.newtype_variant::<$inner>().map($name::$variant)
    };
}

pub(crate) use indexed_enum;
