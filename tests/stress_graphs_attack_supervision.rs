//! Attacks on supervision under load (manual, "Supervision"), with programs larger than the other
//! stress tests: restart storms and backoffs while other actors keep messaging the children, with
//! kills and stops racing them; and shutdown of a runtime that does not register its actors while a
//! child waits out its restart backoff in the timer (`actor::cell::death`, "Backoff without holding a thread").
//!
//! Every payload whose fate matters counts its own drops. No sleep synchronises anything: the tests
//! use replies, channels, counters and barriers; timeouts and watchdogs are hang guards. The hang
//! guard, the worker counts and the spin are in `tests/common/stress_graphs.rs`.

mod common;

use common::stress_graphs::{runtime, spin_until, HANG, WORKERS};
use common::{watchdog, Rng};
use pykka::{
    Actor, ActorRef, AnyActorRef, Context, Directive, Error, Failure, Future, Receive, Runtime,
    StopReason, Terminated,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Barrier, Once};
use std::thread;
use std::time::Duration;

/// The panics these tests provoke on purpose carry one of these markers; the panic hook stays
/// quiet for them (thousands of lines otherwise) and prints every other panic as before.
const MARKERS: [&str; 2] = ["[provoked storm]", "[provoked backoff]"];

fn quiet_provoked_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let text = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !MARKERS.iter().any(|m| text.contains(m)) {
                previous(info);
            }
        }));
    });
}

// =============================================================================================
// Supervision helpers: a watcher actor that reports every Terminated.

struct Watcher {
    events: Sender<(String, StopReason)>,
}
impl Actor for Watcher {
    fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
        let _ = self.events.send((t.actor_urn().to_owned(), t.reason()));
    }
}
impl Receive for Watcher {
    type Message = Vec<AnyActorRef>;
    type Reply = ();
    fn on_receive(&mut self, targets: Vec<AnyActorRef>, ctx: &mut Context<Self>) {
        for t in &targets {
            ctx.watch(t);
        }
    }
}

fn watcher(rt: &Runtime) -> (ActorRef<Watcher>, Receiver<(String, StopReason)>) {
    let (tx, rx) = channel();
    (Watcher { events: tx }.start_in(rt), rx)
}

// =============================================================================================
// 1. A restart storm: 100 supervised children panicking while four threads message them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Restart,
    Resume,
    Escalate,
}

fn kind_of(i: usize) -> Kind {
    match i % 5 {
        0 | 1 => Kind::Restart,
        2 | 3 => Kind::Resume,
        _ => Kind::Escalate,
    }
}

/// A child: adds what it is sent; panics (marked) on a negative number.
struct StormKid {
    count: i64,
    restarts: Arc<AtomicUsize>,
}
impl Actor for StormKid {
    fn on_restart(&mut self, _: &Failure, _: &mut Context<Self>) {
        self.restarts.fetch_add(1, Ordering::SeqCst);
    }
}
impl Receive for StormKid {
    type Message = i64;
    type Reply = i64;
    fn on_receive(&mut self, n: i64, _: &mut Context<Self>) -> i64 {
        assert!(n >= 0, "[provoked storm] negative {n}");
        self.count += n;
        self.count
    }
}

/// Supervises the storm's children; itself a child of `StormBoss` under `Resume`, so an
/// escalated failure leaves it alive.
struct StormMid {
    restarts: Arc<Vec<Arc<AtomicUsize>>>,
}
impl Actor for StormMid {}
impl Receive for StormMid {
    type Message = bool;
    type Reply = Vec<ActorRef<StormKid>>;
    fn on_receive(&mut self, spawn: bool, ctx: &mut Context<Self>) -> Vec<ActorRef<StormKid>> {
        if !spawn {
            return Vec::new();
        }
        (0..self.restarts.len())
            .map(|i| {
                let counter = self.restarts[i].clone();
                let b = ctx.child(move || StormKid {
                    count: 0,
                    restarts: counter.clone(),
                });
                match kind_of(i) {
                    Kind::Restart => b
                        .on_panic(Directive::Restart)
                        .restart_limit(3, Duration::from_secs(3600)),
                    Kind::Resume => b.on_panic(Directive::Resume),
                    Kind::Escalate => b.on_panic(Directive::Escalate),
                }
                .start()
            })
            .collect()
    }
}

