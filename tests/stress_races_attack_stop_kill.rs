//! Attack: races between stop, kill, watch and unwatch on one actor, and stop / kill of a parent
//! whose children are mid-message, with exact message accounting.
//!
//! Each payload (`Tok`) counts its own drop under its id, so "every message dropped exactly once"
//! is checked by id. Synchronisation is by channels, barriers, counters and futures; timeouts are
//! hang guards only (a spin on a condition has a deadline). A test that would hang on a bug detects
//! the hang itself (a bounded wait on a channel) and fails with a message, so that the other tests
//! of the file still run; the `watchdog` of each test is the last resort. The hang guards, the
//! watcher and the bounded waits are in `tests/common/stress_races.rs`.

mod common;

use common::ledger::{Ledger, Tok};
use common::stress_races::{assert_join_returns, spin_until, watcher, WMsg, GUARD, WATCHDOG};
use common::{watchdog, Rng};
use pykka::{
    Actor, ActorRef, AnyActorRef, Context, Error, Receive, Runtime, StopReason, Terminated,
};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;

// ==========================================================================================
// 1. stop() racing kill() on the same actor.
struct Victim {
    _own: Tok,
    stops: Arc<AtomicUsize>,
    handled: Arc<AtomicUsize>,
}

impl Actor for Victim {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.stops.fetch_add(1, SeqCst);
    }
}

impl Receive for Victim {
    type Message = Tok;
    type Reply = ();
    fn on_receive(&mut self, t: Tok, _: &mut Context<Self>) {
        drop(t);
        self.handled.fetch_add(1, SeqCst);
    }
}

/// Attacks `ActorRef::stop` ("blocks until the actor's on_stop has returned; true if the actor
/// was alive"), `kill` ("no hook runs ... Watchers see StopReason::Killed") and the manual's
/// "the watcher's on_terminated runs once ... with a Terminated that names the actor and its
/// StopReason". `stop()` and `kill()` race from two threads on one actor with tells queued, 1000
/// times: both return; `on_stop` runs at most once; the watcher is told exactly once, with
/// `Stopped` exactly when `on_stop` ran and `Killed` otherwise; a `stop()` that returned `false`
/// means the kill came first; tells are handled or dead letters; `join` returns.
#[test]
fn stop_racing_kill_runs_on_stop_at_most_once_and_tells_the_watcher_once_with_the_matching_reason()
{
    let _wd = watchdog("stop vs kill", WATCHDOG);
    let ledger = Ledger::new(10_000);
    let rt = Arc::new(Runtime::builder().threads(2).build().unwrap());
    let (w, events) = watcher(&rt);
    let stops = Arc::new(AtomicUsize::new(0));
    let handled = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let (to_stopper, stopper_rx) = mpsc::channel::<ActorRef<Victim>>();
    let (to_killer, killer_rx) = mpsc::channel::<(ActorRef<Victim>, usize)>();
    let (stopped_tx, stopped_rx) = mpsc::channel::<bool>();
    let (killed_tx, killed_rx) = mpsc::channel::<()>();
    let stopper = {
        let b = Arc::clone(&barrier);
        thread::spawn(move || {
            for v in stopper_rx {
                b.wait();
                stopped_tx.send(v.stop()).unwrap();
            }
        })
    };
    let killer = {
        let b = Arc::clone(&barrier);
        thread::spawn(move || {
            for (v, jitter) in killer_rx {
                b.wait();
                // Lets the stop get ahead by a varying amount, so both orders happen.
                for _ in 0..jitter {
                    std::hint::spin_loop();
                }
                v.kill();
                killed_tx.send(()).unwrap();
            }
        })
    };
    let mut rng = Rng(7);
    let mut told = 0;
    let (mut by_stop, mut by_kill) = (0, 0);
    for i in 0..1000 {
        let v = Victim {
            _own: ledger.tok(),
            stops: Arc::clone(&stops),
            handled: Arc::clone(&handled),
        }
        .start_in(&rt);
        w.ask(WMsg::Watch(v.clone().into())).get().unwrap();
        for _ in 0..rng.below(4) {
            v.tell(ledger.tok()).unwrap();
            told += 1;
        }
        let before = stops.load(SeqCst);
        to_stopper.send(v.clone()).unwrap();
        to_killer.send((v.clone(), rng.below(20_000))).unwrap();
        let stop_result = stopped_rx.recv_timeout(GUARD).expect("stop() returned");
        killed_rx.recv_timeout(GUARD).expect("kill() returned");
        assert!(!v.is_alive(), "iteration {i}: alive after stop and kill");
        let (urn, reason) = events.recv_timeout(GUARD).expect("the watcher is told");
        assert_eq!(urn, v.actor_urn(), "iteration {i}: told of another actor");
        let ran = stops.load(SeqCst) - before;
        assert!(ran <= 1, "iteration {i}: on_stop ran {ran} times");
        match reason {
            StopReason::Stopped => {
                by_stop += 1;
                assert_eq!(
                    ran, 1,
                    "iteration {i}: reason Stopped but on_stop did not run"
                );
            }
            StopReason::Killed => {
                by_kill += 1;
                assert_eq!(ran, 0, "iteration {i}: reason Killed but on_stop ran");
            }
            StopReason::Panicked => panic!("iteration {i}: reason Panicked"),
        }
        if !stop_result {
            assert_eq!(
                reason,
                StopReason::Killed,
                "iteration {i}: stop() false yet Stopped"
            );
        }
    }
    drop((to_stopper, to_killer));
    stopper.join().unwrap();
    killer.join().unwrap();
    eprintln!("stop vs kill: {by_stop} ended by the stop, {by_kill} by the kill");
    w.ask(WMsg::Sync).get().unwrap();
    assert!(events.try_recv().is_err(), "a watcher was told twice");
    assert_eq!(
        handled.load(SeqCst) + rt.dead_letter_count() as usize,
        told,
        "every tell handled or a dead letter"
    );
    w.stop();
    assert_join_returns(&rt, "stop vs kill");
    rt.shutdown().unwrap();
    ledger.assert_each_dropped_once("stop vs kill");
}

