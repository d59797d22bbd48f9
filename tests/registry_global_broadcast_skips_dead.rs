//! b4_5 (dead actors): a broadcast skips actors that have died and goes on with the rest; it
//! neither fails nor panics, and does not count them.
//!
//! Two ways an actor is dead to a broadcast: it stopped (and left the registry), or it is dead
//! but still listed (here: registered again by hand after it stopped, which is what a broadcast
//! sees when an actor dies between the registry snapshot and its delivery).
//!
//! Its own file, and its own process: it uses the global registry.

use pykka::{Actor, ActorRef, ActorRegistry, Context, Receive};
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Note(&'static str),
    Received,
}

#[derive(Default)]
struct A {
    got: Vec<&'static str>,
}

impl Actor for A {}

impl Receive for A {
    type Message = Msg;
    type Reply = Vec<&'static str>;
    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) -> Vec<&'static str> {
        match m {
            Msg::Note(n) => {
                self.got.push(n);
                Vec::new()
            }
            Msg::Received => self.got.clone(),
        }
    }
}

fn received(r: &ActorRef<A>) -> Vec<&'static str> {
    r.ask(Msg::Received).get_timeout(HANG).unwrap()
}

#[test]
fn b4_5_broadcast_skips_dead_actors() {
    ActorRegistry::declare_receiver::<A>();
    let refs: Vec<_> = (0..4).map(|_| A::default().start()).collect();

    // Stopped: gone from the registry, so not reached and not counted.
    assert!(refs[1].stop());
    assert_eq!(ActorRegistry::broadcast_to::<A>(Msg::Note("one")), 3);
    assert_eq!(ActorRegistry::broadcast(Msg::Note("two")), 3);

    // Dead but still listed: the delivery fails, is skipped, and the others still get it.
    assert!(refs[2].stop());
    ActorRegistry::register(&refs[2]);
    assert_eq!(
        ActorRegistry::get_by_class::<A>().len(),
        3,
        "precondition: the dead one is listed"
    );
    assert!(!refs[2].is_alive());
    assert_eq!(ActorRegistry::broadcast_to::<A>(Msg::Note("three")), 2);
    assert_eq!(ActorRegistry::broadcast(Msg::Note("four")), 2);

    for live in [&refs[0], &refs[3]] {
        assert_eq!(received(live), ["one", "two", "three", "four"]);
    }
    ActorRegistry::unregister(&refs[2]);
    ActorRegistry::stop_all();
}
