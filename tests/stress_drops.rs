//! Issue F (reliability): every message, reply and actor value is dropped exactly once, whatever
//! happens to it: handled, left in a mailbox at stop, failure or shutdown, handed back by a tell
//! to a dead actor, carried by an ask whose future was dropped, or a reply nobody reads.
//!
//! Each payload is a `Tok` with a unique id; its `Drop` counts per id, so a leak (0 drops) and a
//! double drop (2) are both caught and named. Synchronisation is by channels, barriers and
//! futures (mailbox FIFO order: a later ask's reply proves the earlier messages were handled);
//! every timeout is a hang guard only.

mod common;

use common::ledger::{Ledger, Tok};
use common::{watchdog, Rng};
use pykka::{Actor, ActorRef, Context, Error, Failure, Future, Receive, Runtime};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Barrier, Mutex, Once};
use std::thread;
use std::time::Duration;

/// Hang guard for one wait.
const GUARD: Duration = Duration::from_secs(20);

/// `debug` in debug builds (what CI runs), `release` otherwise.
fn scale(debug: usize, release: usize) -> usize {
    if cfg!(debug_assertions) {
        debug
    } else {
        release
    }
}

/// Panics in handlers here are deliberate: keep the output readable (other panics, such as a
/// failed assertion, are still reported).
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

enum Msg {
    /// Kept in the actor's stash (dropped with the actor value).
    Keep(Tok),
    /// Dropped by the handler.
    Eat(Tok),
    /// Sent back as the reply.
    Echo(Tok),
    /// Replies with a fresh token.
    Make,
    /// Signals entry, then blocks until released: messages pile up behind it.
    Gate(Sender<()>, Receiver<()>),
    /// Panics holding the token (dropped while unwinding).
    Panic(Tok),
    /// Queues a stop of itself (behind what is queued), keeping the token.
    StopSelf(Tok),
    /// Replies `None`: a barrier in mailbox order.
    Sync,
}

struct Sink {
    ledger: Arc<Ledger>,
    stash: Vec<Tok>,
}

impl Sink {
    fn new(ledger: &Arc<Ledger>) -> Sink {
        // The actor value owns a token too: it must be dropped once, when the actor dies.
        Sink {
            ledger: Arc::clone(ledger),
            stash: vec![ledger.tok()],
        }
    }
}

impl Actor for Sink {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.stash.push(self.ledger.tok());
    }

    fn on_failure(&mut self, _: &Failure, _: &mut Context<Self>) {
        self.stash.push(self.ledger.tok());
    }
}

impl Receive for Sink {
    type Message = Msg;
    type Reply = Option<Tok>;
    fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> Option<Tok> {
        match m {
            Msg::Keep(t) => {
                self.stash.push(t);
                None
            }
            Msg::Eat(t) => {
                drop(t);
                None
            }
            Msg::Echo(t) => Some(t),
            Msg::Make => Some(self.ledger.tok()),
            Msg::Gate(entered, release) => {
                entered.send(()).unwrap();
                // Released by a send or by dropping the sender.
                let r = release.recv_timeout(GUARD);
                assert_ne!(
                    r,
                    Err(RecvTimeoutError::Timeout),
                    "hang guard: gate never released"
                );
                None
            }
            Msg::Panic(t) => {
                let _held = t;
                panic!("deliberate panic holding a token");
            }
            Msg::StopSelf(t) => {
                self.stash.push(t);
                ctx.stop();
                None
            }
            Msg::Sync => None,
        }
    }
}

/// An actor that does nothing.
struct Probe;
impl Actor for Probe {}

fn runtime(threads: usize) -> Runtime {
    Runtime::builder().threads(threads).build().unwrap()
}

/// Blocks the actor in a handler; send on (or drop) the returned sender to release it.
fn gate(actor: &ActorRef<Sink>) -> (Sender<()>, Future<Option<Tok>>) {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let f = actor.ask(Msg::Gate(entered_tx, release_rx));
    entered_rx
        .recv_timeout(GUARD)
        .expect("hang guard: gate never entered");
    (release_tx, f)
}

