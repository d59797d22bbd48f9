//! Section 4 of the behaviour spec (b4_1 .. b4_6) on private runtimes: each [`Runtime`] has its
//! own registry, so these tests share one process without seeing each other's actors.
//!
//! Synchronisation is by channels and mailbox FIFO order (an `ask` after a `tell` is a fence);
//! every timeout is a hang guard.

use pykka::{Actor, ActorRef, AnyActorRef, Context, Receive, Runtime};
use std::collections::BTreeSet;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

fn runtime() -> Arc<Runtime> {
    Arc::new(Runtime::builder().threads(2).build().unwrap())
}

/// Runs `f` on another thread and returns its result, or fails the test if it hangs.
fn within<T: Send + 'static>(
    rt: &Arc<Runtime>,
    what: &str,
    f: impl FnOnce(&Runtime) -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let rt = Arc::clone(rt);
    thread::spawn(move || tx.send(f(&rt)).unwrap());
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("hang guard: {what} did not return"))
}

fn urns(refs: &[AnyActorRef]) -> Vec<String> {
    refs.iter().map(|r| r.actor_urn().to_owned()).collect()
}

fn listed(rt: &Runtime, urn: &str) -> bool {
    rt.registered().iter().any(|r| r.actor_urn() == urn)
}

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Note(&'static str),
    /// Replies with every note received so far.
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

/// What the actor has received: the ask queues behind any earlier tell.
fn received<T: Receive<Message = Msg, Reply = Vec<&'static str>>>(
    r: &ActorRef<T>,
) -> Vec<&'static str> {
    r.ask(Msg::Received).get_timeout(HANG).unwrap()
}

fn numbers(r: &ActorRef<C>) -> Vec<u32> {
    r.ask(Other::Received).get_timeout(HANG).unwrap()
}

// b4_1 -----------------------------------------------------------------------------------------

#[test]
fn b4_1_runtime_actor_is_registered_when_started() {
    let rt = runtime();
    let a = A::default().start_in(&rt);
    assert!(listed(&rt, a.actor_urn()));
    assert_eq!(
        rt.get_by_urn(a.actor_urn()).and_then(|r| r.downcast::<A>()),
        Some(a.clone())
    );
    assert!(a.stop());
}

#[test]
fn b4_1_runtime_actor_is_unregistered_when_stopped() {
    let rt = runtime();
    let a = A::default().start_in(&rt);
    let urn = a.actor_urn().to_owned();
    assert!(a.stop());
    assert!(!listed(&rt, &urn));
    assert!(rt.get_by_urn(&urn).is_none());
    assert!(rt.get_by_class::<A>().is_empty());
}

// b4_2 -----------------------------------------------------------------------------------------

#[test]
fn b4_2_runtime_actor_may_be_unregistered_and_registered_manually() {
    let rt = runtime();
    let a = A::default().start_in(&rt);
    let urn = a.actor_urn().to_owned();

    rt.unregister(&a);
    assert!(!listed(&rt, &urn));
    assert!(rt.get_by_urn(&urn).is_none());
    assert!(a.is_alive(), "unregistering does not stop the actor");

    rt.register(&a);
    assert!(listed(&rt, &urn));
    assert_eq!(rt.get_by_class::<A>(), vec![a.clone()]);
    assert!(a.stop());
    assert!(!listed(&rt, &urn));
}

#[test]
fn b4_2_runtime_actor_may_be_unregistered_multiple_times_without_error() {
    let rt = runtime();
    let a = A::default().start_in(&rt);
    rt.unregister(&a);
    rt.unregister(&a);
    assert!(rt.registered().is_empty());
    assert!(a.stop());
    rt.unregister(&a);
    assert!(rt.registered().is_empty());
}

// b4_3 -----------------------------------------------------------------------------------------

#[test]
fn b4_3_runtime_all_actors_can_be_stopped_through_registry() {
    let rt = runtime();
    let a_refs: Vec<_> = (0..3).map(|_| A::default().start_in(&rt)).collect();
    let b_refs: Vec<_> = (0..5).map(|_| B::default().start_in(&rt)).collect();
    assert_eq!(rt.registered().len(), 8);

    let stopped = within(&rt, "stop_all", Runtime::stop_all);

    assert_eq!(stopped, vec![true; 8]);
    assert!(rt.registered().is_empty(), "0 actors left");
    assert!(a_refs.iter().all(|a| !a.is_alive()));
    assert!(b_refs.iter().all(|b| !b.is_alive()));
}

