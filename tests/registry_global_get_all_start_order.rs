//! b4_6: `get_all` lists actors in start order.
//!
//! Its own file, and its own process: it uses the global registry.

use pykka::{Actor, ActorRegistry};

struct A;
impl Actor for A {}

struct B;
impl Actor for B {}

#[test]
fn b4_6_get_all_lists_actors_in_start_order() {
    let mut started = Vec::new();
    for i in 0..20 {
        // Two classes interleaved, so the order cannot come from grouping by class.
        let urn = if i % 3 == 0 {
            B.start().actor_urn().to_owned()
        } else {
            A.start().actor_urn().to_owned()
        };
        started.push(urn);
    }

    let listed: Vec<String> = ActorRegistry::get_all()
        .iter()
        .map(|r| r.actor_urn().to_owned())
        .filter(|urn| started.contains(urn))
        .collect();
    assert_eq!(listed, started, "get_all is in start order");

    ActorRegistry::stop_all();
}