struct StormBoss {
    restarts: Arc<Vec<Arc<AtomicUsize>>>,
}
impl Actor for StormBoss {}
impl Receive for StormBoss {
    type Message = ();
    type Reply = ActorRef<StormMid>;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<StormMid> {
        let restarts = self.restarts.clone();
        ctx.child(move || StormMid {
            restarts: restarts.clone(),
        })
        .on_panic(Directive::Resume)
        .start()
    }
}

/// Attacks the manual's supervision rules under load: "`Restart` (a fresh value from the
/// factory, in the same cell, so every `ActorRef` stays valid and queued messages wait for it)",
/// "Restarts are limited (`restart_limit(max, within)` ...; one more failure stops the child)",
/// "`Resume` (log it and go on with the same value)", "`Escalate` (the child stops and the
/// parent fails in turn)", "A panicking ask only fails its future", and `stress_stampede`'s
/// "every ask resolves". 100 children (40 Restart with a limit of 3 per hour, 40 Resume, 20
/// Escalate to a parent that resumes) get panicking tells and asks from four threads at once:
/// every ask resolves as the rules say, each Restart child restarts exactly 3 times and then
/// dies once, each Resume child keeps its exact count, each Escalate child dies once and its
/// parent lives, and `join` returns after the boss stops.
#[test]
fn a_restart_storm_under_load_resolves_every_ask_and_honours_every_directive_at_1_2_and_8_workers()
{
    quiet_provoked_panics();
    let _dog = watchdog("restart storm", 120);
    let kids_n = 100;
    for workers in WORKERS {
        let rt = runtime(workers);
        let (watch, events) = watcher(&rt);
        let restarts: Arc<Vec<_>> =
            Arc::new((0..kids_n).map(|_| Arc::new(AtomicUsize::new(0))).collect());
        let boss = StormBoss {
            restarts: restarts.clone(),
        }
        .start_in(&rt);
        let mid = boss.ask(()).get_timeout(HANG).unwrap();
        let kids = mid.ask(true).get_timeout(HANG).unwrap();
        watch
            .ask(kids.iter().map(|k| AnyActorRef::from(k.clone())).collect())
            .get_timeout(HANG)
            .unwrap();
        let start = Barrier::new(4);
        thread::scope(|s| {
            for t in 0..4usize {
                let (kids, start) = (&kids, &start);
                s.spawn(move || {
                    start.wait();
                    let mut pending = Vec::new();
                    for step in 0..8 {
                        for k in 0..kids_n {
                            let i = (k + t * 37) % kids_n;
                            let kid = &kids[i];
                            match step % 4 {
                                0 => drop(kid.tell(1)),
                                1 => pending.push((i, 1, kid.ask(1))),
                                2 => drop(kid.tell(-1)),
                                _ => pending.push((i, -1, kid.ask(-1))),
                            }
                        }
                    }
                    for (i, n, f) in pending {
                        let kind = kind_of(i);
                        match (f.get_timeout(HANG), n) {
                            (Ok(_), 1) => {}
                            (Err(Error::Panicked(p)), -1) => {
                                assert!(p.message().contains("[provoked storm] negative"))
                            }
                            (Err(Error::ActorDead(_)), _) if kind != Kind::Resume => {}
                            (other, n) => {
                                panic!("{workers} workers: ask({n}) of a {kind:?} child: {other:?}")
                            }
                        }
                    }
                });
            }
        });
        // 40 Restart children die after their limit, 20 Escalate children at once.
        let mut dead = HashMap::new();
        let expected_dead = (0..kids_n).filter(|&i| kind_of(i) != Kind::Resume).count();
        while dead.len() < expected_dead {
            let (urn, reason) = events
                .recv_timeout(HANG)
                .unwrap_or_else(|_| panic!("{workers} workers: only {} died", dead.len()));
            assert_eq!(reason, StopReason::Panicked, "{workers} workers");
            assert!(
                dead.insert(urn, reason).is_none(),
                "{workers} workers: told twice"
            );
        }
        for (i, kid) in kids.iter().enumerate() {
            let r = restarts[i].load(Ordering::SeqCst);
            match kind_of(i) {
                Kind::Restart => {
                    assert_eq!(r, 3, "{workers} workers: restarts of child {i}");
                    assert!(!kid.is_alive());
                    assert!(dead.contains_key(kid.actor_urn()));
                }
                Kind::Escalate => {
                    assert_eq!(r, 0);
                    assert!(!kid.is_alive());
                    assert!(dead.contains_key(kid.actor_urn()));
                }
                Kind::Resume => {
                    assert_eq!(r, 0);
                    // Four threads each added 1 twice by tell and twice by ask.
                    let count = kid.ask(0).get_timeout(HANG);
                    assert_eq!(count.unwrap(), 16, "{workers} workers: child {i}'s count");
                }
            }
        }
        assert!(
            mid.ask(false).get_timeout(HANG).is_ok(),
            "{workers} workers: the resuming parent lives"
        );
        assert!(boss.stop(), "{workers} workers: the boss was alive");
        assert!(kids.iter().all(|k| !k.is_alive()));
        assert!(watch.stop());
        // Each Resume child: one Stopped, and nothing more for anyone.
        let rest: Vec<_> = events.try_iter().collect();
        for (urn, reason) in &rest {
            assert!(
                !dead.contains_key(urn),
                "{workers} workers: {urn} told twice"
            );
            assert_eq!(*reason, StopReason::Stopped);
        }
        rt.join().unwrap();
    }
}

