//! b4_4 (by class): `get_by_class::<A>()` returns the A actors and no others.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_actors_may_be_looked_up_by_class`).

use pykka::{Actor, ActorRegistry};
use std::collections::BTreeSet;

struct A;
impl Actor for A {}

struct B;
impl Actor for B {}

#[test]
fn b4_4_actors_may_be_looked_up_by_class() {
    let a_refs: Vec<_> = (0..3).map(|_| A.start()).collect();
    let b_refs: Vec<_> = (0..5).map(|_| B.start()).collect();

    let found = ActorRegistry::get_by_class::<A>();

    let found_urns: BTreeSet<&str> = found.iter().map(|r| r.actor_urn()).collect();
    let a_urns: BTreeSet<&str> = a_refs.iter().map(|r| r.actor_urn()).collect();
    let b_urns: BTreeSet<&str> = b_refs.iter().map(|r| r.actor_urn()).collect();
    assert_eq!(found_urns, a_urns, "exactly the A actors");
    assert!(found_urns.is_disjoint(&b_urns), "no B actor");
    assert_eq!(
        found, a_refs,
        "in start order, equal to the refs start returned"
    );

    let found_b = ActorRegistry::get_by_class::<B>();
    assert_eq!(found_b, b_refs);

    ActorRegistry::stop_all();
}
