//! b4_5 (to a class): `broadcast_to::<A>(m)` tells `m` to every A actor and to no other, even
//! one that accepts the same message type.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_broadcast_sends_message_to_all_actors_of_given_class`).

use pykka::{Actor, ActorRef, ActorRegistry, Context, Receive};
use std::collections::HashSet;
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Note(&'static str),
    /// Replies with every note received so far.
    Received,
}

macro_rules! recorder {
    ($name:ident) => {
        #[derive(Default)]
        struct $name {
            got: Vec<&'static str>,
        }
        impl Actor for $name {}
        impl Receive for $name {
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
    };
}
recorder!(A);
recorder!(B);

/// What the actor has received: the ask queues behind the broadcast's tell (mailbox FIFO).
fn received<T: Receive<Message = Msg, Reply = Vec<&'static str>>>(
    r: &ActorRef<T>,
) -> Vec<&'static str> {
    r.ask(Msg::Received).get_timeout(HANG).unwrap()
}

#[test]
// `ActorRef` hashes by its URN, which never changes: the interior mutability clippy sees is the
// actor's, not the key's.
#[allow(clippy::mutable_key_type)]
fn b4_5_broadcast_sends_message_to_all_actors_of_given_class() {
    let a_refs: Vec<_> = (0..3).map(|_| A::default().start()).collect();
    let b_refs: Vec<_> = (0..2).map(|_| B::default().start()).collect();

    let reached = ActorRegistry::broadcast_to::<A>(Msg::Note("hello"));

    assert_eq!(reached, 3, "counts the A actors only");
    for a in &a_refs {
        assert_eq!(received(a), ["hello"], "every A receives it once");
    }
    for b in &b_refs {
        assert!(received(b).is_empty(), "no B receives it");
    }
    // The refs work as set members (Pykka's test puts them in sets).
    let set: HashSet<_> = ActorRegistry::get_by_class::<A>().into_iter().collect();
    assert_eq!(set, a_refs.iter().cloned().collect());

    ActorRegistry::stop_all();
}
