//! Issue G, rules 1–3 and 6: watch (`on_terminated`), kill, dead letters, `shutdown_timeout`,
//! `stopped`. Each test has its own runtime.

mod common;

use common::{gate, watchdog, Gate};
use pykka::{
    Actor, ActorRef, AnyActorRef, Context, DeadLetter, DeadLetterReason, Error, Receive, Runtime,
    StopReason, Terminated,
};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn rt() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

/// A target: tells `Panic` to panic, `Hold` to pass a gate, anything else is counted.
enum Cmd {
    Panic,
    Hold(Gate),
    Count,
}

struct Target {
    stopped: Sender<&'static str>,
}
impl Actor for Target {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        let _ = self.stopped.send("on_stop");
    }
    fn on_failure(&mut self, _: &pykka::Failure, _: &mut Context<Self>) {
        let _ = self.stopped.send("on_failure");
    }
}
impl Receive for Target {
    type Message = Cmd;
    type Reply = ();
    fn on_receive(&mut self, cmd: Cmd, _: &mut Context<Self>) {
        match cmd {
            Cmd::Panic => panic!("told to"),
            Cmd::Hold(g) => g.pass(),
            Cmd::Count => {}
        }
    }
}

fn target(rt: &Runtime) -> (ActorRef<Target>, Receiver<&'static str>) {
    let (tx, rx) = channel();
    (Target { stopped: tx }.start_in(rt), rx)
}

/// Watches what it is asked to and reports every `Terminated` it gets.
struct Watcher {
    seen: Sender<Terminated>,
}
enum W {
    Watch(AnyActorRef),
    Unwatch(AnyActorRef),
}
impl Actor for Watcher {
    fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
        self.seen.send(t.clone()).unwrap();
    }
}
impl Receive for Watcher {
    type Message = W;
    type Reply = ();
    fn on_receive(&mut self, m: W, ctx: &mut Context<Self>) {
        match m {
            W::Watch(a) => ctx.watch(&a),
            W::Unwatch(a) => ctx.unwatch(&a),
        }
    }
}

fn watcher(rt: &Runtime) -> (ActorRef<Watcher>, Receiver<Terminated>) {
    let (tx, rx) = channel();
    (Watcher { seen: tx }.start_in(rt), rx)
}

fn watch(w: &ActorRef<Watcher>, a: &ActorRef<Target>) {
    w.ask(W::Watch(a.clone().into())).get().unwrap();
}

const HANG: Duration = Duration::from_secs(10);

#[test]
fn g1_watcher_is_told_of_a_stop_with_reason_stopped() {
    let _w = watchdog("g1 stop", 30);
    let rt = rt();
    let (a, _) = target(&rt);
    let (w, seen) = watcher(&rt);
    watch(&w, &a);
    assert!(a.stop());
    let t = seen.recv_timeout(HANG).unwrap();
    assert!(t.is(&a));
    assert_eq!(t.reason(), StopReason::Stopped);
    assert_eq!(t.actor_urn(), a.actor_urn());
    assert_eq!(t.actor_class(), "Target");
}

#[test]
fn g1_watcher_is_told_of_a_panic_with_reason_panicked() {
    let _w = watchdog("g1 panic", 30);
    let rt = rt();
    let (a, stopped) = target(&rt);
    let (w, seen) = watcher(&rt);
    watch(&w, &a);
    a.tell(Cmd::Panic).unwrap();
    assert_eq!(
        seen.recv_timeout(HANG).unwrap().reason(),
        StopReason::Panicked
    );
    assert_eq!(stopped.recv_timeout(HANG).unwrap(), "on_failure");
}

#[test]
fn g1_watcher_is_told_of_a_kill_with_reason_killed() {
    let _w = watchdog("g1 kill", 30);
    let rt = rt();
    let (a, stopped) = target(&rt);
    let (w, seen) = watcher(&rt);
    watch(&w, &a);
    a.kill();
    assert_eq!(
        seen.recv_timeout(HANG).unwrap().reason(),
        StopReason::Killed
    );
    // No hook ran.
    drop(a);
    assert!(stopped.recv_timeout(Duration::from_millis(1)).is_err());
}

