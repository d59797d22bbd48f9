//! b4_3 (third part): the non-blocking `request_stop_all` (Pykka's `stop_all(block=False)`) also
//! stops every actor; its futures say each was alive.
//!
//! Its own file, and its own process: it uses the global registry.

use pykka::{Actor, ActorRegistry};
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

struct A;
impl Actor for A {}

struct B;
impl Actor for B {}

#[test]
fn b4_3_request_stop_all_stops_every_actor() {
    let a_refs: Vec<_> = (0..3).map(|_| A.start()).collect();
    let b_refs: Vec<_> = (0..5).map(|_| B.start()).collect();

    let futures = ActorRegistry::request_stop_all();
    assert_eq!(futures.len(), 8, "one stop request per registered actor");
    let stopped = pykka::get_all_timeout(futures, HANG).expect("every stop completes");

    assert_eq!(stopped, vec![true; 8]);
    assert!(
        ActorRegistry::get_all().is_empty(),
        "0 actors left in the registry"
    );
    assert!(a_refs.iter().all(|a| !a.is_alive()));
    assert!(b_refs.iter().all(|b| !b.is_alive()));
}
