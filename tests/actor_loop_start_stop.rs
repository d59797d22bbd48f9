//! Section 1 of `pykka-behaviors.md`, the actor loop: `on_start` (b1_2 .. b1_4), stopping (b1_6,
//! b1_12, b1_13), the mailbox answered at the end (b1_11), and shutdown order (b1_15).
//!
//! Synchronisation is by channels, barriers, futures and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. `Probe`, the actor most tests
//! use, is in `tests/common/actor_loop.rs`.

mod common;

use common::actor_loop::{expect_actor_dead, recv, runtime, DropGuard, Hooks, Msg, Probe, HANG};
use common::{gate, Gate};
use pykka::{Actor, ActorRef, ActorRegistry, Context, Receive, Runtime};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread;

// ---------------------------------------------------------------------------------------------
// b1_2

#[test]
fn b1_2_on_start_finds_itself_in_the_registry_by_its_urn() {
    struct SelfFinder {
        report: Sender<(Option<String>, bool)>,
    }
    impl Actor for SelfFinder {
        fn on_start(&mut self, ctx: &mut Context<Self>) {
            let found = ActorRegistry::get_by_urn(ctx.actor_urn());
            let same = found
                .as_ref()
                .and_then(|r| r.downcast::<Self>())
                .is_some_and(|r| r == ctx.actor_ref());
            self.report
                .send((found.map(|r| r.actor_urn().to_owned()), same))
                .unwrap();
        }
    }
    let (tx, rx) = mpsc::channel();
    // The global registry: check only this actor.
    let a = SelfFinder { report: tx }.start();
    let (found_urn, same) = recv(&rx, "on_start's report");
    assert_eq!(found_urn.as_deref(), Some(a.actor_urn()));
    assert!(same, "the registry entry is not this actor");
    assert!(a.stop());
    assert!(ActorRegistry::get_by_urn(a.actor_urn()).is_none());
}

#[test]
fn b1_2_actor_is_registered_while_on_start_is_still_running() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let mut p = Probe::new(&hooks);
    p.start_gate = Some(g);
    let a = p.start_in(&rt);
    ctl.wait_entered();
    // on_start is blocked on the gate: it has not returned.
    let found = rt
        .get_by_urn(a.actor_urn())
        .expect("not registered during on_start");
    assert_eq!(found.actor_urn(), a.actor_urn());
    assert!(rt
        .registered()
        .iter()
        .any(|r| r.actor_urn() == a.actor_urn()));
    assert_eq!(hooks.on_start.load(Ordering::SeqCst), 0);
    ctl.open();
    assert!(a.stop());
}

// ---------------------------------------------------------------------------------------------
// b1_3

#[test]
fn b1_3_on_start_runs_in_the_actor_before_the_first_message() {
    struct Starter {
        hooks: Arc<Hooks>,
        gate: Gate,
        report: Sender<(String, String, bool)>,
    }
    impl Actor for Starter {
        fn on_start(&mut self, ctx: &mut Context<Self>) {
            self.gate.pass();
            let thread_name = thread::current().name().unwrap_or("").to_owned();
            let same_ref = ctx.actor_ref().actor_urn() == ctx.actor_urn();
            self.report
                .send((thread_name, ctx.actor_urn().to_owned(), same_ref))
                .unwrap();
            self.hooks.push("on_start");
        }
    }
    impl Receive for Starter {
        type Message = u32;
        type Reply = ();
        fn on_receive(&mut self, n: u32, _ctx: &mut Context<Self>) {
            self.hooks.push(format!("msg {n}"));
        }
    }
    let rt = Runtime::builder()
        .threads(2)
        .thread_name("b1-3-pool")
        .build()
        .unwrap();
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let (tx, rx) = mpsc::channel();
    let a = Starter {
        hooks: Arc::clone(&hooks),
        gate: g,
        report: tx,
    }
    .start_in(&rt);
    ctl.wait_entered();
    // on_start is running and blocked: these messages are already queued when it returns.
    a.tell(1).unwrap();
    a.tell(2).unwrap();
    let fence = a.ask(3);
    ctl.open();
    fence.get_timeout(HANG).unwrap();
    assert_eq!(hooks.log(), ["on_start", "msg 1", "msg 2", "msg 3"]);
    let (thread_name, urn, same_ref) = recv(&rx, "on_start's report");
    assert!(
        thread_name.starts_with("b1-3-pool"),
        "on_start ran on {thread_name:?}, not on the runtime's threads"
    );
    assert_eq!(urn, a.actor_urn());
    assert!(same_ref);
    assert!(a.stop());
}

// ---------------------------------------------------------------------------------------------
// b1_4

#[test]
fn b1_4_on_start_may_stop_the_actor() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let mut p = Probe::new(&hooks);
    p.stop_in_on_start = true;
    let (p, dropped) = p.with_drop_signal();
    let a = p.start_in(&rt);
    recv(&dropped, "the actor's end");
    assert_eq!(hooks.on_start.load(Ordering::SeqCst), 1);
    assert_eq!(
        hooks.on_stop.load(Ordering::SeqCst),
        1,
        "on_stop did not run"
    );
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 0);
    assert_eq!(hooks.log(), ["on_start", "on_stop"]);
    assert!(!a.is_alive());
    assert!(rt.get_by_urn(a.actor_urn()).is_none());
    assert!(!a.stop());
    expect_actor_dead(a.ask(Msg::Echo(1)).get_timeout(HANG));
}

