//! Section 1 of `pykka-behaviors.md`: the actor loop (b1_1 .. b1_16).
//!
//! Synchronisation is by channels, barriers, futures and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread.

mod common;

use common::{gate, Gate};
use pykka::{Actor, ActorRef, ActorRegistry, Context, Error, Failure, Receive, Runtime};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

/// Hang guard for every blocking wait in this file.
const HANG: Duration = Duration::from_secs(10);

fn runtime(threads: usize) -> Runtime {
    Runtime::builder().threads(threads).build().unwrap()
}

// ---------------------------------------------------------------------------------------------
// A gate (`Gate`, `GateCtl`, `gate()`: tests/common) holds an actor inside a handler until the
// test opens it.

// ---------------------------------------------------------------------------------------------
// Observations shared between an actor and the test.

#[derive(Default)]
struct Hooks {
    log: Mutex<Vec<String>>,
    on_start: AtomicUsize,
    on_stop: AtomicUsize,
    on_failure: AtomicUsize,
    on_receive: AtomicUsize,
}

impl Hooks {
    fn push(&self, entry: impl Into<String>) {
        self.log.lock().unwrap().push(entry.into());
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// Drops announce themselves: proves a message was released, not leaked.
struct DropGuard(Sender<&'static str>, &'static str);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let _ = self.0.send(self.1);
    }
}

/// A configurable actor for most of the tests below.
struct Probe {
    hooks: Arc<Hooks>,
    /// Gate the `Block` message waits on.
    gate: Option<Gate>,
    /// Gate `on_start` waits on (before anything else it does).
    start_gate: Option<Gate>,
    /// Gate `on_stop` waits on (after logging, before it returns).
    stop_gate: Option<Gate>,
    /// Signals the end of `on_failure`'s entry (before it may panic).
    failure_entered: Option<Sender<()>>,
    stop_in_on_start: bool,
    panic_in_on_start: bool,
    panic_in_on_stop: bool,
    panic_in_on_failure: bool,
    /// Sent on when the actor value is dropped: the end of termination.
    dropped: Option<Sender<()>>,
}

impl Probe {
    fn new(hooks: &Arc<Hooks>) -> Self {
        Probe {
            hooks: Arc::clone(hooks),
            gate: None,
            start_gate: None,
            stop_gate: None,
            failure_entered: None,
            stop_in_on_start: false,
            panic_in_on_start: false,
            panic_in_on_stop: false,
            panic_in_on_failure: false,
            dropped: None,
        }
    }

    fn with_gate(mut self, g: Gate) -> Self {
        self.gate = Some(g);
        self
    }

    fn with_drop_signal(mut self) -> (Self, Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        self.dropped = Some(tx);
        (self, rx)
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        if let Some(tx) = &self.dropped {
            let _ = tx.send(());
        }
    }
}

enum Msg {
    /// Waits on the gate.
    Block,
    /// Appends to the log.
    Record(String),
    /// Replies with the number.
    Echo(u64),
    /// Panics with the text.
    Panic(&'static str),
    /// Carries a value whose drop is observable.
    Tracked(#[allow(dead_code)] DropGuard),
    /// Logs "go", tells itself `Record("self")`, then calls `ctx.stop()`.
    TellSelfThenStop,
    /// Calls `ctx.stop()` three times; replies with how many returned true.
    StopThrice,
}

impl Actor for Probe {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        if let Some(g) = &self.start_gate {
            g.pass();
        }
        self.hooks.on_start.fetch_add(1, Ordering::SeqCst);
        self.hooks.push("on_start");
        if self.panic_in_on_start {
            panic!("boom in on_start");
        }
        if self.stop_in_on_start {
            assert!(ctx.stop(), "ctx.stop() in on_start of a live actor");
        }
    }

    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        self.hooks.on_stop.fetch_add(1, Ordering::SeqCst);
        self.hooks.push("on_stop");
        if let Some(g) = &self.stop_gate {
            g.pass();
        }
        if self.panic_in_on_stop {
            panic!("boom in on_stop");
        }
    }