// =============================================================================================
// 2. Backoffs under load, with kills and stops racing them.
/// Counts values made and dropped, so that each value is shown to be retired exactly once.
struct Census {
    made: AtomicUsize,
    dropped: AtomicUsize,
    restarts: AtomicUsize,
}

struct BackoffKid {
    census: Arc<Census>,
    count: i64,
}
impl Drop for BackoffKid {
    fn drop(&mut self) {
        self.census.dropped.fetch_add(1, Ordering::SeqCst);
    }
}
impl Actor for BackoffKid {
    fn on_restart(&mut self, _: &Failure, _: &mut Context<Self>) {
        self.census.restarts.fetch_add(1, Ordering::SeqCst);
    }
}
impl Receive for BackoffKid {
    type Message = i64;
    type Reply = i64;
    fn on_receive(&mut self, n: i64, _: &mut Context<Self>) -> i64 {
        assert!(n >= 0, "[provoked backoff] negative {n}");
        self.count += n;
        self.count
    }
}

struct BackoffParent {
    census: Arc<Census>,
    /// The children's backoff, `(min, max)`.
    backoff: (Duration, Duration),
}
impl Actor for BackoffParent {}
impl Receive for BackoffParent {
    type Message = usize;
    type Reply = Vec<ActorRef<BackoffKid>>;
    fn on_receive(&mut self, n: usize, ctx: &mut Context<Self>) -> Vec<ActorRef<BackoffKid>> {
        (0..n)
            .map(|_| {
                let census = self.census.clone();
                ctx.child(move || {
                    census.made.fetch_add(1, Ordering::SeqCst);
                    BackoffKid {
                        census: census.clone(),
                        count: 0,
                    }
                })
                .on_panic(Directive::Restart)
                .restart_limit(100_000, Duration::from_secs(3600))
                .backoff(self.backoff.0, self.backoff.1)
                .start()
            })
            .collect()
    }
}

/// A pooled actor that pokes every child and blocks on their replies (some in backoff).
struct Prodder {
    kids: Arc<Vec<ActorRef<BackoffKid>>>,
    rng: Rng,
}
impl Actor for Prodder {}
impl Receive for Prodder {
    type Message = ();
    /// (answered, dead)
    type Reply = (usize, usize);
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> (usize, usize) {
        let mut replies = Vec::new();
        for kid in self.kids.iter() {
            if self.rng.below(3) == 0 {
                let _ = kid.tell(-1);
            }
            replies.push(kid.ask(1));
        }
        let (mut ok, mut dead) = (0, 0);
        for r in replies {
            match r.get() {
                Ok(_) => ok += 1,
                Err(Error::ActorDead(_)) => dead += 1,
                Err(e) => panic!("an ask of a child in backoff failed: {e:?}"),
            }
        }
        (ok, dead)
    }
}

