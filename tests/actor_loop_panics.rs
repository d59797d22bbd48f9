//! Section 1 of `pykka-behaviors.md`, the actor loop: panics in `on_start` (b1_5), `on_stop`
//! (b1_7), a handler (b1_8, b1_9), `on_failure` (b1_10), and never stopping other actors (b1_15).
//!
//! Synchronisation is by channels, barriers, futures and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. `Probe`, the actor most tests
//! use, is in `tests/common/actor_loop.rs`.

mod common;

use common::actor_loop::{expect_actor_dead, recv, runtime, Hooks, Msg, Probe, HANG};
use common::gate;
use pykka::{Actor, ActorRegistry, Context, Error, Failure, Receive};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// b1_5

#[test]
fn b1_5_panic_in_on_start_kills_the_actor_without_on_failure_or_on_stop() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let mut p = Probe::new(&hooks);
    p.panic_in_on_start = true;
    let (p, dropped) = p.with_drop_signal();
    let a = p.start_in(&rt);
    // Sent right away: it is either pending when on_start panics or sent after; dead either way.
    let early = a.ask(Msg::Echo(1));
    expect_actor_dead(early.get_timeout(HANG));
    recv(&dropped, "the actor's end");
    assert_eq!(hooks.on_start.load(Ordering::SeqCst), 1);
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 0, "on_failure ran");
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 0, "on_stop ran");
    assert_eq!(hooks.on_receive.load(Ordering::SeqCst), 0);
    assert!(!a.is_alive());
    assert!(
        rt.get_by_urn(a.actor_urn()).is_none(),
        "still registered after on_start panicked"
    );
    assert!(a.tell(Msg::Echo(2)).is_err());
    assert!(!a.stop());
}

// ---------------------------------------------------------------------------------------------
// b1_7

#[test]
fn b1_7_panic_in_on_stop_still_ends_dead_and_stop_returns_true() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let mut p = Probe::new(&hooks);
    p.panic_in_on_stop = true;
    let (p, dropped) = p.with_drop_signal();
    let a = p.start_in(&rt);
    assert_eq!(a.ask(Msg::Echo(7)).get_timeout(HANG).unwrap(), 7);
    assert!(
        a.stop(),
        "stop() must return true even though on_stop panicked"
    );
    recv(&dropped, "the actor's end");
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 1);
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 0);
    assert!(!a.is_alive());
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
    assert!(a.tell(Msg::Echo(1)).is_err());
    expect_actor_dead(a.ask(Msg::Echo(1)).get_timeout(HANG));
    assert!(!a.stop());
}

// ---------------------------------------------------------------------------------------------
// b1_8

#[test]
fn b1_8_panic_while_handling_an_ask_fails_the_future_and_the_actor_lives_on() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let a = Probe::new(&hooks).start_in(&rt);
    a.tell(Msg::Record("before".into())).unwrap();
    match a.ask(Msg::Panic("boom in ask")).get_timeout(HANG) {
        Err(Error::Panicked(f)) => {
            assert!(
                f.message().contains("boom in ask"),
                "message: {:?}",
                f.message()
            );
            assert_eq!(f.actor_class(), "Probe");
            assert_eq!(f.actor_urn(), a.actor_urn());
        }
        other => panic!("expected Error::Panicked, got {other:?}"),
    }
    assert!(a.is_alive());
    assert!(rt.get_by_urn(a.actor_urn()).is_some());
    // Still handles messages, with its state intact.
    a.tell(Msg::Record("after".into())).unwrap();
    assert_eq!(a.ask(Msg::Echo(42)).get_timeout(HANG).unwrap(), 42);
    assert_eq!(hooks.log(), ["on_start", "before", "after"]);
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 0, "on_failure ran");
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 0);
    assert!(a.stop());
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------------
// b1_9

#[derive(Debug)]
struct FailureView {
    message: String,
    class: String,
    urn: String,
    alive: bool,
    registered: bool,
    self_tell_failed: bool,
    ctx_stop: bool,
}

struct FailingOnTell {
    report: Sender<FailureView>,
    on_stop: Arc<AtomicUsize>,
}

impl Actor for FailingOnTell {
    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        self.on_stop.fetch_add(1, Ordering::SeqCst);
    }

    fn on_failure(&mut self, failure: &Failure, ctx: &mut Context<Self>) {
        let me = ctx.actor_ref();
        let view = FailureView {
            message: failure.message().to_owned(),
            class: failure.actor_class().to_owned(),
            urn: failure.actor_urn().to_owned(),
            alive: me.is_alive(),
            registered: ActorRegistry::get_by_urn(ctx.actor_urn()).is_some(),
            self_tell_failed: me.tell(false).is_err(),
            ctx_stop: ctx.stop(),
        };
        self.report.send(view).unwrap();
    }
}

impl Receive for FailingOnTell {
    type Message = bool; // true: panic
    type Reply = ();
    fn on_receive(&mut self, fail: bool, _ctx: &mut Context<Self>) {
        if fail {
            panic!("boom in tell");
        }
    }
}

