//! Attack: races between stop / kill / shutdown / shutdown_timeout / runtime drop and every kind
//! of send (tell, ask, proxy call and defer, schedule_tell, watch), with exact message
//! accounting, and mixes of dedicated and pooled actors.
//!
//! Each payload (`Tok`) counts its own drop under its id, so "every message dropped exactly
//! once" is checked by id. Synchronisation is by channels, barriers, counters and futures;
//! timeouts are hang guards only (a spin on a condition has a deadline). A test that would hang
//! on a bug detects the hang itself (a bounded wait on a channel) and fails with a message, so
//! that the other tests of the file still run; the `watchdog` of each test is the last resort.

mod common;

use common::ledger::{Ledger, Tok};
use common::{gate, watchdog, Rng};
use pykka::{
    promise, schedule_tell, Actor, ActorRef, AnyActorRef, Context, DeadLetterReason, Directive,
    Error, Future, Receive, Runtime, StopReason, Terminated,
};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier, Once};
use std::thread;
use std::time::{Duration, Instant};

/// Hang guard for one wait.
const GUARD: Duration = Duration::from_secs(20);

/// Watchdog for one test (seconds).
const WATCHDOG: u64 = 120;

/// Panics in handlers here are deliberate: keep the output readable.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let deliberate = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.starts_with("deliberate"));
            if !deliberate {
                default(info);
            }
        }));
    });
}

/// Spins (yielding) until `cond` holds; panics after the hang guard.
#[track_caller]
fn spin_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + GUARD;
    while !cond() {
        assert!(Instant::now() < deadline, "hang guard: {what}");
        thread::yield_now();
    }
}

/// Runs `f` on a thread of its own and waits at most `limit` for it: `None` if it did not
/// return (the thread is left behind, blocked: a hang detected without aborting the process).
fn bounded<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

// ------------------------------------------------------------------------------------------
// Payloads that count their own drops, by id.

// ------------------------------------------------------------------------------------------
// A watcher that reports every `Terminated` it is told.

enum WMsg {
    Watch(AnyActorRef),
    Sync,
}

struct Watcher {
    events: Sender<(String, StopReason)>,
}

impl Actor for Watcher {
    fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
        let _ = self.events.send((t.actor_urn().to_owned(), t.reason()));
    }
}

impl Receive for Watcher {
    type Message = WMsg;
    type Reply = ();
    fn on_receive(&mut self, m: WMsg, ctx: &mut Context<Self>) {
        match m {
            WMsg::Watch(a) => ctx.watch(&a),
            WMsg::Sync => {}
        }
    }
}

fn watcher(rt: &Runtime) -> (ActorRef<Watcher>, Receiver<(String, StopReason)>) {
    let (tx, rx) = mpsc::channel();
    (Watcher { events: tx }.start_in(rt), rx)
}

/// `rt.join()` returns (hang-guarded).
#[track_caller]
fn assert_join_returns(rt: &Arc<Runtime>, what: &str) {
    let rt = Arc::clone(rt);
    assert!(
        bounded(GUARD, move || rt.join()).is_some_and(|r| r.is_ok()),
        "{what}: Runtime::join did not return: an actor was never counted dead"
    );
}

// ==========================================================================================
// 1. Exact accounting of every kind of send while kills race it.

#[derive(Default)]
struct Tally {
    /// Tells, deferred calls and scheduled tells handled.
    tells: AtomicUsize,
    /// Asks and proxy calls handled.
    asks: AtomicUsize,
}

enum SMsg {
    Tell(Tok),
    Ask(Tok),
}

struct Sink {
    _own: Tok,
    tally: Arc<Tally>,
}

impl Actor for Sink {}

impl Receive for Sink {
    type Message = SMsg;
    type Reply = ();
    fn on_receive(&mut self, m: SMsg, _: &mut Context<Self>) {
        match m {
            SMsg::Tell(t) => {
                drop(t);
                self.tally.tells.fetch_add(1, SeqCst);
            }
            SMsg::Ask(t) => {
                drop(t);
                self.tally.asks.fetch_add(1, SeqCst);
            }
        }
    }
}

#[derive(Default)]
struct Sent {
    ops: AtomicUsize,
    /// Tells, defers and scheduled tells sent (accepted or not).
    tells: AtomicUsize,
    /// Tells and defers handed back (`TellError`, `ActorDeadError`).
    refused: AtomicUsize,
    asks: AtomicUsize,
    ask_ok: AtomicUsize,
    ask_dead: AtomicUsize,
}