// ==========================================================================================
// 2. watch / unwatch cycles racing kill.
struct Plain {
    _own: Tok,
}
impl Actor for Plain {}

struct Echo;
impl Actor for Echo {}
impl Receive for Echo {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

enum FMsg {
    Cycle {
        target: AnyActorRef,
        flips: u32,
        end_watching: bool,
    },
    /// (notifications of this URN, notifications that came while not watching it)
    Report(String),
}

struct Flipper {
    entered: Arc<AtomicBool>,
    watching: HashMap<String, bool>,
    told: HashMap<String, u32>,
    late: u32,
}

impl Actor for Flipper {
    fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
        let urn = t.actor_urn().to_owned();
        if self.watching.get(&urn) != Some(&true) {
            self.late += 1;
        }
        *self.told.entry(urn.clone()).or_default() += 1;
        // Watching stops after the notification.
        self.watching.insert(urn, false);
    }
}

impl Receive for Flipper {
    type Message = FMsg;
    type Reply = (u32, u32);
    fn on_receive(&mut self, m: FMsg, ctx: &mut Context<Self>) -> (u32, u32) {
        match m {
            FMsg::Cycle {
                target,
                flips,
                end_watching,
            } => {
                let urn = target.actor_urn().to_owned();
                self.entered.store(true, SeqCst);
                for _ in 0..flips {
                    ctx.watch(&target);
                    self.watching.insert(urn.clone(), true);
                    ctx.unwatch(&target);
                    self.watching.insert(urn.clone(), false);
                }
                if end_watching {
                    ctx.watch(&target);
                    self.watching.insert(urn, true);
                }
                (0, 0)
            }
            FMsg::Report(urn) => (self.told.get(&urn).copied().unwrap_or(0), self.late),
        }
    }
}

