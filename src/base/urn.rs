//! Actor URNs: `urn:uuid:<uuid v4>`, cheap enough to mint one per actor at pool speed.
//!
//! `Uuid::new_v4()` calls `getrandom` each time (a system call, hundreds of nanoseconds in a VM).
//! Instead each thread seeds a splitmix64 generator once from `Uuid::new_v4()` and draws 128 bits
//! per actor; `uuid::Builder::from_random_bytes` sets the version-4 and variant bits. splitmix64
//! is a bijection of its counter, so one thread never repeats a value; seeds differ per thread.
//!
//! A registered actor's id carries its registry place in its top 32 bits (`next_id_with`,
//! `registry::place_bits`), so its URN begins with them (`urn:uuid:00000000-…` for slot 0 of
//! shard 0): a lookup by URN reads the place from the URN. Uniqueness holds (a place is held by
//! one live actor; the 90 random bits separate reuses); randomness is only in the other bits,
//! as `ActorRef::actor_urn` says.

use std::cell::Cell;
use uuid::{Builder, Uuid};

thread_local! {
    static STATE: Cell<Option<u64>> = const { Cell::new(None) };
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fresh random (version 4) UUID as a `u128`, whose top 32 bits are `top` (the registry
/// slot it will be registered in, `registry::place_bits`) when `top` is not `None`.
pub(crate) fn next_id_with(top: Option<u128>) -> u128 {
    let id = next_id();
    match top {
        Some(bits) => (id & (u128::MAX >> 32)) | bits,
        None => id,
    }
}

/// A fresh random (version 4) UUID as a `u128`.
pub(crate) fn next_id() -> u128 {
    let draw = |s: &mut u64| {
        let hi = splitmix64(s);
        let lo = splitmix64(s);
        (u128::from(hi) << 64) | u128::from(lo)
    };
    let bits = STATE
        .try_with(|cell| {
            let mut s = cell.get().unwrap_or_else(|| Uuid::new_v4().as_u64_pair().0);
            let bits = draw(&mut s);
            cell.set(Some(s));
            bits
        })
        // During thread teardown the thread-local is gone: fall back to the OS generator.
        .unwrap_or_else(|_| Uuid::new_v4().as_u128());
    Builder::from_random_bytes(bits.to_be_bytes())
        .into_uuid()
        .as_u128()
}

/// Formats an id as `urn:uuid:xxxxxxxx-xxxx-4xxx-xxxx-xxxxxxxxxxxx`.
pub(crate) fn format(id: u128) -> String {
    format!("urn:uuid:{}", Uuid::from_u128(id).hyphenated())
}

/// Parses a URN (or a bare UUID) back to its id.
pub(crate) fn parse(urn: &str) -> Option<u128> {
    let s = urn.strip_prefix("urn:uuid:").unwrap_or(urn);
    Uuid::parse_str(s).ok().map(|u| u.as_u128())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_4_and_distinct() {
        let a = next_id();
        let b = next_id();
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(Uuid::from_u128(id).get_version_num(), 4);
            assert_eq!(parse(&format(id)), Some(id));
        }
    }
}
