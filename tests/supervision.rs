//! Issue G, rule 5: children and supervision. Each test has its own runtime.

mod common;

use common::watchdog;
use pykka::{
    Actor, ActorRef, AnyActorRef, Context, Directive, Failure, Receive, Runtime, StopReason,
    Terminated,
};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HANG: Duration = Duration::from_secs(10);

type Log = Arc<Mutex<Vec<String>>>;

fn rt() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

/// A child: counts, panics on a negative number, logs its hooks.
struct Child {
    name: &'static str,
    count: i64,
    log: Log,
}
impl Actor for Child {
    fn on_start(&mut self, _: &mut Context<Self>) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} start", self.name));
    }
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.log.lock().unwrap().push(format!("{} stop", self.name));
    }
    fn on_restart(&mut self, f: &Failure, _: &mut Context<Self>) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} restart: {}", self.name, f.message()));
    }
}
impl Receive for Child {
    type Message = i64;
    type Reply = i64;
    fn on_receive(&mut self, n: i64, _: &mut Context<Self>) -> i64 {
        assert!(n >= 0, "negative {n}");
        self.count += n;
        self.count
    }
}

/// What a parent is asked to do.
enum P {
    Start(&'static str),
    Supervised(
        &'static str,
        Directive,
        Option<(u32, Duration)>,
        Option<Duration>,
    ),
    Children,
}
enum PR {
    Child(ActorRef<Child>),
    Children(Vec<AnyActorRef>),
}

struct Parent {
    log: Log,
    terminated: Option<Sender<Terminated>>,
}
impl Actor for Parent {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.log.lock().unwrap().push("parent stop".into());
    }
    fn on_failure(&mut self, f: &Failure, _: &mut Context<Self>) {
        self.log
            .lock()
            .unwrap()
            .push(format!("parent failed: {}", f.message()));
    }
    fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
        if let Some(s) = &self.terminated {
            let _ = s.send(t.clone());
        }
    }
}
impl Receive for Parent {
    type Message = P;
    type Reply = PR;
    fn on_receive(&mut self, m: P, ctx: &mut Context<Self>) -> PR {
        match m {
            P::Start(name) => PR::Child(ctx.start_child(Child {
                name,
                count: 0,
                log: self.log.clone(),
            })),
            P::Supervised(name, d, limit, backoff) => {
                let log = self.log.clone();
                let mut b = ctx
                    .child(move || Child {
                        name,
                        count: 0,
                        log: log.clone(),
                    })
                    .on_panic(d);
                if let Some((max, within)) = limit {
                    b = b.restart_limit(max, within);
                }
                if let Some(min) = backoff {
                    b = b.backoff(min, min * 4);
                }
                let child = b.start();
                ctx.watch(&child);
                PR::Child(child)
            }
            P::Children => PR::Children(ctx.children()),
        }
    }
}

fn parent(rt: &Runtime) -> (ActorRef<Parent>, Log, Receiver<Terminated>) {
    let log = Log::default();
    let (tx, rx) = channel();
    let p = Parent {
        log: log.clone(),
        terminated: Some(tx),
    }
    .start_in(rt);
    (p, log, rx)
}

fn child(p: &ActorRef<Parent>, m: P) -> ActorRef<Child> {
    match p.ask(m).get().unwrap() {
        PR::Child(c) => c,
        PR::Children(_) => unreachable!(),
    }
}

/// A supervised child (Restart, backoff of an hour) that has been told a panicking message: it
/// is in its backoff, or about to begin it.
fn child_failed_into_an_hour_of_backoff(p: &ActorRef<Parent>) -> ActorRef<Child> {
    let c = child(
        p,
        P::Supervised(
            "c",
            Directive::Restart,
            None,
            Some(Duration::from_secs(3600)),
        ),
    );
    c.ask(0).get().unwrap();
    c.tell(-1).unwrap();
    c
}