/// Reports, from `on_stop`, its start index and which actors had already finished stopping.
struct Numbered {
    index: usize,
    finished: Arc<Mutex<BTreeSet<usize>>>,
    report: Sender<(usize, BTreeSet<usize>)>,
}

impl Actor for Numbered {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        let done_before = self.finished.lock().unwrap().clone();
        self.report.send((self.index, done_before)).unwrap();
        self.finished.lock().unwrap().insert(self.index);
    }
}

/// Starts `n` numbered actors on `rt`; the receiver gets one report per `on_stop`.
fn start_numbered(rt: &Runtime, n: usize) -> mpsc::Receiver<(usize, BTreeSet<usize>)> {
    let finished = Arc::new(Mutex::new(BTreeSet::new()));
    let (tx, rx) = mpsc::channel();
    for index in 0..n {
        Numbered {
            index,
            finished: Arc::clone(&finished),
            report: tx.clone(),
        }
        .start_in(rt);
    }
    rx
}

/// Every on_stop ran before the call returned, last started first, each after the later ones
/// had finished.
fn assert_strict_reverse(rx: &mpsc::Receiver<(usize, BTreeSet<usize>)>, n: usize) {
    let reports: Vec<_> = rx.try_iter().collect();
    let order: Vec<usize> = reports.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        order,
        (0..n).rev().collect::<Vec<_>>(),
        "last started, first stopped"
    );
    for (i, done_before) in &reports {
        let expected: BTreeSet<usize> = (i + 1..n).collect();
        assert_eq!(
            done_before, &expected,
            "actor {i} stopped before a later one had finished"
        );
    }
}

#[test]
fn b4_3_runtime_stop_all_stops_last_started_actor_first_if_blocking() {
    let rt = runtime();
    let rx = start_numbered(&rt, 6);
    assert_eq!(within(&rt, "stop_all", Runtime::stop_all), vec![true; 6]);
    assert_strict_reverse(&rx, 6);
}

#[test]
fn b4_3_runtime_shutdown_stops_last_started_actor_first() {
    let rt = runtime();
    let rx = start_numbered(&rt, 6);
    within(&rt, "shutdown", Runtime::shutdown).unwrap();
    assert_strict_reverse(&rx, 6);
}

#[test]
fn b4_3_runtime_request_stop_all_stops_every_actor() {
    let rt = runtime();
    let refs: Vec<_> = (0..8).map(|_| A::default().start_in(&rt)).collect();
    let futures = rt.request_stop_all();
    assert_eq!(futures.len(), 8);
    assert_eq!(
        pykka::get_all_timeout(futures, HANG).unwrap(),
        vec![true; 8]
    );
    assert!(rt.registered().is_empty());
    assert!(refs.iter().all(|r| !r.is_alive()));
}

// b4_4 -----------------------------------------------------------------------------------------

#[test]
fn b4_4_runtime_actors_may_be_looked_up_by_class() {
    let rt = runtime();
    let a_refs: Vec<_> = (0..3).map(|_| A::default().start_in(&rt)).collect();
    let b_refs: Vec<_> = (0..5).map(|_| B::default().start_in(&rt)).collect();
    assert_eq!(rt.get_by_class::<A>(), a_refs);
    assert_eq!(rt.get_by_class::<B>(), b_refs);
    assert!(rt.get_by_class::<C>().is_empty());
}

#[test]
fn b4_4_runtime_actors_may_be_looked_up_by_class_name() {
    let rt = runtime();
    let a_refs: Vec<_> = (0..3).map(|_| A::default().start_in(&rt)).collect();
    let _b_refs: Vec<_> = (0..5).map(|_| B::default().start_in(&rt)).collect();
    let expected: Vec<AnyActorRef> = a_refs.into_iter().map(AnyActorRef::from).collect();
    assert_eq!(rt.get_by_class_name("A"), expected);
    assert_eq!(rt.get_by_class_name("B").len(), 5);
    assert!(rt.get_by_class_name("C").is_empty());
}

