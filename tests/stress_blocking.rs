//! Issue F (reliability): the four blocking scenarios of `tests/blocking_scenarios.rs` (counter,
//! chain of 200, an actor blocked on an outside promise while another asks it, the spare cap),
//! at 1, 2 and 8 workers, each repeated, with and without inline running, and with spare threads
//! that retire at once. Timeouts are hang guards only; a watchdog aborts on a hang in a call
//! without one.

mod common;

use common::{chain, watchdog};
use pykka::{Actor, ActorRef, Context, Error, Future, Promise, Receive, Runtime};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

/// Hang guard for one wait.
const GUARD: Duration = Duration::from_secs(30);
const WORKERS: [usize; 3] = [1, 2, 8];

/// `debug` in debug builds (what CI runs), `release` otherwise.
fn scale(debug: usize, release: usize) -> usize {
    if cfg!(debug_assertions) {
        debug
    } else {
        release
    }
}

fn reps() -> usize {
    scale(3, 20)
}

// Scenario 1: the counter (Bookkeeper asks Adder ten times, blocking). ----------------------------

struct Adder;
impl Actor for Adder {}
impl Receive for Adder {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n + 1
    }
}

struct Bookkeeper {
    adder: ActorRef<Adder>,
}
impl Actor for Bookkeeper {}
impl Receive for Bookkeeper {
    type Message = u32;
    type Reply = Vec<u32>;
    fn on_receive(&mut self, mut n: u32, _: &mut Context<Self>) -> Vec<u32> {
        let mut seen = Vec::new();
        while n < 10 {
            n = self.adder.ask(n).get().expect("the adder answers");
            seen.push(n);
        }
        seen
    }
}

fn counter(rt: &Runtime) {
    // Several bookkeepers share one adder, asked at once: they block on it concurrently.
    let adder = Adder.start_in(rt);
    let keepers: Vec<_> = (0..4)
        .map(|_| {
            Bookkeeper {
                adder: adder.clone(),
            }
            .start_in(rt)
        })
        .collect();
    let replies: Vec<_> = keepers.iter().map(|k| k.ask(0)).collect();
    for r in replies {
        assert_eq!(r.get_timeout(GUARD).unwrap(), (1..=10).collect::<Vec<_>>());
    }
}

#[test]
fn counter_completes_at_1_2_and_8_workers_with_and_without_inline_running() {
    let _wd = watchdog("counter scenario", 120);
    for workers in WORKERS {
        for inline in [true, false] {
            for _ in 0..reps() {
                let b = Runtime::builder().threads(workers);
                let rt = if inline { b } else { b.max_inline_depth(0) }
                    .build()
                    .unwrap();
                counter(&rt);
            }
        }
    }
}

// Scenario 2: a chain of 200 actors, each blocking on the next. ---------------------------------

// `Link` and `chain` (each link blocks on the next) are in tests/common.

/// Asks the head of a chain of 200 from three threads at once, twice each.
fn chain_of_200(rt: &Runtime) {
    let head = chain(rt, 200);
    thread::scope(|s| {
        for _ in 0..3 {
            let head = &head;
            s.spawn(move || {
                for _ in 0..2 {
                    assert_eq!(head.ask(0).get_timeout(GUARD).unwrap(), 199);
                }
            });
        }
    });
}

#[test]
fn chain_of_200_completes_at_1_2_and_8_workers() {
    let _wd = watchdog("chain of 200", 120);
    for workers in WORKERS {
        for _ in 0..reps() {
            let rt = Runtime::builder().threads(workers).build().unwrap();
            chain_of_200(&rt);
        }
    }
}

#[test]
fn chain_of_200_without_inline_running_completes_at_1_2_and_8_workers() {
    let _wd = watchdog("chain of 200 on spares", 120);
    for workers in WORKERS {
        // One runtime for all repetitions: later ones reuse the idle spares of earlier ones.
        let rt = Runtime::builder()
            .threads(workers)
            .max_inline_depth(0)
            .build()
            .unwrap();
        for _ in 0..reps() {
            chain_of_200(&rt);
        }
    }
}

#[test]
fn chain_of_200_with_spares_that_retire_at_once_completes_at_1_2_and_8_workers() {
    // A zero keep-alive makes every idle spare race to retire while blocking threads hand it
    // their slots.
    let _wd = watchdog("chain of 200, zero keep-alive", 120);
    for workers in WORKERS {
        let rt = Runtime::builder()
            .threads(workers)
            .max_inline_depth(0)
            .spare_keep_alive(Duration::ZERO)
            .build()
            .unwrap();
        for _ in 0..reps() {
            chain_of_200(&rt);
        }
    }
}

// Scenario 3: A blocks on a promise set from outside while C asks A (and blocks). ---------------

enum AMsg {
    WaitFor(Future<u32>),
    Ping,
}

