//! Attack: races between shutdown / shutdown_timeout / runtime drop and running handlers, senders,
//! restart backoffs and kills, with exact message accounting, and mixes of dedicated and pooled
//! actors.
//!
//! Each payload (`Tok`) counts its own drop under its id, so "every message dropped exactly once"
//! is checked by id. Synchronisation is by channels, barriers, counters and futures; timeouts are
//! hang guards only (a spin on a condition has a deadline). A test that would hang on a bug detects
//! the hang itself (a bounded wait on a channel) and fails with a message, so that the other tests
//! of the file still run; the `watchdog` of each test is the last resort. The hang guards, the
//! watcher and the bounded waits are in `tests/common/stress_races.rs`.

mod common;

use common::gate;
use common::ledger::{Ledger, Tok};
use common::stress_races::{bounded, spin_until, GUARD, WATCHDOG};
use common::{watchdog, Rng};
use pykka::{promise, Actor, ActorRef, Context, Directive, Error, Future, Receive, Runtime};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier, Once};
use std::thread;
use std::time::{Duration, Instant};

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

// ==========================================================================================
// 1. Two shutdowns, one of which kills a handler that is still running.
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
// 2. shutdown_timeout's verdict when an actor is started during its graceful phase.
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
// 3. A handler killed by shutdown_timeout, blocking in get() afterwards.
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
// 4. An unregistered child waiting out a restart backoff when the runtime shuts down.
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
// 5. The last runtime handle inside an actor value that another thread kills.
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
// 6. shutdown_timeout racing senders, with dedicated and pooled actors asking each other.
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