#[test]
fn g1_watching_an_actor_already_dead_tells_at_once_with_its_reason() {
    let _w = watchdog("g1 dead", 30);
    let rt = rt();
    let (a, _) = target(&rt);
    a.kill();
    let (w, seen) = watcher(&rt);
    watch(&w, &a);
    assert_eq!(
        seen.recv_timeout(HANG).unwrap().reason(),
        StopReason::Killed
    );
    let (b, _) = target(&rt);
    b.stop();
    watch(&w, &b);
    assert_eq!(
        seen.recv_timeout(HANG).unwrap().reason(),
        StopReason::Stopped
    );
}

#[test]
fn g1_the_watcher_is_told_exactly_once_even_when_watching_twice() {
    let _w = watchdog("g1 once", 30);
    let rt = rt();
    let (a, _) = target(&rt);
    let (w, seen) = watcher(&rt);
    watch(&w, &a);
    watch(&w, &a);
    a.stop();
    seen.recv_timeout(HANG).unwrap();
    // Flush the watcher's mailbox: anything else would be there by now.
    w.ask(W::Unwatch(a.clone().into())).get().unwrap();
    assert!(seen.try_recv().is_err());
}

#[test]
fn g1_no_notification_after_unwatch() {
    let _w = watchdog("g1 unwatch", 30);
    let rt = rt();
    let (a, _) = target(&rt);
    let (w, seen) = watcher(&rt);
    watch(&w, &a);
    w.ask(W::Unwatch(a.clone().into())).get().unwrap();
    a.stop();
    // A second target, watched after, is reported: so the first would have been too.
    let (b, _) = target(&rt);
    watch(&w, &b);
    b.stop();
    assert!(seen.recv_timeout(HANG).unwrap().is(&b));
    assert!(seen.try_recv().is_err());
}

#[test]
fn g1_watch_races_with_death_and_is_told_exactly_once() {
    let _w = watchdog("g1 race", 60);
    let rt = rt();
    let (w, seen) = watcher(&rt);
    let n = 300;
    let mut targets = Vec::new();
    for _ in 0..n {
        let (a, _) = target(&rt);
        // The stop races with the watch.
        let stop = a.request_stop();
        w.tell(W::Watch(a.clone().into())).unwrap();
        targets.push((a, stop));
    }
    let mut told = std::collections::HashSet::new();
    for _ in 0..n {
        let t = seen.recv_timeout(HANG).expect("every watch is answered");
        assert!(told.insert(t.actor_urn().to_owned()), "told twice");
    }
    for (_, stop) in targets {
        assert!(stop.get().unwrap());
    }
    // Flush: one more watch, of a dead actor, is told after anything still on its way.
    let dummy = w_self_dummy(&rt);
    w.ask(W::Watch(dummy.clone())).get().unwrap();
    let last = seen.recv_timeout(HANG).unwrap();
    assert_eq!(
        last.actor_urn(),
        dummy.actor_urn(),
        "nothing told twice before it"
    );
    assert!(seen.try_recv().is_err());
}

/// An actor that is dead, to flush the watcher with one more watch.
fn w_self_dummy(rt: &Runtime) -> AnyActorRef {
    let (a, _) = target(rt);
    a.kill();
    a.into()
}

#[test]
fn g3_kill_stops_after_the_current_message_and_fails_pending_asks() {
    let _w = watchdog("g3 kill", 30);
    let rt = rt();
    let (a, stopped) = target(&rt);
    let (ctl, g) = gate();
    a.tell(Cmd::Hold(g)).unwrap();
    ctl.wait_entered();
    let pending = a.ask(Cmd::Count);
    a.tell(Cmd::Count).unwrap();
    a.kill();
    assert!(!a.is_alive());
    ctl.open();
    assert!(matches!(pending.get(), Err(Error::ActorDead(_))));
    // No hook: neither on_stop nor on_failure.
    let (w, seen) = watcher(&rt);
    watch(&w, &a);
    assert_eq!(
        seen.recv_timeout(HANG).unwrap().reason(),
        StopReason::Killed
    );
    assert!(stopped.try_recv().is_err());
    assert_eq!(rt.dead_letter_count(), 1, "the queued tell");
}