/// Attacks the manual's "Restarts ... may back off (`backoff(min, max)`, doubling)", the
/// builder's "a stop request too: stopping the child ... during a backoff waits it out, restarts,
/// then stops (use `kill` not to wait)", `docs/reliability.md`'s "a child killed during its
/// restart backoff dies once and `join` returns", and the watch rule "a watcher is told once
/// per watch, with the reason": 30 children with a 1–4 ms backoff keep panicking while four
/// pooled actors block on their replies; meanwhile ten are killed and ten stopped. Each child
/// is reported dead exactly once with the right reason, every value made is dropped exactly
/// once, every ask resolves, and the pending backoff timers run out.
#[test]
fn kills_and_stops_racing_restart_backoffs_under_load_retire_each_child_once_at_1_2_and_8_workers()
{
    quiet_provoked_panics();
    let _dog = watchdog("backoffs under load", 120);
    let n = 30;
    for workers in WORKERS {
        let rt = runtime(workers);
        let (watch, events) = watcher(&rt);
        let census = Arc::new(Census {
            made: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            restarts: AtomicUsize::new(0),
        });
        let parent = BackoffParent {
            census: census.clone(),
            backoff: (Duration::from_millis(1), Duration::from_millis(4)),
        }
        .start_in(&rt);
        let kids = Arc::new(parent.ask(n).get_timeout(HANG).unwrap());
        watch
            .ask(kids.iter().map(|k| AnyActorRef::from(k.clone())).collect())
            .get_timeout(HANG)
            .unwrap();
        let prodders: Vec<_> = (0..4u64)
            .map(|t| {
                Prodder {
                    kids: kids.clone(),
                    rng: Rng(t * 31 + workers as u64),
                }
                .start_in(&rt)
            })
            .collect();
        let rounds = 6;
        let start = Barrier::new(2);
        let stopped_alive = thread::scope(|s| {
            let prodding = s.spawn(|| {
                let mut futures: Vec<_> = Vec::new();
                start.wait();
                for _ in 0..rounds {
                    futures.extend(prodders.iter().map(|p| p.ask(())));
                }
                for f in futures {
                    let (ok, dead) = f.get_timeout(HANG).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(ok + dead, n);
                }
            });
            start.wait();
            // Wait until the storm is on (some restarts happened), then kill and stop.
            spin_until("restarts under way", || {
                census.restarts.load(Ordering::SeqCst) >= 10
            });
            let mut alive_at_stop = Vec::new();
            for i in 0..10 {
                kids[i].kill();
                alive_at_stop.push(kids[10 + i].stop());
            }
            prodding.join().unwrap();
            alive_at_stop
        });
        assert!(
            stopped_alive.iter().all(|&a| a),
            "{workers} workers: stop() of a child in a restart loop says it was alive"
        );
        assert!(parent.stop());
        for p in &prodders {
            p.stop();
        }
        let mut told: HashMap<String, Vec<StopReason>> = HashMap::new();
        while told.len() < n {
            let (urn, reason) = events
                .recv_timeout(HANG)
                .unwrap_or_else(|_| panic!("{workers} workers: {} told", told.len()));
            told.entry(urn).or_default().push(reason);
        }
        assert!(watch.stop());
        for (urn, reason) in events.try_iter() {
            told.entry(urn).or_default().push(reason);
        }
        for (i, kid) in kids.iter().enumerate() {
            let want = if i < 10 {
                StopReason::Killed
            } else {
                StopReason::Stopped
            };
            assert_eq!(
                told.get(kid.actor_urn()).map(Vec::as_slice),
                Some(&[want][..]),
                "{workers} workers: child {i}"
            );
        }
        rt.join().unwrap();
        spin_until("backoff timers run out", || rt.pending_timers() == 0);
        assert_eq!(
            census.made.load(Ordering::SeqCst),
            census.dropped.load(Ordering::SeqCst),
            "{workers} workers: every value made is dropped once ({} restarts)",
            census.restarts.load(Ordering::SeqCst)
        );
    }
}

