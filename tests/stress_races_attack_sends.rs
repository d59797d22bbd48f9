//! Attack: every kind of send (tell, ask, proxy call and defer, schedule_tell) racing kills, with
//! exact message accounting.
//!
//! Each payload (`Tok`) counts its own drop under its id, so "every message dropped exactly once"
//! is checked by id. Synchronisation is by channels, barriers, counters and futures; timeouts are
//! hang guards only (a spin on a condition has a deadline). A test that would hang on a bug detects
//! the hang itself (a bounded wait on a channel) and fails with a message, so that the other tests
//! of the file still run; the `watchdog` of each test is the last resort. The hang guards, the
//! watcher and the bounded waits are in `tests/common/stress_races.rs`.

mod common;

use common::ledger::{Ledger, Tok};
use common::stress_races::{spin_until, GUARD, WATCHDOG};
use common::{watchdog, Rng};
use pykka::{
    schedule_tell, Actor, ActorRef, Context, DeadLetterReason, Error, Future, Receive, Runtime,
};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

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
