//! b4_1 (first half): an actor is in the global registry once started.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_actor_is_registered_when_started`).

use pykka::{Actor, ActorRegistry};

struct A;
impl Actor for A {}

#[test]
fn b4_1_actor_is_registered_when_started() {
    let a = A.start();
    let urn = a.actor_urn().to_owned();

    // `start` registers before it returns: no wait is needed.
    assert!(
        ActorRegistry::get_all()
            .iter()
            .any(|r| r.actor_urn() == urn),
        "a started actor is listed by get_all"
    );
    let found = ActorRegistry::get_by_urn(&urn).expect("a started actor is found by its URN");
    assert_eq!(found.downcast::<A>(), Some(a.clone()));

    assert!(a.stop());
}
