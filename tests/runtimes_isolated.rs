//! Two private runtimes are isolated: each has its own registry, so one runtime's lookups,
//! broadcasts, `stop_all` and `shutdown` never see or touch the other's actors.
//!
//! Synchronisation is by mailbox FIFO order (an `ask` after a `tell` is a fence); every timeout
//! is a hang guard.

use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

fn runtime() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

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

/// Two runtimes with two `A`s each.
fn two_runtimes() -> (Runtime, Vec<ActorRef<A>>, Runtime, Vec<ActorRef<A>>) {
    let (rt1, rt2) = (runtime(), runtime());
    let ones: Vec<_> = (0..2).map(|_| A::default().start_in(&rt1)).collect();
    let twos: Vec<_> = (0..2).map(|_| A::default().start_in(&rt2)).collect();
    (rt1, ones, rt2, twos)
}

#[test]
fn runtimes_isolated_registered_lists_only_own_actors() {
    let (rt1, ones, rt2, twos) = two_runtimes();
    let urns = |refs: &[ActorRef<A>]| {
        refs.iter()
            .map(|r| r.actor_urn().to_owned())
            .collect::<Vec<_>>()
    };
    let listed = |rt: &Runtime| {
        rt.registered()
            .iter()
            .map(|r| r.actor_urn().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&rt1), urns(&ones));
    assert_eq!(listed(&rt2), urns(&twos));
}

#[test]
fn runtimes_isolated_get_by_urn_does_not_find_the_other_runtimes_actor() {
    let (rt1, ones, rt2, twos) = two_runtimes();
    assert!(rt1.get_by_urn(twos[0].actor_urn()).is_none());
    assert!(rt2.get_by_urn(ones[0].actor_urn()).is_none());
    assert!(rt1.get_by_urn(ones[0].actor_urn()).is_some());
    assert!(rt2.get_by_urn(twos[0].actor_urn()).is_some());
}

#[test]
fn runtimes_isolated_get_by_class_returns_only_own_actors() {
    let (rt1, ones, rt2, twos) = two_runtimes();
    assert_eq!(rt1.get_by_class::<A>(), ones);
    assert_eq!(rt2.get_by_class::<A>(), twos);
    assert_eq!(rt1.get_by_class_name("A").len(), 2);
}

#[test]
fn runtimes_isolated_broadcast_reaches_only_own_actors() {
    let (rt1, ones, _rt2, twos) = two_runtimes();
    rt1.declare_receiver::<A>();

    assert_eq!(rt1.broadcast_to::<A>(Msg::Note("to-class")), 2);
    assert_eq!(rt1.broadcast(Msg::Note("by-type")), 2);

    for one in &ones {
        assert_eq!(received(one), ["to-class", "by-type"]);
    }
    for two in &twos {
        assert!(
            received(two).is_empty(),
            "the other runtime's actor got nothing"
        );
    }
}

#[test]
fn runtimes_isolated_stop_all_leaves_the_other_runtimes_actors_alive() {
    let (rt1, ones, rt2, twos) = two_runtimes();
    assert_eq!(rt1.stop_all(), vec![true; 2]);
    assert!(ones.iter().all(|r| !r.is_alive()));
    assert!(rt1.registered().is_empty());

    assert!(twos.iter().all(|r| r.is_alive()));
    assert_eq!(rt2.registered().len(), 2);
    // Still working, not merely flagged alive.
    twos[0].tell(Msg::Note("after")).unwrap();
    assert_eq!(received(&twos[0]), ["after"]);

    let futures = rt1.request_stop_all();
    assert!(futures.is_empty(), "nothing left on rt1 to stop");
    assert!(twos.iter().all(|r| r.is_alive()));
}

#[test]
fn runtimes_isolated_shutdown_leaves_the_other_runtimes_actors_alive() {
    let (rt1, ones, rt2, twos) = two_runtimes();
    rt1.shutdown().unwrap();
    assert!(ones.iter().all(|r| !r.is_alive()));

    assert!(twos.iter().all(|r| r.is_alive()));
    assert_eq!(rt2.get_by_class::<A>(), twos);
    for two in &twos {
        two.tell(Msg::Note("still here")).unwrap();
        assert_eq!(received(two), ["still here"]);
    }
    // A new actor on the live runtime runs; one on the shut-down runtime is dead from the start.
    let late = A::default().start_in(&rt2);
    assert!(received(&late).is_empty());
    assert!(!A::default().start_in(&rt1).is_alive());
}