#[test]
fn g3_stop_stays_a_poison_pill_behind_queued_messages() {
    let _w = watchdog("g3 stop", 30);
    let rt = rt();
    let (a, stopped) = target(&rt);
    let (ctl, g) = gate();
    a.tell(Cmd::Hold(g)).unwrap();
    ctl.wait_entered();
    let queued = a.ask(Cmd::Count);
    let stop = a.request_stop();
    ctl.open();
    assert!(queued.get().is_ok(), "handled before the stop");
    assert!(stop.get().unwrap());
    assert_eq!(stopped.recv_timeout(HANG).unwrap(), "on_stop");
    assert_eq!(rt.dead_letter_count(), 0);
}

#[test]
fn g3_killing_a_dead_actor_does_nothing() {
    let rt = rt();
    let (a, _) = target(&rt);
    a.stop();
    a.kill();
    a.kill();
    assert!(!a.is_alive());
    assert_eq!(rt.dead_letter_count(), 0);
}

#[test]
fn g2_a_tell_to_a_dead_actor_is_a_dead_letter() {
    let rt = rt();
    let seen = Arc::new(Mutex::new(Vec::<DeadLetter>::new()));
    let sink = Arc::clone(&seen);
    let sub = rt.subscribe_dead_letters(move |d| sink.lock().unwrap().push(d.clone()));
    let (a, _) = target(&rt);
    a.stop();
    let err = a.tell(Cmd::Count).unwrap_err();
    assert!(
        matches!(err.into_inner(), Cmd::Count),
        "the sender gets it back"
    );
    assert_eq!(rt.dead_letter_count(), 1);
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].reason(), DeadLetterReason::RecipientDead);
        assert_eq!(seen[0].recipient_urn(), a.actor_urn());
        assert_eq!(seen[0].recipient_class(), "Target");
        assert!(seen[0].message_type().ends_with("Cmd"));
    }
    // Unsubscribed: counted, not shown.
    sub.unsubscribe();
    let _ = a.tell(Cmd::Count);
    assert_eq!(rt.dead_letter_count(), 2);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn g2_tells_left_in_the_mailbox_at_stop_are_dead_letters_and_asks_are_not() {
    let _w = watchdog("g2 left", 30);
    let rt = rt();
    let seen = Arc::new(Mutex::new(Vec::<DeadLetter>::new()));
    let sink = Arc::clone(&seen);
    let _sub = rt.subscribe_dead_letters(move |d| sink.lock().unwrap().push(d.clone()));
    let (a, _) = target(&rt);
    let (ctl, g) = gate();
    a.tell(Cmd::Hold(g)).unwrap();
    ctl.wait_entered();
    // The stop is queued first, so what follows it is never handled.
    let stop = a.request_stop();
    a.tell(Cmd::Count).unwrap();
    a.tell(Cmd::Count).unwrap();
    let ask = a.ask(Cmd::Count);
    ctl.open();
    assert!(stop.get().unwrap());
    assert!(
        matches!(ask.get(), Err(Error::ActorDead(_))),
        "the asker learns"
    );
    assert_eq!(rt.dead_letter_count(), 2);
    let seen = seen.lock().unwrap();
    assert!(seen
        .iter()
        .all(|d| d.reason() == DeadLetterReason::LeftInMailbox));
}

/// An actor that receives dead letters as messages.
struct Collector(Sender<DeadLetter>);
impl Actor for Collector {}
impl Receive for Collector {
    type Message = DeadLetter;
    type Reply = ();
    fn on_receive(&mut self, d: DeadLetter, _: &mut Context<Self>) {
        self.0.send(d).unwrap();
    }
}

