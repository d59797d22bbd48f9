//! Section 5 of `pykka-behaviors.md`, proxies: equality and hashing (b5_1) and `Debug` (b5_9).
//!
//! Synchronisation is by futures, channels, barriers and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. The actors and helpers are in
//! `tests/common/proxies.rs`.

mod common;

use common::proxies::{circle, hash_of, kitchen_of, pet, runtime, stove_of, CircleProxy, House};
use pykka::Actor;
use std::collections::HashSet;

// =============================================================================================
// b5_1: equality and hashing

#[test]
#[allow(clippy::eq_op)]
fn b5_1_a_proxy_is_equal_to_itself_and_to_its_clone() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    assert!(p == p);
    assert_eq!(p.clone(), p);
    assert!(a.stop());
}

#[test]
fn b5_1_two_proxies_of_one_actor_are_equal() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let first = a.proxy().unwrap();
    let second = a.proxy().unwrap();
    assert_eq!(first, second);
    assert_eq!(first.actor_ref(), second.actor_ref());
    assert!(first.attr_path().is_empty());
    assert!(second.attr_path().is_empty());
    assert!(a.stop());
}

#[test]
// The key's hash and equality are its actor and path, which never change.
#[allow(clippy::mutable_key_type)]
fn b5_1_proxies_hash_consistently() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    assert_eq!(hash_of(&p), hash_of(&p), "hash is not stable");
    assert_eq!(hash_of(&p), hash_of(&a.proxy().unwrap()));
    assert_eq!(hash_of(&p), hash_of(&p.clone()));

    let mut set = HashSet::new();
    assert!(set.insert(p.clone()));
    assert!(!set.insert(a.proxy().unwrap()), "an equal proxy was added");
    assert_eq!(set.len(), 1);
    assert!(set.contains(&a.proxy().unwrap()));
    assert!(a.stop());
    // Still the same key after the actor died.
    assert!(set.contains(&p));
}

#[test]
// The key's hash and equality are its actor and path, which never change.
#[allow(clippy::mutable_key_type)]
fn b5_1_proxies_of_two_actors_of_one_class_are_not_equal() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let (b, _) = pet(&rt);
    let pa = a.proxy().unwrap();
    let pb = b.proxy().unwrap();
    assert_ne!(pa, pb);
    let set: HashSet<_> = [pa.clone(), pb.clone(), pa, pb].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(a.stop());
    assert!(b.stop());
}

#[test]
fn b5_1_nested_proxies_with_the_same_path_are_equal_and_hash_equally() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let stove1 = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    let stove2 = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert_eq!(stove1, stove2);
    assert_eq!(hash_of(&stove1), hash_of(&stove2));
    assert!(h.stop());
}

#[test]
fn b5_1_typed_proxies_compare_and_hash_like_their_actor_proxies() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let (other, _) = circle(&rt);
    let p1: CircleProxy = c.typed_proxy().unwrap();
    let p2: CircleProxy = c.typed_proxy().unwrap();
    assert_eq!(p1, p2);
    assert_eq!(hash_of(&p1), hash_of(&p2));
    assert_eq!(p1, CircleProxy::from(c.proxy().unwrap()));
    assert_ne!(p1, other.typed_proxy().unwrap());
    assert_eq!(p1.constants(), p2.constants());
    assert_eq!(hash_of(&p1.constants()), hash_of(&p2.constants()));
    assert!(c.stop());
    assert!(other.stop());
}

// =============================================================================================
// b5_9: Debug

#[test]
fn b5_9_debug_of_a_proxy_is_pykkas_repr() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let repr = format!("{p:?}");
    assert_eq!(
        repr,
        format!("<ActorProxy for Pet ({}), attr_path=()>", a.actor_urn())
    );
    assert!(repr.starts_with('<') && repr.ends_with('>'), "{repr}");
    assert!(repr.contains("ActorProxy"), "{repr}");
    assert!(repr.contains("Pet"), "{repr}");
    assert!(repr.contains(a.actor_urn()), "{repr}");
    assert!(a.stop());
}

#[test]
fn b5_9_debug_of_a_nested_proxy_names_its_path() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let kitchen = h.proxy().unwrap().traverse("kitchen", kitchen_of);
    let stove = kitchen.traverse("stove", stove_of);
    let urn = h.actor_urn();
    assert_eq!(
        format!("{kitchen:?}"),
        format!("<ActorProxy for House ({urn}), attr_path=('kitchen',)>")
    );
    assert_eq!(
        format!("{stove:?}"),
        format!("<ActorProxy for House ({urn}), attr_path=('kitchen', 'stove')>")
    );
    assert!(h.stop());
}

#[test]
fn b5_9_debug_of_a_typed_proxy_is_its_actor_proxys() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let urn = c.actor_urn();
    assert_eq!(
        format!("{proxy:?}"),
        format!("<ActorProxy for Circle ({urn}), attr_path=()>")
    );
    assert_eq!(format!("{proxy:?}"), format!("{:?}", c.proxy().unwrap()));
    assert_eq!(
        format!("{:?}", proxy.constants()),
        format!("<ActorProxy for Circle ({urn}), attr_path=('constants',)>")
    );
    assert!(c.stop());
}

#[test]
fn b5_9_debug_of_a_proxy_still_names_the_actor_after_it_died() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let before = format!("{p:?}");
    assert!(a.stop());
    assert_eq!(format!("{p:?}"), before);
    assert!(before.contains(a.actor_urn()));
}
