//! b4_3 (first part): a blocking `stop_all` stops every actor.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_all_actors_can_be_stopped_through_registry`).

use pykka::{Actor, ActorRegistry};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

/// Runs `f` on another thread and returns its result, or fails the test if it hangs.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("hang guard: {what} did not return"))
}

struct A;
impl Actor for A {}

struct B;
impl Actor for B {}

#[test]
fn b4_3_all_actors_can_be_stopped_through_registry() {
    let a_refs: Vec<_> = (0..3).map(|_| A.start()).collect();
    let b_refs: Vec<_> = (0..5).map(|_| B.start()).collect();
    assert_eq!(
        ActorRegistry::get_all().len(),
        8,
        "precondition: 3 A + 5 B registered"
    );

    let stopped = within("stop_all", ActorRegistry::stop_all);

    assert_eq!(stopped, vec![true; 8], "every actor was alive when stopped");
    assert!(
        ActorRegistry::get_all().is_empty(),
        "0 actors left in the registry"
    );
    assert!(a_refs.iter().all(|a| !a.is_alive()));
    assert!(b_refs.iter().all(|b| !b.is_alive()));
}