// =============================================================================================
// 3. A runtime that does not register its actors, shut down during a restart backoff.
/// Attacks `Builder::register_actors`: "`shutdown` cannot stop what it cannot find, so such
/// actors get no `on_stop` at shutdown (their mailboxes are answered when next messaged)",
/// the `runtime` module docs' "actors neither queued nor registered are answered as soon as a message
/// schedules them", and `docs/reliability.md`'s "every ask resolves (a value or `ActorDead`)
/// while other threads ... shut the runtime down", for a supervised child whose token waits in
/// the runtime's timer for its restart backoff (`actor::cell::death`, "Backoff without holding a
/// thread") when the runtime shuts down. An idle child of the same runtime is the control.
// Failed before its fix (on b809dc1; fixed by f465c3a): "child 0: the ask queued during its
// backoff: Err(Timeout(Timeout { after: 3s }))". `Runtime::shutdown` -> `finish_stopping` ->
// `Timers::stop` (src/timer.rs) dropped the timer task to which `Cell::hold` (src/cell.rs) had
// given the held token; nothing submitted or abandoned the actor, its mailbox stayed SCHEDULED,
// so `Mailbox::push_with` only queued every later message (`Shared::submit`'s after-shutdown
// abandon never ran) and, the actor being unregistered, the final `registry.all()` kill missed
// it. f465c3a's `Held` guard in src/cell.rs kills the actor when the task is dropped unrun.
#[test]
fn an_unregistered_runtime_shut_down_during_a_restart_backoff_answers_the_childs_asks() {
    quiet_provoked_panics();
    let _dog = watchdog("unregistered runtime shut down during a backoff", 60);
    // Nothing can run after shutdown: an answer due is there at once, so this only bounds the
    // wait for one that never comes.
    const GUARD: Duration = Duration::from_secs(3);
    let census = Arc::new(Census {
        made: AtomicUsize::new(0),
        dropped: AtomicUsize::new(0),
        restarts: AtomicUsize::new(0),
    });
    let rt = Runtime::builder()
        .threads(2)
        .register_actors(false)
        .build()
        .unwrap();
    let hour = Duration::from_secs(3600);
    let parent = BackoffParent {
        census,
        backoff: (hour, hour),
    }
    .start_in(&rt);
    let kids = parent.ask(3).get_timeout(HANG).unwrap();
    for k in &kids {
        assert_eq!(k.ask(1).get_timeout(HANG).unwrap(), 1);
    }
    // Children 0 and 1 panic and wait out an hour's backoff, an ask queued behind each;
    // child 2 stays idle.
    let queued: Vec<Future<i64>> = kids[..2]
        .iter()
        .map(|k| {
            k.tell(-1).unwrap();
            k.ask(5)
        })
        .collect();
    spin_until("both children in their backoff", || {
        rt.pending_timers() == 2
    });
    let stopped = rt.stopped();
    rt.shutdown().unwrap();
    stopped.get_timeout(HANG).expect("stopped() resolves");
    // The control: an idle unregistered child is answered when next messaged.
    let idle = kids[2].ask(1).get_timeout(GUARD);
    assert!(
        matches!(idle, Err(Error::ActorDead(_))),
        "the idle child: {idle:?}"
    );
    assert!(!kids[2].is_alive());
    // Where it fails on HEAD: the ask never resolves (nor does a later one: a probe saw both
    // time out), and the child stays "alive" for ever.
    for (i, f) in queued.into_iter().enumerate() {
        let r = f.get_timeout(GUARD);
        assert!(
            matches!(r, Err(Error::ActorDead(_))),
            "child {i}: the ask queued during its backoff: {r:?}"
        );
    }
    for (i, k) in kids[..2].iter().enumerate() {
        let r = k.ask(1).get_timeout(GUARD);
        assert!(
            matches!(r, Err(Error::ActorDead(_))),
            "child {i}: an ask after shutdown: {r:?}"
        );
        assert!(
            !k.is_alive(),
            "child {i} is dead once messaged after shutdown"
        );
    }
}
