//! b4_2 (first half): an actor may be unregistered, then registered again, by hand.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_actor_may_be_registered_manually`).

use pykka::{Actor, ActorRegistry};

struct A;
impl Actor for A {}

fn listed(urn: &str) -> bool {
    ActorRegistry::get_all()
        .iter()
        .any(|r| r.actor_urn() == urn)
}

#[test]
fn b4_2_actor_may_be_unregistered_and_registered_manually() {
    let a = A.start();
    let urn = a.actor_urn().to_owned();
    assert!(listed(&urn), "precondition: registered by start");

    ActorRegistry::unregister(&a);
    assert!(!listed(&urn), "absent from get_all after unregister");
    assert!(ActorRegistry::get_by_urn(&urn).is_none());
    assert!(!ActorRegistry::get_by_class::<A>().contains(&a));
    assert!(a.is_alive(), "unregistering does not stop the actor");

    ActorRegistry::register(&a);
    assert!(listed(&urn), "present in get_all after register");
    assert_eq!(
        ActorRegistry::get_by_urn(&urn).and_then(|r| r.downcast::<A>()),
        Some(a.clone())
    );
    assert!(ActorRegistry::get_by_class::<A>().contains(&a));

    assert!(a.stop());
    assert!(
        !listed(&urn),
        "the re-registered actor is unregistered again when it stops"
    );
}