fn lines(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[test]
fn g5_a_stopped_parent_stops_its_children_first_last_started_first() {
    let _w = watchdog("g5 order", 30);
    let rt = rt();
    let (p, log, _) = parent(&rt);
    let a = child(&p, P::Start("a"));
    let b = child(&p, P::Start("b"));
    let c = child(&p, P::Start("c"));
    // Each child has started (asks are answered after on_start).
    for x in [&a, &b, &c] {
        x.ask(0).get().unwrap();
    }
    assert!(p.stop());
    assert!(!a.is_alive() && !b.is_alive() && !c.is_alive());
    let l = lines(&log);
    let stops: Vec<&str> = l
        .iter()
        .filter(|s| s.ends_with("stop"))
        .map(String::as_str)
        .collect();
    assert_eq!(stops, ["c stop", "b stop", "a stop", "parent stop"]);
}

#[test]
fn g5_a_killed_parent_kills_its_children() {
    let _w = watchdog("g5 kill", 30);
    let rt = rt();
    let (p, log, _) = parent(&rt);
    let a = child(&p, P::Start("a"));
    a.ask(0).get().unwrap();
    p.kill();
    assert!(!a.is_alive());
    assert!(!lines(&log).iter().any(|s| s.ends_with("stop")), "no hooks");
}

#[test]
fn g5_children_lists_the_live_children_and_forgets_dead_ones() {
    let _w = watchdog("g5 children", 30);
    let rt = rt();
    let (p, _, _) = parent(&rt);
    let a = child(&p, P::Start("a"));
    let b = child(&p, P::Start("b"));
    a.stop();
    let PR::Children(kids) = p.ask(P::Children).get().unwrap() else {
        unreachable!()
    };
    assert_eq!(kids.len(), 1);
    assert_eq!(kids[0].actor_urn(), b.actor_urn());
}

#[test]
fn g5_stop_directive_is_pykkas_rule() {
    let _w = watchdog("g5 stop", 30);
    let rt = rt();
    let (p, _, terminated) = parent(&rt);
    let c = child(&p, P::Supervised("c", Directive::Stop, None, None));
    c.tell(-1).unwrap();
    let t = terminated.recv_timeout(HANG).unwrap();
    assert!(t.is(&c));
    assert_eq!(t.reason(), StopReason::Panicked);
    assert!(p.is_alive());
}

#[test]
fn g5_resume_keeps_the_value_and_its_state() {
    let _w = watchdog("g5 resume", 30);
    let rt = rt();
    let (p, log, _) = parent(&rt);
    let c = child(&p, P::Supervised("c", Directive::Resume, None, None));
    assert_eq!(c.ask(5).get().unwrap(), 5);
    c.tell(-1).unwrap();
    assert_eq!(c.ask(1).get().unwrap(), 6, "same value, same state");
    assert!(!lines(&log).iter().any(|s| s.contains("restart")));
}

#[test]
fn g5_restart_makes_a_fresh_value_behind_the_same_reference() {
    let _w = watchdog("g5 restart", 30);
    let rt = rt();
    let (p, log, terminated) = parent(&rt);
    let c = child(&p, P::Supervised("c", Directive::Restart, None, None));
    assert_eq!(c.ask(5).get().unwrap(), 5);
    c.tell(-1).unwrap();
    assert_eq!(c.ask(1).get().unwrap(), 1, "a fresh value");
    assert!(c.is_alive());
    let l = lines(&log);
    assert!(l.contains(&"c restart: negative -1".to_owned()), "{l:?}");
    // Not a death: the watcher heard nothing; the registry still has it.
    assert!(terminated.try_recv().is_err());
    assert!(rt.get_by_urn(c.actor_urn()).is_some());
    p.stop();
    assert!(!c.is_alive());
}

#[test]
fn g5_restarts_beyond_the_limit_stop_the_child() {
    let _w = watchdog("g5 limit", 30);
    let rt = rt();
    let (p, _, terminated) = parent(&rt);
    let limit = Some((2, Duration::from_secs(3600)));
    let c = child(&p, P::Supervised("c", Directive::Restart, limit, None));
    for _ in 0..2 {
        c.tell(-1).unwrap();
        assert_eq!(c.ask(0).get().unwrap(), 0, "restarted");
    }
    c.tell(-1).unwrap();
    let t = terminated.recv_timeout(HANG).unwrap();
    assert_eq!(t.reason(), StopReason::Panicked);
    assert!(!c.is_alive());
}

#[test]
fn g5_restart_backoff_holds_messages_until_the_fresh_value_is_made() {
    let _w = watchdog("g5 backoff", 30);
    let rt = rt();
    let (p, log, _) = parent(&rt);
    let min = Duration::from_millis(30);
    let c = child(&p, P::Supervised("c", Directive::Restart, None, Some(min)));
    c.ask(0).get().unwrap();
    let t0 = Instant::now();
    c.tell(-1).unwrap();
    // Queued during the backoff, handled by the fresh value afterwards, in order.
    let a = c.ask(2);
    let b = c.ask(3);
    assert_eq!(a.get().unwrap(), 2);
    assert_eq!(b.get().unwrap(), 5);
    // The timer never fires early (a lower bound, not a timing claim).
    assert!(t0.elapsed() >= min);
    assert!(lines(&log).iter().any(|s| s.starts_with("c restart")));
    // A second failure in the window waits twice as long.
    let t1 = Instant::now();
    c.tell(-1).unwrap();
    assert_eq!(c.ask(1).get().unwrap(), 1);
    assert!(t1.elapsed() >= min * 2);
}

#[test]
fn g5_a_child_killed_during_its_backoff_dies_once() {
    let _w = watchdog("g5 kill backoff", 30);
    let rt = rt();
    let (p, _, terminated) = parent(&rt);
    let c = child_failed_into_an_hour_of_backoff(&p);
    let pending = c.ask(1);
    c.kill();
    assert!(pending.get().is_err());
    assert_eq!(
        terminated.recv_timeout(HANG).unwrap().reason(),
        StopReason::Killed
    );
    // join does not wait for it: it counted as dead once.
    p.stop();
    rt.join().unwrap();
}

#[test]
fn g5_escalate_stops_the_child_and_fails_the_parent() {
    let _w = watchdog("g5 escalate", 30);
    let rt = rt();
    let (p, log, terminated) = parent(&rt);
    let c = child(&p, P::Supervised("c", Directive::Escalate, None, None));
    c.tell(-1).unwrap();
    assert_eq!(
        terminated.recv_timeout(HANG).unwrap().reason(),
        StopReason::Panicked
    );
    // The parent fails in turn (Pykka's rule for an unsupervised actor): on_failure runs. It
    // runs after the parent's mailbox is closed (the actor is dead inside its failure hook),
    // so `is_alive()` turns false before the hook has logged: wait for the log line itself.
    let _w2 = watchdog("g5 escalate parent", 30);
    let failed = |l: &[String]| {
        l.iter()
            .any(|s| s.starts_with("parent failed: child Child") && s.contains("negative -1"))
    };
    while !failed(&lines(&log)) {
        std::thread::yield_now();
    }
    assert!(!p.is_alive());
}

#[test]
fn g5_a_panicking_factory_ends_the_child() {
    let _w = watchdog("g5 factory", 30);
    struct Boss(Sender<Terminated>);
    impl Actor for Boss {
        fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
            let _ = self.0.send(t.clone());
        }
    }
    impl Receive for Boss {
        type Message = ();
        type Reply = ActorRef<Child>;
        fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Child> {
            let mut made = 0;
            let log = Log::default();
            let c = ctx
                .child(move || {
                    made += 1;
                    assert!(made == 1, "the factory fails on restart");
                    Child {
                        name: "c",
                        count: 0,
                        log: log.clone(),
                    }
                })
                .on_panic(Directive::Restart)
                .start();
            ctx.watch(&c);
            c
        }
    }
    let rt = rt();
    let (tx, rx) = channel();
    let boss = Boss(tx).start_in(&rt);
    let c = boss.ask(()).get().unwrap();
    c.tell(-1).unwrap();
    assert_eq!(
        rx.recv_timeout(HANG).unwrap().reason(),
        StopReason::Panicked
    );
    assert!(!c.is_alive());
    boss.stop();
    rt.join().unwrap();
}