fn resolve(pending: &mut Vec<Future<()>>, sent: &Sent) {
    for f in pending.drain(..) {
        match f.get_timeout(GUARD) {
            Ok(()) => sent.ask_ok.fetch_add(1, SeqCst),
            Err(Error::ActorDead(_)) => sent.ask_dead.fetch_add(1, SeqCst),
            Err(e) => panic!("an ask or proxy call resolved with {e:?} (a value or ActorDead)"),
        };
    }
}

fn accounting_round(threads: usize, round: u64, ledger: &Arc<Ledger>) {
    const ACTORS: usize = 8;
    const SENDERS: usize = 3;
    const OPS: usize = 600;
    let rt = Runtime::builder().threads(threads).build().unwrap();
    let (recipient_dead, left_in_mailbox) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let _sub = {
        let (rd, lm) = (Arc::clone(&recipient_dead), Arc::clone(&left_in_mailbox));
        rt.subscribe_dead_letters(move |d| {
            match d.reason() {
                DeadLetterReason::RecipientDead => rd.fetch_add(1, SeqCst),
                DeadLetterReason::LeftInMailbox => lm.fetch_add(1, SeqCst),
            };
        })
    };
    let tally = Arc::new(Tally::default());
    let actors: Vec<ActorRef<Sink>> = (0..ACTORS)
        .map(|_| {
            Sink {
                _own: ledger.tok(),
                tally: Arc::clone(&tally),
            }
            .start_in(&rt)
        })
        .collect();
    let proxies: Vec<_> = actors.iter().map(|a| a.proxy().unwrap()).collect();
    let sent = Sent::default();
    let go = Barrier::new(SENDERS + 1);
    thread::scope(|s| {
        for k in 0..SENDERS {
            let (actors, proxies, sent, go) = (&actors, &proxies, &sent, &go);
            s.spawn(move || {
                let mut rng = Rng(round * 1000 + k as u64 + threads as u64 * 17);
                let mut pending = Vec::new();
                go.wait();
                for op in 0..OPS {
                    let i = rng.below(ACTORS);
                    match rng.below(5) {
                        0 => {
                            sent.tells.fetch_add(1, SeqCst);
                            if let Err(e) = actors[i].tell(SMsg::Tell(ledger.tok())) {
                                sent.refused.fetch_add(1, SeqCst);
                                drop(e.into_inner());
                            }
                        }
                        1 => {
                            sent.asks.fetch_add(1, SeqCst);
                            pending.push(actors[i].ask(SMsg::Ask(ledger.tok())));
                        }
                        2 => {
                            sent.asks.fetch_add(1, SeqCst);
                            let t = ledger.tok();
                            pending.push(proxies[i].call(move |s: &mut Sink| {
                                drop(t);
                                s.tally.asks.fetch_add(1, SeqCst);
                            }));
                        }
                        3 => {
                            sent.tells.fetch_add(1, SeqCst);
                            let t = ledger.tok();
                            let r = proxies[i].defer(move |s: &mut Sink| {
                                drop(t);
                                s.tally.tells.fetch_add(1, SeqCst);
                            });
                            if r.is_err() {
                                sent.refused.fetch_add(1, SeqCst);
                            }
                        }
                        _ => {
                            sent.tells.fetch_add(1, SeqCst);
                            schedule_tell(&actors[i], SMsg::Tell(ledger.tok()), Duration::ZERO)
                                .expect("the runtime is up");
                        }
                    }
                    sent.ops.fetch_add(1, SeqCst);
                    if op % 32 == 31 {
                        resolve(&mut pending, sent);
                    }
                }
                resolve(&mut pending, sent);
            });
        }
        // The killer: kills every actor, one at a time, at points spread over the run.
        let mut rng = Rng(round ^ 0xdead);
        let mut order: Vec<usize> = (0..ACTORS).collect();
        for i in (1..ACTORS).rev() {
            order.swap(i, rng.below(i + 1));
        }
        go.wait();
        let total = SENDERS * OPS;
        for (j, &i) in order.iter().enumerate() {
            let at = (j + 1) * total / (ACTORS + 1);
            spin_until("senders make progress", || sent.ops.load(SeqCst) >= at);
            actors[i].kill();
            assert!(!actors[i].is_alive(), "alive after kill returned");
        }
    });
    // Every scheduled tell has been told (to a dead actor now: a dead letter).
    spin_until("scheduled tells are sent", || rt.pending_timers() == 0);
    rt.shutdown().unwrap();
    let handled_tells = tally.tells.load(SeqCst);
    let dead = rt.dead_letter_count() as usize;
    let (rd, lm) = (recipient_dead.load(SeqCst), left_in_mailbox.load(SeqCst));
    let tells = sent.tells.load(SeqCst);
    assert_eq!(
        handled_tells + dead,
        tells,
        "threads({threads}) round {round}: {tells} tells/defers/scheduled tells: {handled_tells} \
         handled + {dead} dead letters"
    );
    assert_eq!(
        rd + lm,
        dead,
        "every dead letter counted was shown to the subscriber"
    );
    assert!(
        rd >= sent.refused.load(SeqCst),
        "each tell handed back is a RecipientDead dead letter ({rd} < {})",
        sent.refused.load(SeqCst)
    );
    let (asks, ok, gone) = (
        sent.asks.load(SeqCst),
        sent.ask_ok.load(SeqCst),
        sent.ask_dead.load(SeqCst),
    );
    if round == 0 {
        eprintln!(
            "threads({threads}) round {round}: {tells} tells ({handled_tells} handled, {} handed \
             back, {rd} RecipientDead, {lm} LeftInMailbox), {asks} asks ({ok} ok, {gone} dead)",
            sent.refused.load(SeqCst)
        );
    }
    assert_eq!(ok + gone, asks, "every ask and proxy call resolved");
    assert_eq!(
        tally.asks.load(SeqCst),
        ok,
        "an ask answered Ok was handled, once"
    );
}

