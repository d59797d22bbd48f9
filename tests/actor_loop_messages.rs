//! Section 1 of `pykka-behaviors.md`, the actor loop: one message at a time, in each sender's order
//! (b1_1), unique URNs (b1_14), and every ask resolved while the actor dies (b1_16).
//!
//! Synchronisation is by channels, barriers, futures and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. `Probe`, the actor most tests
//! use, is in `tests/common/actor_loop.rs`.

mod common;

use common::actor_loop::{expect_actor_dead, runtime, Hooks, HANG};
use pykka::{Actor, ActorRef, Context, Error, Receive, Runtime};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

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
