//! b4_1 (second half): an actor leaves the global registry when it stops.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_actor_is_unregistered_when_stopped`).

use pykka::{Actor, ActorRegistry};

struct A;
impl Actor for A {}

#[test]
fn b4_1_actor_is_unregistered_when_stopped() {
    let a = A.start();
    let urn = a.actor_urn().to_owned();
    assert!(
        ActorRegistry::get_by_urn(&urn).is_some(),
        "precondition: registered"
    );

    // `stop` blocks until the actor has stopped, so it is unregistered when `stop` returns.
    assert!(a.stop());

    assert!(!a.is_alive());
    assert!(
        !ActorRegistry::get_all()
            .iter()
            .any(|r| r.actor_urn() == urn),
        "a stopped actor is no longer listed by get_all"
    );
    assert!(
        ActorRegistry::get_by_urn(&urn).is_none(),
        "a stopped actor is no longer found by its URN"
    );
    assert!(ActorRegistry::get_by_class::<A>().is_empty());
}
