//! b4_5 (by message type): `broadcast::<M>(m)` tells `m` to every actor, of any class, whose
//! message type is `M`, and to none whose message type differs.
//!
//! [Rust] The receiving types must be declared first with `declare_receiver` (stable Rust cannot
//! find out at `start` that an actor implements `Receive`; see `src/broadcast.rs`).
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_broadcast_sends_message_to_all_actors_if_no_target`).

use pykka::{Actor, ActorRef, ActorRegistry, Context, Receive};
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Note(&'static str),
    Received,
}

#[derive(Clone, Debug, PartialEq)]
enum Other {
    Number(u32),
    Received,
}

macro_rules! recorder {
    ($name:ident, $msg:ident, $item:ty, $note:ident) => {
        #[derive(Default)]
        struct $name {
            got: Vec<$item>,
        }
        impl Actor for $name {}
        impl Receive for $name {
            type Message = $msg;
            type Reply = Vec<$item>;
            fn on_receive(&mut self, m: $msg, _: &mut Context<Self>) -> Vec<$item> {
                match m {
                    $msg::$note(n) => {
                        self.got.push(n);
                        Vec::new()
                    }
                    $msg::Received => self.got.clone(),
                }
            }
        }
    };
}
recorder!(A, Msg, &'static str, Note);
recorder!(B, Msg, &'static str, Note);
recorder!(C, Other, u32, Number);

fn received<T: Receive<Message = Msg, Reply = Vec<&'static str>>>(
    r: &ActorRef<T>,
) -> Vec<&'static str> {
    r.ask(Msg::Received).get_timeout(HANG).unwrap()
}

fn numbers(r: &ActorRef<C>) -> Vec<u32> {
    r.ask(Other::Received).get_timeout(HANG).unwrap()
}

#[test]
fn b4_5_broadcast_sends_message_to_all_actors_of_that_message_type() {
    ActorRegistry::declare_receiver::<A>();
    ActorRegistry::declare_receiver::<B>();
    ActorRegistry::declare_receiver::<C>();
    let a_refs: Vec<_> = (0..3).map(|_| A::default().start()).collect();
    let b_refs: Vec<_> = (0..2).map(|_| B::default().start()).collect();
    let c_refs: Vec<_> = (0..2).map(|_| C::default().start()).collect();

    assert_eq!(
        ActorRegistry::broadcast(Msg::Note("hello")),
        5,
        "every A and every B (both take Msg), no C"
    );
    assert_eq!(
        ActorRegistry::broadcast(Other::Number(7)),
        2,
        "every C, no A or B"
    );
    assert_eq!(ActorRegistry::broadcast(42_u64), 0, "nobody takes a u64");

    for a in &a_refs {
        assert_eq!(received(a), ["hello"]);
    }
    for b in &b_refs {
        assert_eq!(received(b), ["hello"]);
    }
    for c in &c_refs {
        assert_eq!(numbers(c), [7], "a C gets the Other broadcast only");
    }

    ActorRegistry::stop_all();
}