#[test]
fn b1_9_panic_in_a_tell_kills_the_actor_first_then_on_failure_runs() {
    let (tx, rx) = mpsc::channel();
    let on_stop = Arc::new(AtomicUsize::new(0));
    // The global runtime, so that on_failure can look itself up in ActorRegistry.
    let a = FailingOnTell {
        report: tx,
        on_stop: Arc::clone(&on_stop),
    }
    .start();
    a.ask(false).get_timeout(HANG).unwrap();
    assert!(ActorRegistry::get_by_urn(a.actor_urn()).is_some());
    a.tell(true).unwrap();
    let view = recv(&rx, "on_failure's report");
    assert!(view.message.contains("boom in tell"), "{view:?}");
    assert_eq!(view.class, "FailingOnTell");
    assert_eq!(view.urn, a.actor_urn());
    assert!(!view.alive, "alive inside on_failure");
    assert!(!view.registered, "still registered inside on_failure");
    assert!(
        view.self_tell_failed,
        "telling itself succeeded inside on_failure"
    );
    assert!(
        !view.ctx_stop,
        "ctx.stop() inside on_failure said the actor was alive"
    );
    assert!(!a.is_alive());
    assert!(ActorRegistry::get_by_urn(a.actor_urn()).is_none());
    expect_actor_dead(a.ask(false).get_timeout(HANG));
    assert!(!a.stop());
    assert_eq!(
        on_stop.load(Ordering::SeqCst),
        0,
        "on_stop ran after a tell panic"
    );
}

#[test]
fn b1_9_on_failure_receives_the_panic_and_on_stop_does_not_run() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (p, dropped) = Probe::new(&hooks).with_drop_signal();
    let a = p.start_in(&rt);
    a.tell(Msg::Panic("tell went wrong")).unwrap();
    recv(&dropped, "the actor's end");
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 1);
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 0);
    assert_eq!(hooks.log(), ["on_start", "on_failure: tell went wrong"]);
    assert!(!a.is_alive());
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
}

// ---------------------------------------------------------------------------------------------
// b1_10

#[test]
fn b1_10_panic_in_on_failure_still_ends_dead() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let (ftx, frx) = mpsc::channel();
    let mut p = Probe::new(&hooks).with_gate(g);
    p.panic_in_on_failure = true;
    p.failure_entered = Some(ftx);
    let (p, dropped) = p.with_drop_signal();
    let a = p.start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    a.tell(Msg::Panic("first failure")).unwrap();
    let pending = a.ask(Msg::Echo(1));
    ctl.open();
    recv(&frx, "on_failure's start");
    recv(&dropped, "the actor's end");
    expect_actor_dead(pending.get_timeout(HANG));
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 1);
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 0);
    assert!(!a.is_alive());
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
    assert!(!a.stop());
    // The only worker survived the panic in on_failure: another actor still runs.
    let other = Probe::new(&Arc::new(Hooks::default())).start_in(&rt);
    assert_eq!(other.ask(Msg::Echo(5)).get_timeout(HANG).unwrap(), 5);
    assert!(other.stop());
}

// ---------------------------------------------------------------------------------------------
// b1_15

#[test]
fn b1_15_a_panic_never_stops_other_actors() {
    let rt = runtime(2);
    let bystander_hooks = Arc::new(Hooks::default());
    let bystanders: Vec<_> = (0..3)
        .map(|_| Probe::new(&bystander_hooks).start_in(&rt))
        .collect();

    // Every kind of panic, in other actors.
    let ask_panicker = Probe::new(&Arc::new(Hooks::default())).start_in(&rt);
    assert!(matches!(
        ask_panicker.ask(Msg::Panic("ask panic")).get_timeout(HANG),
        Err(Error::Panicked(_))
    ));
    let (tell_panicker, tell_dropped) = Probe::new(&Arc::new(Hooks::default())).with_drop_signal();
    let tell_panicker = tell_panicker.start_in(&rt);
    tell_panicker.tell(Msg::Panic("tell panic")).unwrap();
    recv(&tell_dropped, "the tell panicker's end");
    let mut p = Probe::new(&Arc::new(Hooks::default()));
    p.panic_in_on_start = true;
    let (p, start_dropped) = p.with_drop_signal();
    let start_panicker = p.start_in(&rt);
    recv(&start_dropped, "the on_start panicker's end");
    let mut p = Probe::new(&Arc::new(Hooks::default()));
    p.panic_in_on_stop = true;
    let stop_panicker = p.start_in(&rt);
    assert!(stop_panicker.stop());
    let mut p = Probe::new(&Arc::new(Hooks::default()));
    p.panic_in_on_failure = true;
    let (p, failure_dropped) = p.with_drop_signal();
    let failure_panicker = p.start_in(&rt);
    failure_panicker.tell(Msg::Panic("tell panic")).unwrap();
    recv(&failure_dropped, "the on_failure panicker's end");

    assert!(ask_panicker.is_alive());
    assert!(!tell_panicker.is_alive());
    assert!(!start_panicker.is_alive());
    assert!(!failure_panicker.is_alive());
    for (i, b) in bystanders.iter().enumerate() {
        assert!(
            b.is_alive(),
            "bystander {i} was stopped by another actor's panic"
        );
        assert!(rt.get_by_urn(b.actor_urn()).is_some());
        assert_eq!(
            b.ask(Msg::Echo(i as u64)).get_timeout(HANG).unwrap(),
            i as u64
        );
    }
    assert_eq!(bystander_hooks.on_stop.load(Ordering::SeqCst), 0);
    assert_eq!(bystander_hooks.on_failure.load(Ordering::SeqCst), 0);
    for b in &bystanders {
        assert!(b.stop());
    }
    assert!(ask_panicker.stop());
}