/// Tells and asks a mix of messages; returns the ask futures.
fn fill(actor: &ActorRef<Sink>, ledger: &Arc<Ledger>, n: usize) -> Vec<Future<Option<Tok>>> {
    let mut futures = Vec::new();
    for i in 0..n {
        match i % 5 {
            0 => actor.tell(Msg::Keep(ledger.tok())).unwrap(),
            1 => actor.tell(Msg::Eat(ledger.tok())).unwrap(),
            2 => futures.push(actor.ask(Msg::Echo(ledger.tok()))),
            3 => futures.push(actor.ask(Msg::Make)),
            _ => futures.push(actor.ask(Msg::Keep(ledger.tok()))),
        }
    }
    futures
}

#[test]
fn messages_left_in_the_mailbox_at_stop_are_dropped_once() {
    let ledger = Ledger::new(100_000);
    let n = scale(2_000, 20_000);
    let rt = runtime(2);
    let actor = Sink::new(&ledger).start_in(&rt);
    let (release, gated) = gate(&actor);
    // Before the stop: handled. After it: left in the mailbox, dropped when the actor stops.
    let before = fill(&actor, &ledger, n);
    let stopped = actor.request_stop();
    let after = fill(&actor, &ledger, n);
    // Proxy calls and defers left behind too: their closures own tokens.
    let proxy = actor.proxy().unwrap();
    let late_calls: Vec<_> = (0..n / 10)
        .map(|_| {
            let t = ledger.tok();
            proxy.call(move |_| t)
        })
        .collect();
    for _ in 0..n / 10 {
        let t = ledger.tok();
        proxy.defer(move |_| drop(t)).unwrap();
    }
    release.send(()).unwrap();
    assert!(gated.get_timeout(GUARD).unwrap().is_none());
    assert!(stopped.get_timeout(GUARD).unwrap());
    for f in before {
        assert!(
            f.get_timeout(GUARD).is_ok(),
            "asked before the stop: handled"
        );
    }
    for f in after {
        assert!(
            matches!(f.get_timeout(GUARD), Err(Error::ActorDead(_))),
            "asked after the stop: ActorDead"
        );
    }
    for f in late_calls {
        assert!(matches!(f.get_timeout(GUARD), Err(Error::ActorDead(_))));
    }
    // The actor value (and its stash) went when it stopped, not when the last reference goes.
    ledger.assert_each_dropped_once("stress_drops");
    drop(actor);
    drop(rt);
    ledger.assert_each_dropped_once("stress_drops");
}

#[test]
fn messages_around_a_self_stop_or_behind_a_tell_panic_are_dropped_once() {
    quiet_panics();
    let ledger = Ledger::new(100_000);
    let n = scale(1_000, 10_000);
    let rt = runtime(2);
    for kind in 0..2 {
        let actor = Sink::new(&ledger).start_in(&rt);
        let (release, _gated) = gate(&actor);
        let before = fill(&actor, &ledger, n);
        if kind == 0 {
            actor.tell(Msg::StopSelf(ledger.tok())).unwrap();
        } else {
            actor.tell(Msg::Panic(ledger.tok())).unwrap();
        }
        let after = fill(&actor, &ledger, n);
        drop(release);
        for f in before {
            assert!(f.get_timeout(GUARD).is_ok());
        }
        for f in after {
            let r = f.get_timeout(GUARD);
            if kind == 0 {
                // A self-stop is queued behind everything already in the mailbox.
                assert!(r.is_ok(), "queued before the self-stop: handled, got {r:?}");
            } else {
                assert!(
                    matches!(r, Err(Error::ActorDead(_))),
                    "behind a tell panic: {r:?}"
                );
            }
        }
        // Behind a self-stop, new messages are refused once it ran.
        let _ = actor.ask(Msg::Sync).get_timeout(GUARD);
        assert!(!actor.is_alive());
        assert!(actor.tell(Msg::Eat(ledger.tok())).is_err());
    }
    ledger.assert_each_dropped_once("stress_drops");
    drop(rt);
    ledger.assert_each_dropped_once("stress_drops");
}