/// A stop request during a restart's backoff ends the backoff: the child stops without being
/// restarted, at once (it waited the whole hour before: `stop()` and `shutdown` hung).
#[test]
fn g5_a_child_stopped_during_its_backoff_stops_at_once_without_restarting() {
    let _w = watchdog("g5 stop backoff", 30);
    let rt = rt();
    let (p, log, terminated) = parent(&rt);
    let c = child_failed_into_an_hour_of_backoff(&p);
    let queued = c.ask(1);
    assert!(c.stop(), "it was alive (backing off)");
    assert!(
        matches!(queued.get_timeout(HANG), Err(pykka::Error::ActorDead(_))),
        "what was queued before the stop is answered as at any death"
    );
    assert_eq!(
        terminated.recv_timeout(HANG).unwrap().reason(),
        StopReason::Stopped
    );
    assert!(
        !log.lock().unwrap().iter().any(|l| l.contains("restart")),
        "no fresh value was made: {:?}",
        log.lock().unwrap()
    );
    p.stop();
    rt.join().unwrap();
}

/// `shutdown` with a child in a long backoff returns (it hung for the whole backoff).
#[test]
fn g5_shutdown_with_a_child_in_its_backoff_returns() {
    let _w = watchdog("g5 shutdown backoff", 30);
    let rt = rt();
    let (p, _, _) = parent(&rt);
    let c = child_failed_into_an_hour_of_backoff(&p);
    // The failure is handled (the backoff begun) before the shutdown, or the shutdown's stop
    // request lands first: both must return.
    rt.shutdown().unwrap();
    assert!(!c.is_alive());
    assert!(!p.is_alive());
}