/// Attacks `Context::watch` ("on_terminated runs once ... watching an actor that is already
/// dead tells at once; watching twice is watching once; watching stops after the notification
/// or unwatch") and `Context::unwatch` ("no notification of its death arrives after this
/// returns, even one already on its way"). A watcher flips watch/unwatch on a target up to 30
/// times and ends watching or not, while the main thread kills the target at a random point of
/// the cycle, 600 times: the target's death is told exactly once if the cycle ended watching,
/// never otherwise, and never while not watching.
#[test]
fn watch_unwatch_cycles_racing_kill_tell_once_iff_the_last_call_was_watch() {
    let _wd = watchdog("watch/unwatch vs kill", WATCHDOG);
    let ledger = Ledger::new(10_000);
    // One worker: a round trip through another actor after the kill proves that the target's
    // death (if its worker finalised it) is complete, so every notification is queued.
    let rt = Runtime::builder().threads(1).build().unwrap();
    let entered = Arc::new(AtomicBool::new(false));
    let flipper = Flipper {
        entered: Arc::clone(&entered),
        watching: HashMap::new(),
        told: HashMap::new(),
        late: 0,
    }
    .start_in(&rt);
    let echo = Echo.start_in(&rt);
    let mut rng = Rng(99);
    for i in 0..600 {
        let target = Plain { _own: ledger.tok() }.start_in(&rt);
        let flips = rng.below(31) as u32;
        let end_watching = rng.below(2) == 0;
        entered.store(false, SeqCst);
        flipper
            .tell(FMsg::Cycle {
                target: target.clone().into(),
                flips,
                end_watching,
            })
            .unwrap();
        if rng.below(4) != 0 {
            spin_until("the watcher runs the cycle", || entered.load(SeqCst));
            for _ in 0..rng.below(200) {
                std::hint::spin_loop();
            }
        }
        target.kill();
        echo.ask(()).get().unwrap();
        let (told, late) = flipper
            .ask(FMsg::Report(target.actor_urn().to_owned()))
            .get()
            .unwrap();
        assert_eq!(
            late, 0,
            "iteration {i}: a notification came while not watching"
        );
        assert_eq!(
            told,
            u32::from(end_watching),
            "iteration {i}: {flips} watch/unwatch flips, ending {}: told {told} times",
            if end_watching {
                "watching"
            } else {
                "unwatched"
            }
        );
    }
    rt.shutdown().unwrap();
    ledger.assert_each_dropped_once("watch/unwatch vs kill");
}

// ==========================================================================================
// 3. Stop / kill of a parent while 100 children are mid-message.
enum KMsg {
    Hold,
    Count(Tok),
    Ping,
}

struct Kid {
    _own: Tok,
    stops: Arc<AtomicUsize>,
    handled: Arc<AtomicUsize>,
    entered: Arc<AtomicUsize>,
    latch: Arc<AtomicBool>,
}

impl Actor for Kid {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.stops.fetch_add(1, SeqCst);
    }
}

impl Receive for Kid {
    type Message = KMsg;
    type Reply = u32;
    fn on_receive(&mut self, m: KMsg, _: &mut Context<Self>) -> u32 {
        match m {
            KMsg::Hold => {
                self.entered.fetch_add(1, SeqCst);
                spin_until("the latch opens", || self.latch.load(SeqCst));
                self.handled.fetch_add(1, SeqCst);
                0
            }
            KMsg::Count(t) => {
                drop(t);
                self.handled.fetch_add(1, SeqCst);
                1
            }
            KMsg::Ping => 2,
        }
    }
}

struct Brood {
    _own: Tok,
    ledger: Arc<Ledger>,
    stops: Arc<AtomicUsize>,
    handled: Arc<AtomicUsize>,
    entered: Arc<AtomicUsize>,
    latch: Arc<AtomicBool>,
}

impl Actor for Brood {}

impl Receive for Brood {
    type Message = usize;
    type Reply = Vec<ActorRef<Kid>>;
    fn on_receive(&mut self, n: usize, ctx: &mut Context<Self>) -> Vec<ActorRef<Kid>> {
        (0..n)
            .map(|_| {
                ctx.start_child(Kid {
                    _own: self.ledger.tok(),
                    stops: Arc::clone(&self.stops),
                    handled: Arc::clone(&self.handled),
                    entered: Arc::clone(&self.entered),
                    latch: Arc::clone(&self.latch),
                })
            })
            .collect()
    }
}