#[test]
fn messages_sent_to_dead_actors_are_handed_back_or_dropped_once() {
    let ledger = Ledger::new(100_000);
    let n = scale(2_000, 20_000);
    let rt = runtime(2);
    let actor = Sink::new(&ledger).start_in(&rt);
    assert!(actor.stop());
    let proxy_target = Sink::new(&ledger).start_in(&rt);
    let proxy = proxy_target.proxy().unwrap();
    assert!(proxy_target.stop());
    for i in 0..n {
        match i % 6 {
            0 => {
                // The message comes back whole: the same token, dropped here.
                let t = ledger.tok();
                let id = t.id;
                let back = actor.tell(Msg::Keep(t)).unwrap_err().into_inner();
                assert!(matches!(back, Msg::Keep(ref t) if t.id == id));
            }
            1 => drop(actor.tell(Msg::Eat(ledger.tok())).unwrap_err()), // error dropped whole
            2 => {
                let err: pykka::ActorDeadError =
                    actor.tell(Msg::Echo(ledger.tok())).unwrap_err().into();
                assert!(err.message().ends_with("not found"));
            }
            3 => assert!(matches!(
                actor.ask(Msg::Echo(ledger.tok())).get_timeout(GUARD),
                Err(Error::ActorDead(_))
            )),
            4 => drop(actor.ask(Msg::Keep(ledger.tok()))), // failed future dropped unread
            _ => {
                let t = ledger.tok();
                let u = ledger.tok();
                assert!(proxy.defer(move |_| drop(t)).is_err());
                assert!(matches!(
                    proxy.call(move |_| u).get_timeout(GUARD),
                    Err(Error::ActorDead(_))
                ));
            }
        }
    }
    ledger.assert_each_dropped_once("stress_drops");
    drop(rt);
}

#[test]
fn asks_whose_futures_are_dropped_drop_message_and_reply_once() {
    let ledger = Ledger::new(200_000);
    let n = scale(2_000, 20_000);
    let rt = runtime(2);
    let actor = Sink::new(&ledger).start_in(&rt);
    // Dropped before handling (the actor is gated), then racing the handler.
    let (release, _gated) = gate(&actor);
    for i in 0..n {
        drop(match i % 3 {
            0 => actor.ask(Msg::Echo(ledger.tok())),
            1 => actor.ask(Msg::Make),
            _ => actor.ask(Msg::Eat(ledger.tok())),
        });
    }
    drop(release);
    for i in 0..n {
        let f = match i % 2 {
            0 => actor.ask(Msg::Echo(ledger.tok())),
            _ => actor.ask(Msg::Make),
        };
        if i % 3 == 0 {
            thread::yield_now();
        }
        drop(f);
    }
    // Derived futures dropped unread.
    for _ in 0..n / 10 {
        drop(actor.ask(Msg::Make).map(|t| t.map(|t| t.id)));
        drop(
            actor
                .ask(Msg::Make)
                .join([actor.ask(Msg::Echo(ledger.tok()))]),
        );
    }
    // Mailbox order: once Sync is answered, every reply above was set (and dropped).
    assert!(actor.ask(Msg::Sync).get_timeout(GUARD).unwrap().is_none());
    assert!(actor.stop());
    ledger.assert_each_dropped_once("stress_drops");
    drop(rt);
}

#[test]
fn replies_nobody_reads_are_dropped_once_with_their_futures() {
    let ledger = Ledger::new(100_000);
    let n = scale(2_000, 20_000);
    let rt = runtime(2);
    let actor = Sink::new(&ledger).start_in(&rt);
    let unread: Vec<_> = (0..n)
        .map(|i| match i % 2 {
            0 => actor.ask(Msg::Echo(ledger.tok())),
            _ => actor.ask(Msg::Make),
        })
        .collect();
    assert!(actor.ask(Msg::Sync).get_timeout(GUARD).unwrap().is_none());
    assert!(unread.iter().all(Future::is_ready));
    // The replies are held by their futures: made and not dropped yet.
    let live = ledger.made() - ledger.dropped();
    assert!(
        live >= n,
        "{live} tokens alive, expected at least the {n} replies"
    );
    drop(unread);
    assert!(actor.stop());
    ledger.assert_each_dropped_once("stress_drops");
    drop(rt);
}