// ---------------------------------------------------------------------------------------------
// b1_6

#[test]
fn b1_6_stop_is_queued_behind_earlier_messages() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let a = Probe::new(&hooks).with_gate(g).start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    for i in 1..=5 {
        a.tell(Msg::Record(format!("m{i}"))).unwrap();
    }
    let last_ask = a.ask(Msg::Echo(6));
    let stopped = a.request_stop();
    ctl.open();
    assert!(stopped.get_timeout(HANG).unwrap());
    assert_eq!(
        last_ask.get_timeout(HANG).unwrap(),
        6,
        "an earlier ask was not handled"
    );
    assert_eq!(
        hooks.log(),
        ["on_start", "m1", "m2", "m3", "m4", "m5", "on_stop"]
    );
}

#[test]
fn b1_6_blocking_stop_handles_everything_sent_before_it() {
    let rt = runtime(4);
    let hooks = Arc::new(Hooks::default());
    let a = Probe::new(&hooks).start_in(&rt);
    for i in 0..200 {
        a.tell(Msg::Record(i.to_string())).unwrap();
    }
    assert!(a.stop());
    let log = hooks.log();
    // on_stop has run by the time stop() returns, after all 200 messages.
    assert_eq!(log.len(), 202);
    assert_eq!(log.first().map(String::as_str), Some("on_start"));
    assert_eq!(log.last().map(String::as_str), Some("on_stop"));
    let nums: Vec<String> = (0..200).map(|i: i32| i.to_string()).collect();
    assert_eq!(&log[1..201], &nums[..]);
}

#[test]
fn b1_6_blocking_stop_returns_only_after_on_stop_returned() {
    let rt = runtime(2);
    let (ctl, g) = gate();
    let on_stop_done = Arc::new(AtomicBool::new(false));
    struct Slow {
        gate: Gate,
        done: Arc<AtomicBool>,
    }
    impl Actor for Slow {
        fn on_stop(&mut self, _ctx: &mut Context<Self>) {
            self.gate.pass();
            self.done.store(true, Ordering::SeqCst);
        }
    }
    let a = Slow {
        gate: g,
        done: Arc::clone(&on_stop_done),
    }
    .start_in(&rt);
    let (tx, rx) = mpsc::channel();
    let stopper = {
        let a = a.clone();
        let done = Arc::clone(&on_stop_done);
        thread::spawn(move || {
            let r = a.stop();
            tx.send((r, done.load(Ordering::SeqCst))).unwrap();
        })
    };
    ctl.wait_entered();
    // on_stop is blocked on the gate: the blocking stop() must still be waiting.
    assert!(
        matches!(rx.try_recv(), Err(TryRecvError::Empty)),
        "stop() returned while on_stop was still running"
    );
    ctl.open();
    let (returned, done_at_return) = recv(&rx, "stop()'s result");
    assert!(returned);
    assert!(done_at_return, "stop() returned before on_stop returned");
    stopper.join().unwrap();
    assert!(!a.is_alive());
}

#[test]
fn b1_6_stop_future_resolves_only_after_on_stop_returned() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let mut p = Probe::new(&hooks);
    p.stop_gate = Some(g);
    let a = p.start_in(&rt);
    let stopped = a.request_stop();
    ctl.wait_entered();
    assert!(
        !stopped.is_ready(),
        "the stop future resolved while on_stop was still running"
    );
    ctl.open();
    assert!(stopped.get_timeout(HANG).unwrap());
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------------
// b1_11

fn stopped_before_handling(class: &str, urn: &str) -> String {
    format!("{class} ({urn}) stopped before handling the message")
}

#[test]
fn b1_11_everything_left_in_the_mailbox_is_answered_when_the_actor_stops() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let (dtx, drx) = mpsc::channel();
    let a = Probe::new(&hooks).with_gate(g).start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    let first_stop = a.request_stop();
    let ask1 = a.ask(Msg::Echo(1));
    a.tell(Msg::Record("dropped".into())).unwrap();
    a.tell(Msg::Tracked(DropGuard(dtx, "tracked tell")))
        .unwrap();
    let second_stop = a.request_stop();
    let ask2 = a.ask(Msg::Echo(2));
    ctl.open();
    assert!(first_stop.get_timeout(HANG).unwrap());
    assert!(
        second_stop.get_timeout(HANG).unwrap(),
        "a pending stop must resolve true"
    );
    let expected = stopped_before_handling("Probe", a.actor_urn());
    assert_eq!(expect_actor_dead(ask1.get_timeout(HANG)), expected);
    assert_eq!(expect_actor_dead(ask2.get_timeout(HANG)), expected);
    // The pending tell was dropped, not handled, not leaked.
    assert_eq!(recv(&drx, "the dropped tell"), "tracked tell");
    assert_eq!(hooks.log(), ["on_start", "on_stop"]);
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 1);
}