#[test]
fn b4_4_runtime_actors_may_be_looked_up_by_urn_or_none_if_not_found() {
    let rt = runtime();
    let a = A::default().start_in(&rt);
    let found = rt.get_by_urn(a.actor_urn()).expect("found");
    assert_eq!(found, AnyActorRef::from(a.clone()));
    assert_eq!(found.downcast::<A>(), Some(a.clone()));
    assert!(
        found.downcast::<B>().is_none(),
        "wrong type: None at lookup"
    );
    assert!(rt
        .get_by_urn("urn:uuid:00000000-0000-4000-8000-000000000000")
        .is_none());
    assert!(rt.get_by_urn("nonsense").is_none());
}

// b4_5 -----------------------------------------------------------------------------------------

#[test]
fn b4_5_runtime_broadcast_to_class_reaches_that_class_only() {
    let rt = runtime();
    let a_refs: Vec<_> = (0..3).map(|_| A::default().start_in(&rt)).collect();
    let b_refs: Vec<_> = (0..2).map(|_| B::default().start_in(&rt)).collect();
    assert_eq!(rt.broadcast_to::<A>(Msg::Note("hello")), 3);
    for a in &a_refs {
        assert_eq!(received(a), ["hello"]);
    }
    for b in &b_refs {
        assert!(received(b).is_empty());
    }
}

#[test]
fn b4_5_runtime_broadcast_by_message_type_reaches_declared_receivers_of_that_type() {
    let rt = runtime();
    rt.declare_receiver::<A>();
    rt.declare_receiver::<B>();
    rt.declare_receiver::<C>();
    let a_refs: Vec<_> = (0..3).map(|_| A::default().start_in(&rt)).collect();
    let b_refs: Vec<_> = (0..2).map(|_| B::default().start_in(&rt)).collect();
    let c_refs: Vec<_> = (0..2).map(|_| C::default().start_in(&rt)).collect();

    assert_eq!(rt.broadcast(Msg::Note("hello")), 5);
    assert_eq!(rt.broadcast(Other::Number(7)), 2);
    assert_eq!(rt.broadcast(42_u64), 0);
    for a in &a_refs {
        assert_eq!(received(a), ["hello"]);
    }
    for b in &b_refs {
        assert_eq!(received(b), ["hello"]);
    }
    for c in &c_refs {
        assert_eq!(numbers(c), [7]);
    }
}

#[test]
fn b4_5_runtime_broadcast_skips_dead_actors() {
    let rt = runtime();
    rt.declare_receiver::<A>();
    let refs: Vec<_> = (0..4).map(|_| A::default().start_in(&rt)).collect();

    assert!(refs[1].stop());
    assert_eq!(rt.broadcast_to::<A>(Msg::Note("one")), 3);
    assert_eq!(rt.broadcast(Msg::Note("two")), 3);

    // Dead but still listed.
    assert!(refs[2].stop());
    rt.register(&refs[2]);
    assert_eq!(rt.get_by_class::<A>().len(), 3);
    assert_eq!(rt.broadcast_to::<A>(Msg::Note("three")), 2);
    assert_eq!(rt.broadcast(Msg::Note("four")), 2);
    for live in [&refs[0], &refs[3]] {
        assert_eq!(received(live), ["one", "two", "three", "four"]);
    }
}

// b4_6 -----------------------------------------------------------------------------------------

#[test]
fn b4_6_runtime_registered_lists_actors_in_start_order() {
    let rt = runtime();
    let started: Vec<AnyActorRef> = (0..20)
        .map(|i| {
            if i % 3 == 0 {
                B::default().start_in(&rt).into()
            } else {
                A::default().start_in(&rt).into()
            }
        })
        .collect();
    assert_eq!(urns(&rt.registered()), urns(&started));
}

#[test]
fn b4_6_runtime_registering_again_moves_an_actor_to_the_end() {
    let rt = runtime();
    let first = A::default().start_in(&rt);
    let second = A::default().start_in(&rt);
    rt.unregister(&first);
    rt.register(&first);
    assert_eq!(rt.get_by_class::<A>(), vec![second, first]);
}

/// The registry keeps an actor in a slot its id names, and reuses freed slots (the `registry` module docs):
/// a URN of a stopped actor whose slot now holds another actor must not find the new one.
struct Slotted;
impl Actor for Slotted {}

