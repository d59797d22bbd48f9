//! A `serde` deserializer wrapper that bounds what untrusted bytes can make decoding do:
//!
//! - **Nesting**: every nested value (sequence, map, struct, enum, option, newtype) counts one
//!   level; past the limit, decoding fails. postcard has no recursion limit of its own, and a
//!   stack overflow cannot be caught: a recursive message type fed a deeply nested frame would
//!   abort the process.
//! - **Size hints**: sequences and maps report no size hint, so a length prefix that lies
//!   reserves nothing; collections grow only as their elements actually decode, so memory is
//!   bounded by what the frame really holds.
//!
//! Every serde trait an inner deserializer hands out (visitor, seeds, accessors) is wrapped so
//! that the count follows the value all the way down.

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use std::cell::Cell;
use std::fmt;

/// How deep a message may nest, counted in serde values (an enum, its struct variant's
/// `Option` field, the boxed value inside: each one level, so a recursive enum goes about 128
/// of its own levels deep): far more than any message type needs, far less than it takes to
/// exhaust a 2 MiB thread stack, even in a debug build.
pub(crate) const MAX_DEPTH: usize = 256;

/// The nesting budget shared by every wrapper of one decode.
pub(crate) struct Budget {
    depth: Cell<usize>,
    max: usize,
    /// Set when the limit refused a value (postcard replaces custom errors with a generic one,
    /// so the reason is kept here).
    exceeded: Cell<bool>,
    /// Elements of sequences and maps decoded so far, and their limit: an element of a
    /// zero-sized type takes no bytes, so a `Vec<()>` claiming 2^64 elements would otherwise
    /// loop for ever on a few bytes.
    elements: Cell<usize>,
    max_elements: usize,
}

impl Budget {
    pub(crate) fn new(max: usize, max_elements: usize) -> Self {
        Budget {
            depth: Cell::new(0),
            max,
            exceeded: Cell::new(false),
            elements: Cell::new(0),
            max_elements,
        }
    }

    /// Counts one more element of a sequence or map.
    fn element<E: de::Error>(&self) -> Result<(), E> {
        let n = self.elements.get() + 1;
        if n > self.max_elements {
            self.exceeded.set(true);
            return Err(E::custom(format_args!(
                "more than {} elements",
                self.max_elements
            )));
        }
        self.elements.set(n);
        Ok(())
    }

    /// Whether the nesting limit refused a value.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded.get()
    }

    /// The limit.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    fn enter<E: de::Error>(&self) -> Result<Guard<'_>, E> {
        let d = self.depth.get() + 1;
        if d > self.max {
            self.exceeded.set(true);
            return Err(E::custom(format_args!(
                "nested more than {} levels deep",
                self.max
            )));
        }
        self.depth.set(d);
        Ok(Guard(self))
    }
}

struct Guard<'b>(&'b Budget);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get() - 1);
    }
}

/// A deserializer that counts nesting against `budget`.
pub(crate) struct Limited<'b, D> {
    pub(crate) inner: D,
    pub(crate) budget: &'b Budget,
}

struct LVisitor<'b, V> {
    inner: V,
    budget: &'b Budget,
}

struct LSeed<'b, S> {
    inner: S,
    budget: &'b Budget,
}

struct LAccess<'b, A> {
    inner: A,
    budget: &'b Budget,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for LSeed<'_, S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Limited {
            inner: d,
            budget: self.budget,
        })
    }
}

macro_rules! forward {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                let _g = self.budget.enter::<D::Error>()?;
                self.inner.$method(LVisitor { inner: visitor, budget: self.budget })
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Limited<'_, D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let _g = self.budget.enter::<D::Error>()?;
        self.inner.deserialize_unit_struct(
            name,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let _g = self.budget.enter::<D::Error>()?;
        self.inner.deserialize_newtype_struct(
            name,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let _g = self.budget.enter::<D::Error>()?;
        self.inner.deserialize_tuple(
            len,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let _g = self.budget.enter::<D::Error>()?;
        self.inner.deserialize_tuple_struct(
            name,
            len,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let _g = self.budget.enter::<D::Error>()?;
        self.inner.deserialize_struct(
            name,
            fields,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let _g = self.budget.enter::<D::Error>()?;
        self.inner.deserialize_enum(
            name,
            variants,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! pass {
    ($($method:ident: $t:ty),*) => {
        $(
            fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
                self.inner.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for LVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass!(
        visit_bool: bool, visit_i8: i8, visit_i16: i16, visit_i32: i32, visit_i64: i64,
        visit_i128: i128, visit_u8: u8, visit_u16: u16, visit_u32: u32, visit_u64: u64,
        visit_u128: u128, visit_f32: f32, visit_f64: f64, visit_char: char, visit_str: &str,
        visit_borrowed_str: &'de str, visit_string: String, visit_bytes: &[u8],
        visit_borrowed_bytes: &'de [u8], visit_byte_buf: Vec<u8>
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Limited {
            inner: d,
            budget: self.budget,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Limited {
            inner: d,
            budget: self.budget,
        })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(LAccess {
            inner: seq,
            budget: self.budget,
        })
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(LAccess {
            inner: map,
            budget: self.budget,
        })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(LAccess {
            inner: data,
            budget: self.budget,
        })
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for LAccess<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.budget.element::<A::Error>()?;
        self.inner.next_element_seed(LSeed {
            inner: seed,
            budget: self.budget,
        })
    }

    /// None: a length prefix from the wire reserves nothing.
    fn size_hint(&self) -> Option<usize> {
        None
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for LAccess<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.budget.element::<A::Error>()?;
        self.inner.next_key_seed(LSeed {
            inner: seed,
            budget: self.budget,
        })
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(LSeed {
            inner: seed,
            budget: self.budget,
        })
    }

    /// None: a length prefix from the wire reserves nothing.
    fn size_hint(&self) -> Option<usize> {
        None
    }
}

impl<'b, 'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for LAccess<'b, A> {
    type Error = A::Error;
    type Variant = LAccess<'b, A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let budget = self.budget;
        let (value, variant) = self.inner.variant_seed(LSeed {
            inner: seed,
            budget,
        })?;
        Ok((
            value,
            LAccess {
                inner: variant,
                budget,
            },
        ))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for LAccess<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.newtype_variant_seed(LSeed {
            inner: seed,
            budget: self.budget,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner.tuple_variant(
            len,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(
            fields,
            LVisitor {
                inner: visitor,
                budget: self.budget,
            },
        )
    }
}