    fn on_failure(&mut self, failure: &Failure, _ctx: &mut Context<Self>) {
        self.hooks.on_failure.fetch_add(1, Ordering::SeqCst);
        self.hooks
            .push(format!("on_failure: {}", failure.message()));
        if let Some(tx) = &self.failure_entered {
            tx.send(()).unwrap();
        }
        if self.panic_in_on_failure {
            panic!("boom in on_failure");
        }
    }
}

impl Receive for Probe {
    type Message = Msg;
    type Reply = u64;

    fn on_receive(&mut self, message: Msg, ctx: &mut Context<Self>) -> u64 {
        self.hooks.on_receive.fetch_add(1, Ordering::SeqCst);
        match message {
            Msg::Block => {
                self.gate.as_ref().expect("no gate").pass();
                0
            }
            Msg::Record(s) => {
                self.hooks.push(s);
                0
            }
            Msg::Echo(n) => n,
            Msg::Panic(text) => panic!("{text}"),
            Msg::Tracked(_) => {
                self.hooks.push("tracked");
                0
            }
            Msg::TellSelfThenStop => {
                self.hooks.push("go");
                ctx.actor_ref()
                    .tell(Msg::Record("self".into()))
                    .expect("tell to self while alive");
                ctx.stop();
                0
            }
            Msg::StopThrice => (0..3).map(|_| u64::from(ctx.stop())).sum(),
        }
    }
}

fn expect_actor_dead<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::ActorDead(e)) => e.message().to_owned(),
        other => panic!("expected Error::ActorDead, got {other:?}"),
    }
}

fn recv<T>(rx: &Receiver<T>, what: &str) -> T {
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("hang guard: never received {what}"))
}

// ---------------------------------------------------------------------------------------------
// b1_1

/// A recorder of (sender, sequence number) pairs.
struct SeqRecorder {
    seen: Vec<(usize, u32)>,
}

enum SeqMsg {
    Item(usize, u32),
    Snapshot,
}

impl Actor for SeqRecorder {}

impl Receive for SeqRecorder {
    type Message = SeqMsg;
    type Reply = Vec<(usize, u32)>;

    fn on_receive(&mut self, m: SeqMsg, _ctx: &mut Context<Self>) -> Vec<(usize, u32)> {
        match m {
            SeqMsg::Item(s, n) => {
                self.seen.push((s, n));
                Vec::new()
            }
            SeqMsg::Snapshot => self.seen.clone(),
        }
    }
}

#[test]
fn b1_1_each_senders_messages_are_handled_in_send_order() {
    const SENDERS: usize = 6;
    const PER_SENDER: u32 = 2_000;
    // throughput(1): every message is a separate activation, so the actor hops between workers.
    let rt = Runtime::builder().threads(4).throughput(1).build().unwrap();
    let a = SeqRecorder { seen: Vec::new() }.start_in(&rt);
    let barrier = Arc::new(Barrier::new(SENDERS));
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let a = a.clone();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for n in 0..PER_SENDER {
                    // Mix tells and asks: both go through the same FIFO mailbox.
                    if n % 5 == 0 {
                        drop(a.ask(SeqMsg::Item(s, n)));
                    } else {
                        a.tell(SeqMsg::Item(s, n)).unwrap();
                    }
                }
            })
        })
        .collect();
    for t in senders {
        t.join().unwrap();
    }
    // All senders have returned, so their messages are queued before this ask.
    let seen = a.ask(SeqMsg::Snapshot).get_timeout(HANG).unwrap();
    assert_eq!(seen.len(), SENDERS * PER_SENDER as usize);
    for s in 0..SENDERS {
        let mine: Vec<u32> = seen
            .iter()
            .filter(|(x, _)| *x == s)
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(
            mine,
            (0..PER_SENDER).collect::<Vec<_>>(),
            "sender {s}'s messages were reordered"
        );
    }
    assert!(a.stop());
}

/// Counts how many handlers of one actor run at the same time.
struct Exclusive {
    active: Arc<AtomicUsize>,
    max_active: Arc<AtomicUsize>,
    handled: usize,
}

impl Actor for Exclusive {}

impl Receive for Exclusive {
    type Message = bool; // true: reply with the count handled
    type Reply = usize;