/// Attacks the manual's "A stopping parent stops its children first, last started first; a
/// killed parent kills them" and supervision.rs "each finishing (its queued messages, then
/// on_stop)", with `kill`'s "every ask still queued fails with ActorDead, every tell still queued
/// becomes a dead letter". A parent with 100 children, two of which are mid-message on the two
/// workers and all of which have a tell and an ask queued: killed, every child is dead when
/// `kill` returns, no `on_stop` runs, every ask resolves, tells are handled or dead letters, the
/// watcher hears 101 `Killed`; stopped, every child handles its queue, runs `on_stop` once, and
/// the watcher hears 101 `Stopped`.
#[test]
fn stopping_or_killing_a_parent_while_100_children_are_mid_message_ends_each_child_once() {
    let _wd = watchdog("parent with 100 busy children", WATCHDOG);
    const KIDS: usize = 100;
    let ledger = Ledger::new(10_000);
    let rt = Arc::new(Runtime::builder().threads(2).build().unwrap());
    let (w, events) = watcher(&rt);
    for kill in [true, false] {
        let what = if kill { "kill" } else { "stop" };
        let stops = Arc::new(AtomicUsize::new(0));
        let handled = Arc::new(AtomicUsize::new(0));
        let entered = Arc::new(AtomicUsize::new(0));
        let latch = Arc::new(AtomicBool::new(false));
        let dead_before = rt.dead_letter_count() as usize;
        let brood = Brood {
            _own: ledger.tok(),
            ledger: Arc::clone(&ledger),
            stops: Arc::clone(&stops),
            handled: Arc::clone(&handled),
            entered: Arc::clone(&entered),
            latch: Arc::clone(&latch),
        }
        .start_in(&rt);
        let kids = brood.ask(KIDS).get().unwrap();
        w.ask(WMsg::Watch(brood.clone().into())).get().unwrap();
        for k in &kids {
            w.ask(WMsg::Watch(k.clone().into())).get().unwrap();
        }
        let mut pings = Vec::new();
        for k in &kids {
            k.tell(KMsg::Hold).unwrap();
            k.tell(KMsg::Count(ledger.tok())).unwrap();
            pings.push(k.ask(KMsg::Ping));
        }
        spin_until("two children are mid-message", || entered.load(SeqCst) >= 2);
        if kill {
            brood.kill();
            let alive = kids.iter().filter(|k| k.is_alive()).count();
            assert_eq!(
                alive, 0,
                "{what}: {alive} children alive after the parent's kill returned"
            );
            latch.store(true, SeqCst);
        } else {
            let stopping = brood.request_stop();
            latch.store(true, SeqCst);
            assert!(stopping.get_timeout(GUARD).expect("the parent stopped"));
            let alive = kids.iter().filter(|k| k.is_alive()).count();
            assert_eq!(
                alive, 0,
                "{what}: {alive} children alive after the parent stopped"
            );
        }
        let (mut ok, mut gone) = (0, 0);
        for p in pings {
            match p.get_timeout(GUARD) {
                Ok(2) => ok += 1,
                Err(Error::ActorDead(_)) => gone += 1,
                other => panic!("{what}: a ping resolved with {other:?}"),
            }
        }
        let mut seen = HashSet::new();
        for _ in 0..=KIDS {
            let (urn, reason) = events.recv_timeout(GUARD).expect("every death is told");
            assert!(seen.insert(urn), "{what}: an actor's death was told twice");
            let expected = if kill {
                StopReason::Killed
            } else {
                StopReason::Stopped
            };
            assert_eq!(reason, expected, "{what}");
        }
        let dead = rt.dead_letter_count() as usize - dead_before;
        assert_eq!(
            handled.load(SeqCst) + dead,
            2 * KIDS,
            "{what}: every Hold and Count handled or a dead letter"
        );
        if kill {
            assert_eq!(stops.load(SeqCst), 0, "kill: a child ran on_stop");
        } else {
            assert_eq!(stops.load(SeqCst), KIDS, "stop: on_stop once per child");
            assert_eq!(
                (ok, gone, dead),
                (KIDS, 0, 0),
                "stop: every queued message handled"
            );
        }
    }
    w.ask(WMsg::Sync).get().unwrap();
    assert!(events.try_recv().is_err(), "a death was told twice");
    w.stop();
    assert_join_returns(&rt, "parent with busy children");
    rt.shutdown().unwrap();
    ledger.assert_each_dropped_once("parent with busy children");
}