/// Attacks reliability.md "every message is dropped exactly once" and manual "A tell that
/// cannot be delivered, because its actor was dead or died with it still queued, is a
/// DeadLetter: the runtime counts it", and `kill`: "every ask still queued fails with
/// ActorDead, every tell still queued becomes a dead letter". Three senders send tells, asks,
/// proxy calls, proxy defers and scheduled tells to 8 actors while a fourth thread kills them
/// one by one, on 1, 2 and 8 workers: handled + dead letters = tells sent, every ask resolves
/// (Ok iff handled), every payload is dropped exactly once.
#[test]
fn every_send_racing_kills_is_handled_or_refused_or_a_dead_letter_exactly_once() {
    let _wd = watchdog("accounting under kills", WATCHDOG);
    let ledger = Ledger::new(400_000);
    for threads in [1, 2, 8] {
        for round in 0..10 {
            accounting_round(threads, round, &ledger);
        }
    }
    ledger.assert_each_dropped_once("sends racing kills");
}

// ==========================================================================================
// 2. stop() racing kill() on the same actor.

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
// 3. watch / unwatch cycles racing kill.

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
// 4. Stop / kill of a parent while 100 children are mid-message.

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

// ==========================================================================================
// 5. Two shutdowns, one of which kills a handler that is still running.

struct Slow {
    entered: Sender<()>,
    release: Receiver<()>,
    done: Arc<AtomicBool>,
}
impl Actor for Slow {}
impl Receive for Slow {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        self.entered.send(()).unwrap();
        // Ends by itself (a slow handler): a correct shutdown must wait for it, so it cannot
        // wait for the test. The test releases it early once a shutdown has returned.
        let _ = self.release.recv_timeout(Duration::from_millis(300));
        self.done.store(true, SeqCst);
    }
}