    fn on_receive(&mut self, report: bool, _ctx: &mut Context<Self>) -> usize {
        let now = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_active.fetch_max(now, Ordering::SeqCst);
        // Widen the window in which a second handler could start, by spinning, not yielding:
        // on a loaded machine each `yield_now` may hand the CPU to another process for a whole
        // time slice, and 4 000 × 20 of them made this test outlast its hang guard (seen with
        // two busy loops beside it: 16 messages a second).
        for _ in 0..400 {
            std::hint::spin_loop();
        }
        self.handled += 1;
        self.active.fetch_sub(1, Ordering::SeqCst);
        if report {
            self.handled
        } else {
            0
        }
    }
}

#[test]
fn b1_1_one_message_at_a_time_never_two_handlers_at_once() {
    const SENDERS: usize = 8;
    const PER_SENDER: usize = 500;
    let rt = Runtime::builder().threads(4).throughput(1).build().unwrap();
    let active = Arc::new(AtomicUsize::new(0));
    let max_active = Arc::new(AtomicUsize::new(0));
    let a = Exclusive {
        active: Arc::clone(&active),
        max_active: Arc::clone(&max_active),
        handled: 0,
    }
    .start_in(&rt);
    let barrier = Arc::new(Barrier::new(SENDERS));
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let a = a.clone();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                let futures: Vec<_> = (0..PER_SENDER).map(|_| a.ask(false)).collect();
                for f in futures {
                    f.get_timeout(HANG).unwrap();
                }
            })
        })
        .collect();
    for t in senders {
        t.join().unwrap();
    }
    let handled = a.ask(true).get_timeout(HANG).unwrap();
    assert_eq!(handled, SENDERS * PER_SENDER + 1);
    assert_eq!(
        max_active.load(Ordering::SeqCst),
        1,
        "two handlers of one actor ran at the same time"
    );
    assert!(a.stop());
}

#[test]
fn b1_1_no_reentrancy_a_self_tell_waits_for_the_current_handler() {
    struct Reentry {
        hooks: Arc<Hooks>,
    }
    impl Actor for Reentry {}
    impl Receive for Reentry {
        type Message = &'static str;
        type Reply = ();
        fn on_receive(&mut self, m: &'static str, ctx: &mut Context<Self>) {
            match m {
                "first" => {
                    self.hooks.push("first:start");
                    ctx.actor_ref().tell("second").unwrap();
                    self.hooks.push("first:end");
                }
                other => self.hooks.push(other),
            }
        }
    }
    let rt = runtime(2);
    let hooks = Arc::new(Hooks::default());
    let a = Reentry {
        hooks: Arc::clone(&hooks),
    }
    .start_in(&rt);
    a.ask("first").get_timeout(HANG).unwrap();
    // "second" was told during "first", before "first" replied: it is queued before "fence".
    a.ask("fence").get_timeout(HANG).unwrap();
    assert_eq!(hooks.log(), ["first:start", "first:end", "second", "fence"]);
    assert!(a.stop());
}

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
// b1_14

fn assert_uuid_v4_urn(urn: &str) {
    let uuid = urn
        .strip_prefix("urn:uuid:")
        .unwrap_or_else(|| panic!("{urn:?} does not start with urn:uuid:"));
    let groups: Vec<&str> = uuid.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{urn:?} is not a hyphenated UUID"
    );
    assert!(
        uuid.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{urn:?} is not lowercase hex"
    );
    assert!(groups[2].starts_with('4'), "{urn:?} is not version 4");
    assert!(
        matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
        "{urn:?} does not have the RFC 4122 variant"
    );
}

