//! b4_2 (second half): unregistering an actor twice is not an error.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_actor_may_be_unregistered_multiple_times_without_error`).

use pykka::{Actor, ActorRegistry};

struct A;
impl Actor for A {}

#[test]
fn b4_2_actor_may_be_unregistered_multiple_times_without_error() {
    let a = A.start();
    let urn = a.actor_urn().to_owned();

    ActorRegistry::unregister(&a);
    ActorRegistry::unregister(&a); // neither panics nor reports an error
    assert!(ActorRegistry::get_by_urn(&urn).is_none());

    ActorRegistry::register(&a);
    assert!(
        ActorRegistry::get_all()
            .iter()
            .any(|r| r.actor_urn() == urn),
        "the registry still works after a double unregister"
    );

    // Stopping unregisters it; unregistering the dead actor afterwards is still no error.
    assert!(a.stop());
    ActorRegistry::unregister(&a);
    assert!(ActorRegistry::get_by_urn(&urn).is_none());
}