#[test]
fn b4_4_runtime_get_by_urn_of_a_stopped_actor_is_none_after_its_slot_is_reused() {
    let rt = runtime();
    let old: Vec<ActorRef<Slotted>> = (0..300).map(|_| Slotted.start_in(&rt)).collect();
    let old_urns: Vec<String> = old.iter().map(|a| a.actor_urn().to_owned()).collect();
    for a in &old {
        assert!(a.stop());
    }
    // Enough new actors to take every freed slot again.
    let new: Vec<ActorRef<Slotted>> = (0..600).map(|_| Slotted.start_in(&rt)).collect();
    for urn in &old_urns {
        assert!(rt.get_by_urn(urn).is_none(), "a stale URN found an actor");
    }
    for a in &new {
        let found = rt.get_by_urn(a.actor_urn()).expect("a live actor is found");
        assert_eq!(found.actor_urn(), a.actor_urn());
    }
    assert_eq!(rt.registered().len(), 600);
    rt.stop_all();
}

#[test]
fn b4_2_runtime_actor_started_unregistered_can_be_registered_found_and_unregistered() {
    // Its id names no slot (it was started without registration): it is kept by hash.
    let rt = Runtime::builder()
        .threads(1)
        .register_actors(false)
        .build()
        .unwrap();
    let a = Slotted.start_in(&rt);
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
    rt.register(&a);
    assert_eq!(
        rt.get_by_urn(a.actor_urn())
            .map(|r| r.actor_urn().to_owned()),
        Some(a.actor_urn().to_owned())
    );
    assert!(listed(&rt, a.actor_urn()));
    rt.unregister(&a);
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
    assert!(!listed(&rt, a.actor_urn()));
    a.stop();
}

#[test]
fn b4_2_runtime_actor_registered_again_after_its_slot_was_reused_is_found() {
    let rt = runtime();
    let a = Slotted.start_in(&rt);
    rt.unregister(&a);
    // Its slot is free now; starting many actors takes it again.
    let others: Vec<ActorRef<Slotted>> = (0..300).map(|_| Slotted.start_in(&rt)).collect();
    rt.register(&a);
    assert_eq!(
        rt.get_by_urn(a.actor_urn())
            .map(|r| r.actor_urn().to_owned()),
        Some(a.actor_urn().to_owned())
    );
    for o in &others {
        assert!(rt.get_by_urn(o.actor_urn()).is_some());
    }
    assert_eq!(rt.registered().len(), 301);
    assert!(a.stop(), "stopping unregisters it from wherever it is kept");
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
    rt.stop_all();
}

/// `register` / `unregister` take the `AnyActorRef` that `get_all()` / `registered()` hand
/// out, as well as a typed reference.
#[test]
fn register_and_unregister_take_untyped_references() {
    struct Plain;
    impl pykka::Actor for Plain {}
    let rt = pykka::Runtime::builder().threads(1).build().unwrap();
    let typed = Plain.start_in(&rt);
    let any = rt.registered().pop().unwrap();
    rt.unregister(&any);
    assert!(rt.registered().is_empty());
    rt.register(&any);
    assert_eq!(rt.registered(), std::slice::from_ref(&any));
    rt.unregister(&typed);
    assert!(rt.get_by_urn(typed.actor_urn()).is_none());
    rt.register(&typed);
    assert_eq!(rt.get_by_urn(typed.actor_urn()), Some(any));
    rt.shutdown().unwrap();
}

/// `ctx.runtime()` is the actor's own runtime, and dropping that handle inside a handler does
/// not shut it down.
#[test]
fn the_runtime_seen_from_inside_an_actor_is_its_own_and_a_handle() {
    struct Spawner;
    impl pykka::Actor for Spawner {}
    impl pykka::Receive for Spawner {
        type Message = ();
        type Reply = usize;
        fn on_receive(&mut self, _: (), ctx: &mut pykka::Context<Self>) -> usize {
            let rt = ctx.runtime();
            let n = rt.registered().len();
            drop(rt);
            n
        }
    }
    let rt = pykka::Runtime::builder().threads(1).build().unwrap();
    let s = Spawner.start_in(&rt);
    for _ in 0..3 {
        assert_eq!(
            s.ask(())
                .get_timeout(std::time::Duration::from_secs(30))
                .unwrap(),
            1
        );
    }
    assert!(s.is_alive());
    rt.shutdown().unwrap();
}