#[test]
fn ask_panics_drop_the_message_once_and_the_actor_lives_on() {
    quiet_panics();
    let ledger = Ledger::new(100_000);
    let n = scale(500, 5_000);
    let rt = runtime(2);
    let actor = Sink::new(&ledger).start_in(&rt);
    for _ in 0..n {
        let r = actor.ask(Msg::Panic(ledger.tok())).get_timeout(GUARD);
        assert!(matches!(r, Err(Error::Panicked(_))), "got {r:?}");
    }
    assert!(actor.is_alive());
    // Every panic dropped its token while unwinding: only the stash is alive.
    assert_eq!(ledger.made() - ledger.dropped(), 1);
    assert!(actor.stop());
    ledger.assert_each_dropped_once("stress_drops");
    drop(rt);
}

#[test]
fn shutdown_drops_queued_messages_and_actor_values_once() {
    let _wd = watchdog("shutdown with queued messages", 60);
    let ledger = Ledger::new(100_000);
    let n = scale(500, 5_000);
    for register in [true, false] {
        let rt = Runtime::builder()
            .threads(1)
            .register_actors(register)
            .build()
            .unwrap();
        let gated = Sink::new(&ledger).start_in(&rt);
        let others: Vec<_> = (0..8).map(|_| Sink::new(&ledger).start_in(&rt)).collect();
        // Wait until every actor ran on_start, so that its token is released.
        for a in &others {
            assert!(a.ask(Msg::Sync).get_timeout(GUARD).unwrap().is_none());
        }
        let (release, _f) = gate(&gated);
        // The only worker is gated: everything below stays queued.
        let mut futures = fill(&gated, &ledger, n);
        for a in &others {
            futures.extend(fill(a, &ledger, n));
        }
        let rt = Arc::new(rt);
        let shut = {
            let rt = Arc::clone(&rt);
            thread::spawn(move || rt.shutdown().unwrap())
        };
        if register {
            // shutdown stops the actors last started first: it waits for the gated one, then
            // the others, each stop queued behind what was told before it.
            drop(release);
            shut.join().unwrap();
            for f in futures {
                let r = f.get_timeout(GUARD);
                assert!(r.is_ok(), "queued before the stop: handled, got {r:?}");
            }
        } else {
            // Nothing to stop: shutdown sets its flag and joins the worker. Wait (without
            // sleeping) until the flag is visible: an actor started now is dead from the start.
            while Probe.start_in(&rt).is_alive() {
                thread::yield_now();
            }
            // The worker leaves the gate, finishes that activation, sees the flag and
            // abandons every token still queued: those asks fail, their messages are dropped.
            drop(release);
            shut.join().unwrap();
            let mut dead = 0;
            for f in futures {
                match f.get_timeout(GUARD) {
                    Ok(_) => {}
                    Err(Error::ActorDead(_)) => dead += 1,
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
            assert!(dead > 0, "nothing was abandoned");
        }
        drop(rt);
        drop(gated);
        drop(others);
    }
    ledger.assert_each_dropped_once("stress_drops");
}

#[test]
fn dedicated_actor_drops_leftover_messages_once() {
    let ledger = Ledger::new(100_000);
    let n = scale(1_000, 10_000);
    let actor = Sink::new(&ledger).start_dedicated();
    let (release, _gated) = gate(&actor);
    let before = fill(&actor, &ledger, n);
    let stopped = actor.request_stop();
    let after = fill(&actor, &ledger, n);
    drop(release);
    assert!(stopped.get_timeout(GUARD).unwrap());
    assert_eq!(before.into_iter().filter(|f| !f.is_ready()).count(), 0);
    for f in after {
        assert!(matches!(f.get_timeout(GUARD), Err(Error::ActorDead(_))));
    }
    ledger.assert_each_dropped_once("stress_drops");
}

/// Random tells, asks (read, dropped, or kept unread), proxy calls and self-stops from several
/// threads, while stoppers stop actors; then shutdown. Every token dropped exactly once.
#[test]
fn concurrent_mix_with_stops_and_shutdown_drops_everything_once() {
    quiet_panics();
    let _wd = watchdog("concurrent drop mix", 120);
    let ledger = Ledger::new(scale(400_000, 4_000_000));
    let n_actors = scale(32, 128);
    let senders = 4;
    let ops = scale(25_000, 250_000);
    let rt = runtime(3);
    let actors: Vec<_> = (0..n_actors)
        .map(|_| Sink::new(&ledger).start_in(&rt))
        .collect();
    let go = Barrier::new(senders + 2);
    let kept = Mutex::new(Vec::new());

    thread::scope(|s| {
        for k in 0..senders {
            let (actors, ledger, go, kept) = (&actors, &ledger, &go, &kept);
            s.spawn(move || {
                let mut rng = Rng(k as u64 + 1);
                let mut unread = Vec::new();
                go.wait();
                for _ in 0..ops {
                    let a = &actors[rng.below(actors.len())];
                    match rng.below(100) {
                        // Rare: a self-stop or a tell panic (each kills the actor).
                        98 | 99 if rng.below(400) != 0 => {
                            let r = a.ask(Msg::Sync).get_timeout(GUARD);
                            assert!(matches!(r, Ok(None) | Err(Error::ActorDead(_))));
                        }
                        0..=29 => {
                            if let Err(e) = a.tell(Msg::Keep(ledger.tok())) {
                                drop(e.into_inner());
                            }
                        }
                        30..=49 => drop(a.tell(Msg::Eat(ledger.tok()))),
                        50..=64 => {
                            let r = a.ask(Msg::Echo(ledger.tok())).get_timeout(GUARD);
                            assert!(
                                matches!(r, Ok(Some(_)) | Err(Error::ActorDead(_))),
                                "got {r:?}"
                            );
                        }
                        65..=79 => drop(a.ask(Msg::Make)),
                        80..=89 => unread.push(a.ask(Msg::Echo(ledger.tok()))),
                        90..=94 => {
                            let r = a.ask(Msg::Panic(ledger.tok())).get_timeout(GUARD);
                            assert!(
                                matches!(r, Err(Error::Panicked(_)) | Err(Error::ActorDead(_))),
                                "got {r:?}"
                            );
                        }
                        95..=97 => {
                            if let Ok(p) = a.proxy() {
                                let t = ledger.tok();
                                drop(p.call(move |s: &mut Sink| s.stash.push(t)));
                            }
                        }
                        98 => drop(a.tell(Msg::StopSelf(ledger.tok()))),
                        _ => {
                            // A tell panic kills the actor.
                            drop(a.tell(Msg::Panic(ledger.tok())));
                        }
                    }
                }
                kept.lock().unwrap().extend(unread);
            });
        }
        for k in 0..2u64 {
            let (actors, go) = (&actors, &go);
            s.spawn(move || {
                let mut rng = Rng(1000 + k);
                go.wait();
                for _ in 0..actors.len() / 4 {
                    let a = &actors[rng.below(actors.len())];
                    assert!(a.request_stop().get_timeout(GUARD).is_ok());
                }
            });
        }
    });

    let kept = kept.into_inner().unwrap();
    eprintln!(
        "{} tokens made, {} replies kept unread, {} actors alive",
        ledger.made(),
        kept.len(),
        actors.iter().filter(|a| a.is_alive()).count()
    );
    drop(kept);
    drop(actors);
    drop(rt);
    ledger.assert_each_dropped_once("stress_drops");
}
