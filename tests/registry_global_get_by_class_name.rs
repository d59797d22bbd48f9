//! b4_4 (by class name): `get_by_class_name("A")` returns the A actors and no others.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_actors_may_be_looked_up_by_class_name`).

use pykka::{Actor, ActorRegistry, AnyActorRef};
use std::collections::BTreeSet;

struct A;
impl Actor for A {}

struct B;
impl Actor for B {}

#[test]
fn b4_4_actors_may_be_looked_up_by_class_name() {
    let a_refs: Vec<_> = (0..3).map(|_| A.start()).collect();
    let b_refs: Vec<_> = (0..5).map(|_| B.start()).collect();

    let found = ActorRegistry::get_by_class_name("A");

    let found_urns: BTreeSet<&str> = found.iter().map(|r| r.actor_urn()).collect();
    let a_urns: BTreeSet<&str> = a_refs.iter().map(|r| r.actor_urn()).collect();
    let b_urns: BTreeSet<&str> = b_refs.iter().map(|r| r.actor_urn()).collect();
    assert_eq!(found_urns, a_urns, "exactly the A actors");
    assert!(found_urns.is_disjoint(&b_urns), "no B actor");
    assert!(found.iter().all(|r| r.actor_class() == "A"));
    let expected: Vec<AnyActorRef> = a_refs.iter().cloned().map(AnyActorRef::from).collect();
    assert_eq!(found, expected, "in start order");

    assert_eq!(ActorRegistry::get_by_class_name("B").len(), 5);
    assert!(
        ActorRegistry::get_by_class_name("C").is_empty(),
        "an unknown name finds nothing"
    );

    ActorRegistry::stop_all();
}