#[test]
fn b1_11_everything_left_in_the_mailbox_is_answered_when_the_actor_fails() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let (dtx, drx) = mpsc::channel();
    let a = Probe::new(&hooks).with_gate(g).start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    a.tell(Msg::Panic("fail with a full mailbox")).unwrap();
    let ask = a.ask(Msg::Echo(1));
    let stop = a.request_stop();
    a.tell(Msg::Tracked(DropGuard(dtx, "tracked tell")))
        .unwrap();
    ctl.open();
    assert_eq!(
        expect_actor_dead(ask.get_timeout(HANG)),
        stopped_before_handling("Probe", a.actor_urn())
    );
    assert!(stop.get_timeout(HANG).unwrap());
    assert_eq!(recv(&drx, "the dropped tell"), "tracked tell");
    assert_eq!(hooks.on_stop.load(Ordering::SeqCst), 0);
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 1);
}

#[test]
fn b1_11_everything_left_in_the_mailbox_is_answered_when_on_start_panics() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let (dtx, drx) = mpsc::channel();
    let mut p = Probe::new(&hooks);
    p.start_gate = Some(g);
    p.panic_in_on_start = true;
    let a = p.start_in(&rt);
    ctl.wait_entered();
    let ask = a.ask(Msg::Echo(1));
    let stop = a.request_stop();
    a.tell(Msg::Tracked(DropGuard(dtx, "tracked tell")))
        .unwrap();
    ctl.open();
    assert_eq!(
        expect_actor_dead(ask.get_timeout(HANG)),
        stopped_before_handling("Probe", a.actor_urn())
    );
    assert!(stop.get_timeout(HANG).unwrap());
    assert_eq!(recv(&drx, "the dropped tell"), "tracked tell");
    assert_eq!(hooks.on_receive.load(Ordering::SeqCst), 0);
}

// ---------------------------------------------------------------------------------------------
// b1_12

#[test]
fn b1_12_several_ctx_stop_calls_in_one_handler_and_the_ask_still_gets_its_reply() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (p, dropped) = Probe::new(&hooks).with_drop_signal();
    let a = p.start_in(&rt);
    let accepted = a.ask(Msg::StopThrice).get_timeout(HANG);
    assert_eq!(
        accepted.unwrap(),
        3,
        "each ctx.stop() on a live actor queues a stop"
    );
    recv(&dropped, "the actor's end");
    assert_eq!(
        hooks.on_stop.load(Ordering::SeqCst),
        1,
        "on_stop ran more than once"
    );
    assert_eq!(hooks.on_failure.load(Ordering::SeqCst), 0);
    assert!(!a.is_alive());
    assert!(!a.stop());
}

// ---------------------------------------------------------------------------------------------
// b1_13

#[test]
fn b1_13_a_self_tell_before_ctx_stop_is_handled_before_the_actor_stops() {
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let (p, dropped) = Probe::new(&hooks).with_drop_signal();
    let a = p.start_in(&rt);
    a.ask(Msg::TellSelfThenStop).get_timeout(HANG).unwrap();
    recv(&dropped, "the actor's end");
    assert_eq!(hooks.log(), ["on_start", "go", "self", "on_stop"]);
    assert!(!a.is_alive());
}

// ---------------------------------------------------------------------------------------------
// b1_15

/// (index, which actors were alive when this one stopped), one per `on_stop`.
type StopLog = Arc<Mutex<Vec<(usize, Vec<bool>)>>>;

struct Ordered {
    index: usize,
    all: Arc<Mutex<Vec<ActorRef<Ordered>>>>,
    /// (index, which other actors were alive when this one stopped)
    stops: StopLog,
}

impl Actor for Ordered {
    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        let alive = self
            .all
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.is_alive())
            .collect();
        self.stops.lock().unwrap().push((self.index, alive));
    }
}

#[test]
fn b1_15_runtime_shutdown_stops_all_actors_last_started_first() {
    const N: usize = 6;
    let rt = runtime(4);
    let all = Arc::new(Mutex::new(Vec::new()));
    let stops = Arc::new(Mutex::new(Vec::new()));
    let refs: Vec<_> = (0..N)
        .map(|index| {
            Ordered {
                index,
                all: Arc::clone(&all),
                stops: Arc::clone(&stops),
            }
            .start_in(&rt)
        })
        .collect();
    all.lock().unwrap().extend(refs.iter().cloned());
    rt.shutdown().unwrap();
    let stops = stops.lock().unwrap().clone();
    let order: Vec<usize> = stops.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        order,
        (0..N).rev().collect::<Vec<_>>(),
        "not last started first"
    );
    for (i, alive) in &stops {
        // Strictly one after the other: every later actor is already dead, every earlier alive.
        let expected: Vec<bool> = (0..N).map(|j| j < *i).collect();
        assert_eq!(alive, &expected, "while actor {i} stopped");
    }
    assert!(refs.iter().all(|r| !r.is_alive()));
    assert!(rt.registered().is_empty());
}