#[test]
fn b1_14_each_actor_has_a_unique_uuid_v4_urn() {
    struct UrnReporter;
    impl Actor for UrnReporter {}
    impl Receive for UrnReporter {
        type Message = ();
        type Reply = String;
        fn on_receive(&mut self, _m: (), ctx: &mut Context<Self>) -> String {
            ctx.actor_urn().to_owned()
        }
    }
    const STARTERS: usize = 4;
    const PER_STARTER: usize = 100;
    let rt = Arc::new(runtime(2));
    let barrier = Arc::new(Barrier::new(STARTERS));
    let starters: Vec<_> = (0..STARTERS)
        .map(|_| {
            let rt = Arc::clone(&rt);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                (0..PER_STARTER)
                    .map(|_| UrnReporter.start_in(&rt))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let actors: Vec<ActorRef<UrnReporter>> = starters
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let mut urns = HashSet::new();
    for a in &actors {
        let urn = a.actor_urn().to_owned();
        assert_uuid_v4_urn(&urn);
        assert_eq!(
            a.ask(()).get_timeout(HANG).unwrap(),
            urn,
            "ctx.actor_urn() differs"
        );
        assert!(urns.insert(urn), "duplicate URN {}", a.actor_urn());
    }
    assert_eq!(urns.len(), STARTERS * PER_STARTER);
    for a in &actors {
        assert!(a.stop());
    }
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

// ---------------------------------------------------------------------------------------------
// b1_16

struct Counter {
    handled: Arc<AtomicUsize>,
}

impl Actor for Counter {}

impl Receive for Counter {
    type Message = u64; // u64::MAX: panic (a tell of it kills the actor)
    type Reply = u64;
    fn on_receive(&mut self, n: u64, _ctx: &mut Context<Self>) -> u64 {
        if n == u64::MAX {
            panic!("told to fail");
        }
        self.handled.fetch_add(1, Ordering::SeqCst);
        n.wrapping_mul(3)
    }
}

enum Killer {
    Stop,
    FailByTell,
}

/// Many threads ask while another kills the actor; every ask must resolve.
fn race_asks_against_death(threads: usize, killer: Killer) {
    const ROUNDS: u64 = 40;
    const ASKERS: usize = 6;
    const ASKS: u64 = 300;
    let rt = runtime(threads);
    for round in 0..ROUNDS {
        let handled = Arc::new(AtomicUsize::new(0));
        let a = Counter {
            handled: Arc::clone(&handled),
        }
        .start_in(&rt);
        let barrier = Arc::new(Barrier::new(ASKERS + 1));
        let askers: Vec<_> = (0..ASKERS as u64)
            .map(|t| {
                let a = a.clone();
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    barrier.wait();
                    let futures: Vec<_> = (0..ASKS)
                        .map(|i| {
                            let n = t * ASKS + i;
                            (n, a.ask(n))
                        })
                        .collect();
                    let (mut ok, mut dead) = (0usize, 0usize);
                    for (n, f) in futures {
                        match f.get_timeout(HANG) {
                            Ok(v) => {
                                assert_eq!(v, n * 3, "wrong reply");
                                ok += 1;
                            }
                            Err(Error::ActorDead(_)) => dead += 1,
                            Err(Error::Timeout(_)) => {
                                panic!("round {round}: an ask never resolved")
                            }
                            Err(e) => panic!("round {round}: unexpected error {e:?}"),
                        }
                    }
                    (ok, dead)
                })
            })
            .collect();
        // Vary where in the stream the death lands, without sleeping.
        let head_start = (round * 37) % (ASKS * 2);
        barrier.wait();
        for i in 0..head_start {
            let _ = a.tell(i);
        }
        match killer {
            Killer::Stop => {
                let _ = a.stop();
            }
            Killer::FailByTell => {
                let _ = a.tell(u64::MAX);
            }
        }
        let (mut ok, mut dead) = (0, 0);
        for t in askers {
            let (o, d) = t.join().unwrap();
            ok += o;
            dead += d;
        }
        assert_eq!(ok + dead, ASKERS * ASKS as usize);
        // Asks sent after death must fail at once; the actor is dead now in every case.
        expect_actor_dead(a.ask(1).get_timeout(HANG));
        assert!(!a.is_alive());
        // The tells sent before the stop (or the failing tell) were all handled, in order;
        // beyond them, every handled ask got its Ok and every Ok came from a handled ask.
        assert_eq!(
            handled.load(Ordering::SeqCst),
            ok + head_start as usize,
            "round {round}: handled messages vs Ok replies + tells"
        );
    }
}

#[test]
fn b1_16_every_ask_resolves_when_stop_races_with_asks() {
    race_asks_against_death(4, Killer::Stop);
}

#[test]
fn b1_16_every_ask_resolves_when_stop_races_with_asks_on_one_thread() {
    race_asks_against_death(1, Killer::Stop);
}

#[test]
fn b1_16_every_ask_resolves_when_a_tell_panic_races_with_asks() {
    race_asks_against_death(4, Killer::FailByTell);
}