struct A;
impl Actor for A {}
impl Receive for A {
    type Message = AMsg;
    type Reply = u32;
    fn on_receive(&mut self, m: AMsg, _: &mut Context<Self>) -> u32 {
        match m {
            AMsg::WaitFor(f) => f.get().expect("the outside thread sets it"),
            AMsg::Ping => 7,
        }
    }
}

/// Asks A and blocks; reports when its ask is queued.
struct C {
    a: ActorRef<A>,
    queued: Sender<()>,
}
impl Actor for C {}
impl Receive for C {
    type Message = ();
    type Reply = u32;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> u32 {
        let reply = self.a.ask(AMsg::Ping);
        self.queued.send(()).unwrap();
        reply.get().expect("A answers after its promise is set")
    }
}

fn outside_promise(rt: &Runtime) {
    let a = A.start_in(rt);
    let (queued_tx, queued_rx) = mpsc::channel();
    let cs: Vec<_> = (0..3)
        .map(|_| {
            C {
                a: a.clone(),
                queued: queued_tx.clone(),
            }
            .start_in(rt)
        })
        .collect();
    let other = Adder.start_in(rt);

    let (promise, outside) = pykka::promise::<u32>();
    let a_reply = a.ask(AMsg::WaitFor(outside));
    let c_replies: Vec<_> = cs.iter().map(|c| c.ask(())).collect();
    for _ in &cs {
        queued_rx
            .recv_timeout(GUARD)
            .expect("a C ran while A was blocked");
    }
    // The pool still runs other actors while A and every C are blocked.
    assert_eq!(other.ask(1).get_timeout(GUARD).unwrap(), 2);
    assert!(!a_reply.is_ready(), "A cannot finish before its promise");
    assert!(c_replies.iter().all(|r| !r.is_ready()), "C waits for A");

    let setter = thread::spawn(move || promise.set(42));
    assert_eq!(a_reply.get_timeout(GUARD).unwrap(), 42);
    for r in c_replies {
        assert_eq!(r.get_timeout(GUARD).unwrap(), 7);
    }
    setter.join().unwrap();
}

#[test]
fn actor_blocked_on_an_outside_promise_while_others_ask_it_completes_at_1_2_and_8_workers() {
    let _wd = watchdog("outside promise", 120);
    for workers in WORKERS {
        for inline in [true, false] {
            let b = Runtime::builder().threads(workers);
            let rt = if inline { b } else { b.max_inline_depth(0) }
                .build()
                .unwrap();
            for _ in 0..reps() {
                outside_promise(&rt);
            }
        }
    }
}

// Scenario 4: the spare cap. --------------------------------------------------------------------

/// Blocks on the promise it is given; reports the outcome on a channel as soon as `get` returns
/// (so the refused wait is seen first), and replies with it.
struct Waiter {
    outcomes: Sender<Result<(), Error>>,
}
impl Actor for Waiter {}
impl Receive for Waiter {
    type Message = Future<()>;
    type Reply = ();
    fn on_receive(&mut self, f: Future<()>, _: &mut Context<Self>) {
        let outcome = f.get();
        self.outcomes.send(outcome).unwrap();
    }
}

/// With `spares` spare threads allowed, `spares + 1` handlers block on promises: exactly one
/// wait is refused with PoolExhausted (first, since the others block until the promises are
/// set), and the others complete. Repeated on the same runtime, where the spares of earlier
/// rounds are idle and handed over instead of spawned.
fn spare_cap(workers: usize, spares: usize) {
    let rt = Runtime::builder()
        .threads(workers)
        .max_spare_threads(spares)
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let waiters: Vec<_> = (0..=spares)
        .map(|_| {
            Waiter {
                outcomes: tx.clone(),
            }
            .start_in(&rt)
        })
        .collect();
    for _ in 0..reps() {
        let (promises, futures): (Vec<Promise<()>>, Vec<Future<()>>) =
            (0..=spares).map(|_| pykka::promise()).unzip();
        let done: Vec<_> = waiters.iter().zip(futures).map(|(w, f)| w.ask(f)).collect();
        let first = rx
            .recv_timeout(GUARD)
            .expect("hang guard: no wait was refused");
        assert!(
            matches!(first, Err(Error::PoolExhausted(_))),
            "{workers} workers, {spares} spares: expected PoolExhausted first, got {first:?}"
        );
        // The pool is live while every allowed spare is blocked.
        assert_eq!(Adder.start_in(&rt).ask(1).get_timeout(GUARD).unwrap(), 2);
        for p in promises {
            p.set(());
        }
        for _ in 0..spares {
            let r = rx
                .recv_timeout(GUARD)
                .expect("hang guard: a blocked waiter");
            assert!(r.is_ok(), "{workers} workers, {spares} spares: got {r:?}");
        }
        for d in done {
            d.get_timeout(GUARD).unwrap();
        }
        assert!(
            rt.thread_count() <= workers + spares,
            "{} threads for {workers} workers and {spares} spares",
            rt.thread_count()
        );
    }
}