#[test]
fn g2_an_actor_can_subscribe_to_dead_letters() {
    let _w = watchdog("g2 actor", 30);
    let rt = rt();
    let (tx, rx) = channel();
    let collector = Collector(tx).start_in(&rt);
    let _sub = rt.subscribe_dead_letters_to(&collector);
    let (a, _) = target(&rt);
    a.kill();
    let _ = a.tell(Cmd::Count);
    let d = rx.recv_timeout(HANG).unwrap();
    assert_eq!(d.recipient_urn(), a.actor_urn());
    // The collector's own dead letter (it is dead) is counted, not told again: no loop.
    collector.stop();
    let _ = a.tell(Cmd::Count);
    assert_eq!(
        rt.dead_letter_count(),
        3,
        "a's two, and the collector's one"
    );
}

#[test]
fn g2_a_panicking_subscriber_is_logged_and_the_sender_unharmed() {
    let rt = rt();
    let _sub = rt.subscribe_dead_letters(|_| panic!("subscriber"));
    let (a, _) = target(&rt);
    a.stop();
    assert!(a.tell(Cmd::Count).is_err());
    assert_eq!(rt.dead_letter_count(), 1);
}

#[test]
fn g6_shutdown_timeout_kills_what_does_not_stop_in_time() {
    let _w = watchdog("g6 timeout", 30);
    let rt = Arc::new(rt());
    let (a, stopped) = target(&rt);
    let (b, _) = target(&rt);
    let (ctl, g) = gate();
    a.tell(Cmd::Hold(g)).unwrap();
    ctl.wait_entered();
    // What is queued behind the gate becomes a dead letter when `a` is killed: the signal to
    // open the gate (so the worker can return and the pool can stop).
    let (dead_tx, dead_rx) = channel();
    let dead_tx = Mutex::new(dead_tx);
    let _sub = rt.subscribe_dead_letters(move |_| {
        let _ = dead_tx.lock().unwrap().send(());
    });
    a.tell(Cmd::Count).unwrap();
    let shutting = {
        let rt = Arc::clone(&rt);
        std::thread::spawn(move || rt.shutdown_timeout(Duration::from_millis(50)))
    };
    dead_rx.recv_timeout(HANG).expect("a was killed");
    ctl.open();
    assert_eq!(shutting.join().unwrap(), Ok(false));
    assert!(!a.is_alive() && !b.is_alive());
    assert!(stopped.try_recv().is_err(), "a was killed, not stopped");
}

#[test]
fn g6_shutdown_timeout_with_time_enough_stops_gracefully() {
    let rt = rt();
    let (a, stopped) = target(&rt);
    assert_eq!(rt.shutdown_timeout(Duration::from_secs(10)), Ok(true));
    assert_eq!(stopped.recv().unwrap(), "on_stop");
    assert!(!a.is_alive());
}

#[test]
fn g6_stopped_resolves_when_the_runtime_has_shut_down() {
    let _w = watchdog("g6 stopped", 30);
    let rt = Arc::new(rt());
    let stopped = rt.stopped();
    let waiter = std::thread::spawn(move || stopped.get());
    assert!(!rt.stopped().is_ready());
    rt.shutdown().unwrap();
    waiter.join().unwrap().unwrap();
    assert!(rt.stopped().is_ready(), "after shutdown, at once");
}

#[test]
fn g6_shutdown_timeout_from_an_own_thread_is_refused() {
    struct Inner(Arc<Runtime>);
    impl Actor for Inner {}
    impl Receive for Inner {
        type Message = ();
        type Reply = Result<bool, pykka::RuntimeError>;
        fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Self::Reply {
            self.0.shutdown_timeout(Duration::from_secs(1))
        }
    }
    let rt = Arc::new(rt());
    let a = Inner(Arc::clone(&rt)).start_in(&rt);
    assert_eq!(
        a.ask(()).get().unwrap(),
        Err(pykka::RuntimeError::OwnThread)
    );
    a.stop();
    rt.shutdown().unwrap();
}