/// Attacks `Runtime::shutdown_timeout`: "A kill does not interrupt a handler that is running:
/// it takes effect when the handler returns, and the worker threads are then joined, so a
/// handler stuck far past the deadline keeps this call waiting for it", `shutdown` ("... then
/// stops the worker threads") and `Runtime::stopped` ("resolved once this runtime has shut
/// down"). One thread's `shutdown_timeout(1 ms)` kills a handler that is still running; a second
/// thread then calls `shutdown()`, and a third waits on `stopped()`. None of the three may return
/// while the killed handler still runs.
// Failed before its fix: "threads(1): `shutdown()` (the second call) returned while the killed handler was still
// running; threads(1): `stopped()` returned while the killed handler was still running;
// threads(2): [the same two]". Cause: `Shared::join_threads` (src/scheduler.rs) pops the join
// handles from one shared Vec; the second `finish_stopping` (src/runtime.rs) finds it emptied by
// the first caller (which is still joining the worker that runs the handler), goes on, and its
// `finish_shutdown` resolves `stopped()` and releases `join` early.
#[test]
fn a_second_shutdown_and_stopped_do_not_return_while_a_killed_handler_still_runs() {
    let _wd = watchdog("concurrent shutdowns", WATCHDOG);
    let mut failures = Vec::new();
    for threads in [1, 2] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        let done = Arc::new(AtomicBool::new(false));
        let slow = Slow {
            entered: entered_tx,
            release: release_rx,
            done: Arc::clone(&done),
        }
        .start_in(&rt);
        slow.tell(()).unwrap();
        entered.recv_timeout(GUARD).unwrap();
        let stopped = rt.stopped();
        let (tx, results) = mpsc::channel::<(&'static str, bool)>();
        thread::scope(|s| {
            let (rt, done, slow) = (&rt, &done, &slow);
            let t = tx.clone();
            s.spawn(move || {
                let r = rt.shutdown_timeout(Duration::from_millis(1));
                assert_eq!(r, Ok(false), "the running handler was killed");
                t.send((
                    "`shutdown_timeout(1 ms)` (the first call)",
                    done.load(SeqCst),
                ))
                .unwrap();
            });
            spin_until("the first shutdown kills the handler's actor", || {
                !slow.is_alive()
            });
            let t = tx.clone();
            s.spawn(move || {
                rt.shutdown().unwrap();
                t.send(("`shutdown()` (the second call)", done.load(SeqCst)))
                    .unwrap();
            });
            let t = tx.clone();
            s.spawn(move || {
                stopped.get_timeout(GUARD).unwrap();
                t.send(("`stopped()`", done.load(SeqCst))).unwrap();
            });
            for k in 0..3 {
                let (what, finished) = results.recv_timeout(GUARD).expect("hang guard");
                if !finished {
                    failures.push(format!(
                        "threads({threads}): {what} returned while the killed handler was still running"
                    ));
                }
                if k == 0 {
                    let _ = release.send(());
                }
            }
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("; "));
}

// ==========================================================================================
// 6. shutdown_timeout's verdict when an actor is started during its graceful phase.

struct Late {
    stops: Arc<AtomicUsize>,
}
impl Actor for Late {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.stops.fetch_add(1, SeqCst);
    }
}
impl Receive for Late {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

/// Starts a `Late` actor from its `on_stop`, and waits until it has started.
struct Founder {
    rt: &'static Runtime,
    stops: Arc<AtomicUsize>,
    late: Sender<ActorRef<Late>>,
}
impl Actor for Founder {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        let late = Late {
            stops: Arc::clone(&self.stops),
        }
        .start_in(self.rt);
        late.ask(()).get().expect("the late actor started");
        self.late.send(late).unwrap();
    }
}

/// Attacks `Runtime::shutdown_timeout`: "actors are stopped as by stop_all, last started
/// first, while time remains; those still alive when timeout has passed are killed. Ok(true) if
/// every actor stopped gracefully." An actor's `on_stop` starts (and talks to) a new actor
/// while `shutdown_timeout(5 s)` runs: with seconds to spare, the new actor must be stopped
/// (its `on_stop` runs), or else the call must not report `Ok(true)`.
// Failed before its fix: "shutdown_timeout returned Ok(true) (every actor stopped gracefully), but an actor
// started during it, with 5 s to spare, was killed: its on_stop ran 0 times". Cause:
// `Runtime::shutdown_timeout` (src/runtime.rs) stops only the `registered()` snapshot taken at
// its start; `finish_stopping` then kills whatever registered since (`cell.kill()` over
// `registry.all()`) without touching `graceful`.
#[test]
fn shutdown_timeout_reports_ok_true_only_if_no_actor_was_killed() {
    let _wd = watchdog("shutdown_timeout verdict", WATCHDOG);
    let rt: &'static Runtime = Box::leak(Box::new(Runtime::builder().threads(2).build().unwrap()));
    let stops = Arc::new(AtomicUsize::new(0));
    let (tx, late_rx) = mpsc::channel();
    let _founder = Founder {
        rt,
        stops: Arc::clone(&stops),
        late: tx,
    }
    .start_in(rt);
    let verdict = rt.shutdown_timeout(Duration::from_secs(5));
    let late = late_rx
        .recv_timeout(GUARD)
        .expect("on_stop started the late actor");
    assert!(!late.is_alive(), "the late actor survived shutdown");
    let late_stops = stops.load(SeqCst);
    assert!(
        late_stops == 1 || verdict == Ok(false),
        "shutdown_timeout returned {verdict:?} (every actor stopped gracefully), but an actor \
         started during it, with 5 s to spare, was killed: its on_stop ran {late_stops} times"
    );
}

// ==========================================================================================
// 7. A handler killed by shutdown_timeout, blocking in get() afterwards.

struct Probe;
impl Actor for Probe {}

struct Holdout {
    entered: Sender<()>,
}
impl Actor for Holdout {}

struct Wait {
    fut: Future<u32>,
    go: Receiver<()>,
    about: Sender<()>,
    out: Sender<Result<u32, Error>>,
}

impl Receive for Holdout {
    type Message = Wait;
    type Reply = ();
    fn on_receive(&mut self, w: Wait, _: &mut Context<Self>) {
        self.entered.send(()).unwrap();
        w.go.recv_timeout(GUARD).expect("hang guard: go");
        w.about.send(()).unwrap();
        let r = w.fut.get();
        let _ = w.out.send(r);
    }
}

/// Attacks `Runtime::shutdown_timeout` ("A kill does not interrupt a handler that is running:
/// it takes effect when the handler returns") and the manual's "A handler may block in get() on
/// another actor's reply ... (at most max_spare_threads, default 4096; beyond that the wait fails
/// with Error::PoolExhausted)". A handler that `shutdown_timeout(1 ms)` killed goes on running
/// and then blocks in `get()` on a promise that the test sets: with no spare thread in use it
/// must get the value, not an error.
// Failed before its fix: "iteration 0: the killed handler's get() returned Err(PoolExhausted(PoolExhausted {
// threads: 1, max_spare_threads: 4096 })) before the promise was set" (all 5 iterations).
// Cause: once the shutdown flag is set, `release_slot_for_blocking` (src/scheduler.rs) calls
// `Spares::hand_off(.., shutting_down = true)` (src/spares.rs), which refuses, and
// `blocking::wait` (src/blocking.rs) returns that refusal as PoolExhausted with no cap reached.
#[test]
fn a_handler_killed_by_shutdown_timeout_still_gets_its_reply_from_get() {
    let _wd = watchdog("killed handler blocking in get", WATCHDOG);
    let mut failures = Vec::new();
    for i in 0..5 {
        let rt = Runtime::builder().threads(1).build().unwrap();
        let (entered_tx, entered) = mpsc::channel();
        let h = Holdout {
            entered: entered_tx,
        }
        .start_in(&rt);
        let (p, fut) = promise::<u32>();
        let (go, go_rx) = mpsc::channel();
        let (about_tx, about) = mpsc::channel();
        let (out_tx, out) = mpsc::channel();
        h.tell(Wait {
            fut,
            go: go_rx,
            about: about_tx,
            out: out_tx,
        })
        .unwrap();
        entered.recv_timeout(GUARD).unwrap();
        thread::scope(|s| {
            let rt = &rt;
            let shutting = s.spawn(move || rt.shutdown_timeout(Duration::from_millis(1)));
            spin_until("shutdown_timeout kills the handler's actor", || {
                !h.is_alive()
            });
            // The shutdown flag is set once actors are born dead.
            spin_until("the shutdown flag is set", || {
                !Probe.start_in(rt).is_alive()
            });
            go.send(()).unwrap();
            about.recv_timeout(GUARD).expect("the handler goes on");
            // Give a wrong early answer a moment to show (a correct get() blocks until the
            // promise is set, whenever that is).
            let deadline = Instant::now() + Duration::from_millis(100);
            let mut early = None;
            while Instant::now() < deadline {
                if let Ok(r) = out.try_recv() {
                    early = Some(r);
                    break;
                }
                thread::yield_now();
            }
            p.set(7);
            match early {
                Some(r) => failures.push(format!(
                    "iteration {i}: the killed handler's get() returned {r:?} before the \
                     promise was set"
                )),
                None => {
                    let r = out
                        .recv_timeout(GUARD)
                        .expect("hang guard: the handler's get()");
                    if !matches!(r, Ok(7)) {
                        failures.push(format!("iteration {i}: get() returned {r:?}, not Ok(7)"));
                    }
                }
            }
            assert_eq!(shutting.join().unwrap(), Ok(false));
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("; "));
}

// ==========================================================================================
// 8. An unregistered child waiting out a restart backoff when the runtime shuts down.

enum K2 {
    Boom,
    Ping,
}

struct Kid2;
impl Actor for Kid2 {}
impl Receive for Kid2 {
    type Message = K2;
    type Reply = u32;
    fn on_receive(&mut self, m: K2, _: &mut Context<Self>) -> u32 {
        match m {
            K2::Boom => panic!("deliberate panic: restart with a long backoff"),
            K2::Ping => 1,
        }
    }
}

struct Nest;
impl Actor for Nest {}
impl Receive for Nest {
    type Message = ();
    type Reply = ActorRef<Kid2>;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Kid2> {
        ctx.child(|| Kid2)
            .on_panic(Directive::Restart)
            .backoff(Duration::from_secs(60), Duration::from_secs(60))
            .start()
    }
}

/// Attacks reliability.md "every ask resolves (a value or ActorDead) while other threads stop
/// actors, call stop_all, or shut the runtime down" and `Builder::register_actors` ("shutdown
/// cannot stop what it cannot find, so such actors get no on_stop at shutdown (their mailboxes
/// are answered when next messaged)"). On a runtime that does not register actors, a child
/// waits out a 60 s restart backoff (its token is held by the timer) with an ask queued; the
/// runtime shuts down. The queued ask, and an ask sent afterwards, must resolve.
// Failed before its fix: "after shutdown: the ask queued during the backoff gave Err(Timeout(Timeout { after:
// 2s })), an ask sent after shutdown gave Err(Timeout(Timeout { after: 2s })) ...; a tell after
// shutdown returned Ok and made 0 dead letters". Cause: `Timers::stop` (src/timer.rs) drops the
// task of `Cell::hold` (src/cell.rs) that owns the actor's token; the mailbox stays `scheduled`
// with no token anywhere, so `push_with` only queues and nothing ever runs or abandons it (and
// each ask's future keeps the cell alive as its inline target, so `Drop for Cell` never answers
// it either): `get()` hangs for ever.
#[test]
fn asks_to_an_unregistered_child_in_restart_backoff_resolve_after_shutdown() {
    let _wd = watchdog("backoff at shutdown", WATCHDOG);
    quiet_panics();
    let rt = Runtime::builder()
        .threads(1)
        .register_actors(false)
        .build()
        .unwrap();
    let nest = Nest.start_in(&rt);
    let kid = nest.ask(()).get().unwrap();
    assert_eq!(kid.ask(K2::Ping).get().unwrap(), 1);
    kid.tell(K2::Boom).unwrap();
    spin_until("the restart backoff is pending", || {
        rt.pending_timers() == 1
    });
    let queued = kid.ask(K2::Ping);
    rt.shutdown().unwrap();
    let limit = Duration::from_secs(2);
    let queued = queued.get_timeout(limit);
    let later = kid.ask(K2::Ping).get_timeout(limit);
    let dead_before = rt.dead_letter_count();
    let told = kid.tell(K2::Ping).is_ok();
    let dead_after = rt.dead_letter_count();
    let resolved = |r: &Result<u32, Error>| matches!(r, Ok(1) | Err(Error::ActorDead(_)));
    assert!(
        resolved(&queued) && resolved(&later),
        "after shutdown: the ask queued during the backoff gave {queued:?}, an ask sent after \
         shutdown gave {later:?} (a value or ActorDead expected; Timeout = hang); a tell after \
         shutdown returned {} and made {} dead letters",
        if told { "Ok" } else { "Err" },
        dead_after - dead_before
    );
}

// ==========================================================================================
// 9. The last runtime handle inside an actor value that another thread kills.

struct Holder {
    rt: Option<Arc<Runtime>>,
    dropping: Sender<()>,
}
impl Drop for Holder {
    fn drop(&mut self) {
        // Signals first; the runtime handle (a field) is dropped right after this returns.
        let _ = self.dropping.send(());
        assert!(self.rt.is_some());
    }
}
impl Actor for Holder {}
impl Receive for Holder {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

struct Gated {
    gate: common::Gate,
}
impl Actor for Gated {}
impl Receive for Gated {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        self.gate.pass();
    }
}

/// Attacks the manual's "Dropping a private runtime shuts it down the same way" (and
/// runtime.rs: "The last handle may be dropped on one of the runtime's own threads ... the
/// shutdown then runs on a thread of its own") with `kill`: "Kills the actor ... no hook runs".
/// The last `Arc<Runtime>` lives in an actor's value; another thread kills that actor while it
/// is idle but has a message queued (its token waits behind a busy actor on the one worker).
/// The kill drops the value, so the runtime shuts down: `kill` must return and the runtime must
/// stop.
// Failed before its fix: "kill() never returned within 5 s: deadlock (the kill dropped the last runtime handle,
// whose shutdown waits for the worker)". Cause (confirmed with gdb): `AnyCell::kill`
// (src/cell/any_cell.rs) keeps the actor's core locked (the `try_lock` guard) while `retire`
// drops the value; the value drops the last runtime handle, so `Runtime::drop` runs `shutdown`
// on the killer's thread and waits in `Shared::join_threads`; the worker has meanwhile popped
// the killed actor's queued token and blocks on that same core lock in `Cell::run_batch`
// (src/cell.rs).
#[test]
fn killing_an_actor_whose_value_holds_the_last_runtime_handle_shuts_the_runtime_down() {
    let _wd = watchdog("kill drops the last runtime handle", WATCHDOG);
    let rt = Arc::new(Runtime::builder().threads(1).build().unwrap());
    let (ctl, g) = gate();
    let gated = Gated { gate: g }.start_in(&rt);
    gated.tell(()).unwrap();
    ctl.wait_entered();
    let (dropping, dropped) = mpsc::channel();
    let holder = Holder {
        rt: Some(Arc::clone(&rt)),
        dropping,
    }
    .start_in(&rt);
    // Queued behind the gated actor on the one worker (with its first activation).
    holder.tell(()).unwrap();
    let stopped = rt.stopped();
    drop(rt); // the holder's value has the last handle now
              // Once the value is being dropped (the shutdown begins), let the worker go on.
    thread::spawn(move || {
        if dropped.recv_timeout(GUARD).is_ok() {
            ctl.open();
        }
    });
    let killed = {
        let holder = holder.clone();
        bounded(Duration::from_secs(5), move || holder.kill())
    };
    assert!(
        killed.is_some(),
        "kill() never returned within 5 s: deadlock (the kill dropped the last runtime handle, \
         whose shutdown waits for the worker)"
    );
    assert!(stopped.get_timeout(GUARD).is_ok(), "the runtime shut down");
    assert!(!gated.is_alive() && !holder.is_alive());
}

// ==========================================================================================
// 10. shutdown_timeout racing senders, with dedicated and pooled actors asking each other.

enum NMsg {
    Add(Tok),
    Get,
    Relay,
}

type NReply = Result<u64, Error>;

struct Node {
    _own: Tok,
    handled: Arc<AtomicUsize>,
    mine: u64,
    next: Vec<ActorRef<Node>>,
    pick: usize,
}

impl Actor for Node {}

impl Receive for Node {
    type Message = NMsg;
    type Reply = NReply;
    fn on_receive(&mut self, m: NMsg, _: &mut Context<Self>) -> NReply {
        match m {
            NMsg::Add(t) => {
                drop(t);
                self.handled.fetch_add(1, SeqCst);
                self.mine += 1;
                Ok(self.mine)
            }
            NMsg::Get => Ok(self.mine),
            NMsg::Relay if self.next.is_empty() => Ok(self.mine),
            NMsg::Relay => {
                self.pick += 1;
                let next = &self.next[self.pick % self.next.len()];
                // Blocks inside the handler: pooled on a dedicated actor, dedicated on a pooled.
                next.ask(NMsg::Relay).get().and_then(|r| r)
            }
        }
    }
}

fn shutdown_timeout_round(threads: usize, round: u64, ledger: &Arc<Ledger>) {
    const SENDERS: usize = 3;
    const OPS: usize = 500;
    let rt = Arc::new(
        Runtime::builder()
            .threads(threads)
            .max_spare_threads(1024)
            .build()
            .unwrap(),
    );
    let pooled_handled = Arc::new(AtomicUsize::new(0));
    let dedicated_handled = Arc::new(AtomicUsize::new(0));
    let node = |handled: &Arc<AtomicUsize>, next: Vec<ActorRef<Node>>| Node {
        _own: ledger.tok(),
        handled: Arc::clone(handled),
        mine: 0,
        next,
        pick: 0,
    };
    let leaves: Vec<_> = (0..4)
        .map(|_| node(&pooled_handled, vec![]).start_in(&rt))
        .collect();
    // Dedicated (the global runtime) relaying to pooled leaves.
    let dedicated: Vec<_> = (0..2)
        .map(|_| node(&dedicated_handled, leaves.clone()).start_dedicated())
        .collect();
    // Pooled relaying to the dedicated ones.
    let mids: Vec<_> = (0..4)
        .map(|_| node(&pooled_handled, dedicated.clone()).start_in(&rt))
        .collect();
    let pooled: Vec<ActorRef<Node>> = leaves.iter().chain(&mids).cloned().collect();
    let all: Vec<(bool, ActorRef<Node>)> = pooled
        .iter()
        .map(|a| (false, a.clone()))
        .chain(dedicated.iter().map(|a| (true, a.clone())))
        .collect();
    let stopped = rt.stopped();
    let (told_pooled, told_dedicated) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let (values, dead) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let midway = Barrier::new(SENDERS + 1);
    let what = format!("threads({threads}) round {round}");
    thread::scope(|s| {
        for k in 0..SENDERS {
            let (all, midway, told_pooled, told_dedicated, values, dead, what) = (
                &all,
                &midway,
                &told_pooled,
                &told_dedicated,
                &values,
                &dead,
                &what,
            );
            s.spawn(move || {
                let mut rng = Rng(round * 31 + k as u64 + threads as u64 * 1000);
                let mut pending: Vec<Future<NReply>> = Vec::new();
                let settle = |pending: &mut Vec<Future<NReply>>| {
                    for f in pending.drain(..) {
                        match f.get_timeout(GUARD) {
                            Ok(Ok(_)) => values.fetch_add(1, SeqCst),
                            Ok(Err(Error::ActorDead(_))) | Err(Error::ActorDead(_)) => {
                                dead.fetch_add(1, SeqCst)
                            }
                            Err(Error::Timeout(_)) => panic!("{what}: an ask hung"),
                            other => panic!("{what}: an ask resolved with {other:?}"),
                        };
                    }
                };
                for op in 0..OPS {
                    if op == OPS / 2 {
                        midway.wait();
                    }
                    let (is_dedicated, a) = &all[rng.below(all.len())];
                    match rng.below(4) {
                        0 | 1 => {
                            let counter = if *is_dedicated {
                                told_dedicated
                            } else {
                                told_pooled
                            };
                            counter.fetch_add(1, SeqCst);
                            let _ = a.tell(NMsg::Add(ledger.tok()));
                        }
                        2 => pending.push(a.ask(NMsg::Relay)),
                        _ => pending.push(a.ask(NMsg::Get)),
                    }
                    if op % 16 == 15 {
                        settle(&mut pending);
                    }
                }
                settle(&mut pending);
            });
        }
        let (rt2, rt3) = (Arc::clone(&rt), Arc::clone(&rt));
        let joiner = s.spawn(move || rt2.join());
        midway.wait();
        let ms = Rng(round + threads as u64).below(5) as u64;
        let verdict = rt3.shutdown_timeout(Duration::from_millis(ms));
        assert!(
            verdict.is_ok(),
            "{what}: shutdown_timeout returned {verdict:?}"
        );
        assert!(
            stopped.is_ready(),
            "{what}: stopped() not resolved after shutdown_timeout"
        );
        assert!(joiner.join().unwrap().is_ok(), "{what}: join");
    });
    for d in &dedicated {
        d.stop();
    }
    assert!(
        pooled.iter().all(|a| !a.is_alive()),
        "{what}: a pooled actor survived"
    );
    let dead_letters = rt.dead_letter_count() as usize;
    assert_eq!(
        pooled_handled.load(SeqCst) + dead_letters,
        told_pooled.load(SeqCst),
        "{what}: tells to pooled actors: handled + dead letters"
    );
    assert_eq!(
        dedicated_handled.load(SeqCst),
        told_dedicated.load(SeqCst),
        "{what}: tells to dedicated actors (alive throughout) all handled"
    );
    eprintln!(
        "{what}: {} asks answered, {} ActorDead, {dead_letters} dead letters",
        values.load(SeqCst),
        dead.load(SeqCst)
    );
}

/// Attacks reliability.md "every ask resolves (a value or ActorDead) while other threads ...
/// shut the runtime down", `Runtime::shutdown_timeout` ("those still alive when timeout has
/// passed are killed"), `Runtime::stopped` and `Runtime::join`, on 1, 2 and 8 workers, with
/// pooled actors blocking on dedicated ones and dedicated ones blocking on pooled ones (the
/// manual's "Dedicated threads" and "Blocking inside handlers"). Three senders tell and ask
/// while `shutdown_timeout(0..5 ms)` kills the pool's actors mid-relay: every ask resolves,
/// `shutdown_timeout` returns with `stopped()` resolved, a racing `join` returns, tells are
/// handled or dead letters, every payload is dropped exactly once.
#[test]
fn shutdown_timeout_racing_senders_across_dedicated_and_pooled_actors_resolves_everything() {
    let _wd = watchdog("shutdown_timeout vs senders, dedicated mix", WATCHDOG);
    let ledger = Ledger::new(100_000);
    for threads in [1, 2, 8] {
        for round in 0..3 {
            shutdown_timeout_round(threads, round, &ledger);
        }
    }
    ledger.assert_each_dropped_once("shutdown_timeout vs senders");
}