#[test]
fn spare_cap_refuses_exactly_one_wait_past_the_cap_at_1_2_and_8_workers() {
    let _wd = watchdog("spare cap", 120);
    for workers in WORKERS {
        for spares in [0, 1, 3] {
            spare_cap(workers, spares);
        }
    }
}

#[test]
fn many_concurrent_chains_on_spares_that_retire_at_once_complete_at_1_2_and_8_workers() {
    // Blocked handlers hand their slots to spares while other spares retire and others wake
    // with a slot: every handoff path at once.
    let _wd = watchdog("concurrent chains, zero keep-alive", 120);
    let chains = 16;
    let len = 12;
    let asks = scale(20, 100);
    for workers in WORKERS {
        let rt = Runtime::builder()
            .threads(workers)
            .max_inline_depth(0)
            .spare_keep_alive(Duration::ZERO)
            .build()
            .unwrap();
        let heads: Vec<_> = (0..chains).map(|_| chain(&rt, len)).collect();
        thread::scope(|s| {
            for t in 0..4 {
                let heads = &heads;
                s.spawn(move || {
                    for k in 0..asks {
                        let replies: Vec<_> = (0..4)
                            .map(|j| heads[(t * 7 + k * 3 + j) % heads.len()].ask(0))
                            .collect();
                        for r in replies {
                            assert_eq!(r.get_timeout(GUARD).unwrap(), len as u32 - 1);
                        }
                    }
                });
            }
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Savina's Banking in its blocking form: the workload that showed 256 default spares were too
// few (about 400 handlers blocked at once on two workers; benches/peers RESULTS.md, run R4).

/// An account: a transfer blocks in its handler on the destination's reply.
struct Account {
    balance: i64,
    bank: Option<std::sync::Arc<Vec<ActorRef<Account>>>>,
}

enum BankMsg {
    Link(std::sync::Arc<Vec<ActorRef<Account>>>),
    /// Send `amount` to account `to` (always a higher index: the waits cannot form a cycle).
    Transfer {
        to: usize,
        amount: i64,
    },
    Deposit(i64),
    Balance,
}

impl Actor for Account {}

impl Receive for Account {
    type Message = BankMsg;
    type Reply = i64;
    fn on_receive(&mut self, m: BankMsg, _: &mut Context<Self>) -> i64 {
        match m {
            BankMsg::Link(bank) => self.bank = Some(bank),
            BankMsg::Transfer { to, amount } => {
                let bank = self.bank.as_ref().expect("linked");
                // A blocking ask inside a handler, as Pykka programs do.
                bank[to]
                    .ask(BankMsg::Deposit(amount))
                    .get_timeout(GUARD)
                    .expect("the deposit is answered");
                self.balance -= amount;
            }
            BankMsg::Deposit(amount) => self.balance += amount,
            BankMsg::Balance => {}
        }
        self.balance
    }
}

#[test]
fn banking_with_blocking_asks_completes_with_the_default_spare_cap() {
    let _dog = watchdog("banking", 120);
    let (accounts, transfers) = (1_000, scale(5_000, 20_000));
    for workers in WORKERS {
        let rt = Runtime::builder().threads(workers).build().unwrap();
        let bank: Vec<ActorRef<Account>> = (0..accounts)
            .map(|_| {
                Account {
                    balance: 1_000,
                    bank: None,
                }
                .start_in(&rt)
            })
            .collect();
        let bank = std::sync::Arc::new(bank);
        for a in bank.iter() {
            a.tell(BankMsg::Link(bank.clone())).unwrap();
        }
        let mut rng = common::Rng(workers as u64);
        for _ in 0..transfers {
            let from = rng.below(accounts - 1);
            let to = from + 1 + rng.below(accounts - 1 - from);
            bank[from]
                .tell(BankMsg::Transfer {
                    to,
                    amount: rng.below(100) as i64,
                })
                .unwrap();
        }
        // Round one: each account has finished the transfers it was told (each one blocked
        // until its deposit was answered), so every deposit has landed too. Round two: the
        // balances, all read after every transfer.
        let read =
            || -> Vec<Future<i64>> { bank.iter().map(|a| a.ask(BankMsg::Balance)).collect() };
        pykka::get_all_timeout(read(), GUARD).unwrap_or_else(|e| panic!("{workers} workers: {e}"));
        let total: i64 = pykka::get_all_timeout(read(), GUARD)
            .unwrap_or_else(|e| panic!("{workers} workers: {e}"))
            .into_iter()
            .sum();
        assert_eq!(
            total,
            1_000 * accounts as i64,
            "{workers} workers: money conserved"
        );
        for a in bank.iter() {
            a.tell(BankMsg::Link(std::sync::Arc::new(Vec::new())))
                .unwrap();
        }
        drop(rt);
    }
}
