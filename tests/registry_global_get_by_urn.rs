//! b4_4 (by URN): `get_by_urn` returns the actor, or `None` when the URN is unknown; the typed
//! reference comes from a downcast checked at lookup, `None` for the wrong type.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_actors_may_be_looked_up_by_urn` and `test_get_by_urn_returns_none_if_not_found`).

use pykka::{Actor, ActorRegistry, AnyActorRef};

struct A;
impl Actor for A {}

struct B;
impl Actor for B {}

#[test]
fn b4_4_actors_may_be_looked_up_by_urn_or_none_if_not_found() {
    let a = A.start();
    let b = B.start();

    // Found: the same actor.
    let found = ActorRegistry::get_by_urn(a.actor_urn()).expect("a running actor is found");
    assert_eq!(found, AnyActorRef::from(a.clone()));
    assert_eq!(found.actor_urn(), a.actor_urn());
    assert_eq!(found.actor_class(), "A");

    // The downcast is checked when it is made: right type → the typed ref, wrong type → None.
    assert_eq!(found.downcast::<A>(), Some(a.clone()));
    assert!(found.downcast::<B>().is_none(), "an A is not a B");
    let found_b = ActorRegistry::get_by_urn(b.actor_urn()).expect("b is found");
    assert!(found_b.downcast::<A>().is_none(), "a B is not an A");
    assert_eq!(found_b.downcast::<B>(), Some(b.clone()));

    // Not found: a well-formed URN nobody has, and text that is no URN at all.
    assert!(ActorRegistry::get_by_urn("urn:uuid:00000000-0000-4000-8000-000000000000").is_none());
    assert!(ActorRegistry::get_by_urn("urn:uuid:not-a-uuid").is_none());
    assert!(ActorRegistry::get_by_urn("").is_none());

    // Not found any more: a stopped actor.
    let urn = a.actor_urn().to_owned();
    assert!(a.stop());
    assert!(ActorRegistry::get_by_urn(&urn).is_none());
    assert!(b.stop());
}
