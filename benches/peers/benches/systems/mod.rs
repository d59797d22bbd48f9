//! One implementation per system of the same few workloads, behind [`System`].
//!
//! Every workload is set up once per system (actors started, linked), then run many times by the
//! bench; dropping what a method returns stops its actors. The sizes are the caller's and the
//! same for every system.
//!
//! Common choices, so that the systems do the same work:
//! - unbounded mailboxes everywhere (pykka's mailbox is unbounded; the peers' defaults are
//!   bounded for kameo (64) and actix `send` (16); xtra and ractor are unbounded here too);
//! - a "tell" is the system's fire-and-forget send, an "ask" is its request/reply call, awaited
//!   or blocked on from a thread that is not one of the system's workers (the bench thread);
//! - a token that circulates carries its own completion handle (a pykka promise, a tokio
//!   oneshot, a std channel) and completes it where the count runs out;
//! - the tokio peers (kameo, ractor, xtra) share nothing: each has its own multi-thread tokio
//!   runtime with one worker per core (2 here), the same as pykka's pooled-2 case; actix runs
//!   its actors on one arbiter (one thread, its model), like pykka's pooled-1 case;
//! - the Savina workloads (fork-join, big, banking) signal their end through one shared
//!   [`Latch`], the same for every system, counted down where the Savina original reports to its
//!   sink; Chameneos's mall reports its sum of meetings through one shared [`Slot`];
//! - Fibonacci, like Skynet, hands each actor its argument when it is started, and the root's
//!   answer comes back through the system's own completion handle.
#![allow(dead_code)] // each bench binary uses what it needs

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub mod actix_sys;
pub mod kameo_sys;
pub mod pykka_sys;
pub mod ractor_sys;
pub mod std_sys;
pub mod xtra_sys;

/// Runs a prepared workload once with the given size.
pub type Run<'a> = Box<dyn FnMut(u64) + 'a>;
/// One ask of a prepared counter; returns its reply.
pub type Ask<'a> = Box<dyn FnMut(u64) -> u64 + 'a>;

/// One actor system (or the bare baseline), with every workload written once for it.
pub trait System {
    /// The column name in the benches and the tables.
    fn name(&self) -> &'static str;

    /// A ring of `actors` actors, each forwarding a token to the next. `run(hops)` injects a
    /// token that travels `hops` hops (messages) and returns when the last actor has it.
    /// PingPong is the ring of 2 (a round trip = 2 hops).
    fn ring(&self, actors: usize) -> Run<'_>;

    /// One counting actor. `run(n)`: tell it `n` numbers from the bench thread, then one ask
    /// for the total (which queues behind the tells, so its reply means all were handled).
    fn counting(&self) -> Run<'_>;

    /// One counting actor; each call asks it once (adds the value, replies the total) and
    /// waits for the reply on the calling thread.
    fn asker(&self) -> Ask<'_>;

    /// `run(n)`: start `n` actors, ask each to stop right after starting it, then wait until
    /// every one of them has stopped.
    fn spawn(&self) -> Run<'_>;

    /// Savina Fork-Join throughput: `actors` workers. `run(n)`: the bench thread tells every
    /// worker `n` numbers (round-robin: number `i` to all workers, then `i + 1`), each worker adds
    /// them up, then a last tell per worker counts down a [`Latch`]; returns when all have.
    fn fork_join_throughput(&self, actors: usize) -> Run<'_>;

    /// Savina Fork-Join creation. `run(n)`: for each of `n` actors, start it and tell it one
    /// message; handling it, the actor keeps the message's [`Latch`] and stops itself, and its
    /// stop hook counts the latch down. Returns when all `n` have stopped.
    fn fork_join_create(&self) -> Run<'_>;

    /// Savina Big: `actors` actors that all know each other. `run(m)`: each is told to start,
    /// then sends a ping to a random other actor (xorshift, its own seed), which answers a pong;
    /// on each pong it sends its next ping, `m` pings in all, then counts down a [`Latch`]
    /// (while still answering the others' pings). Returns when all have had `m` pongs.
    fn big(&self, actors: usize) -> Run<'_>;

    /// Skynet. `run(depth)`: a root actor starts 10 children, each of them 10 more, down to
    /// `depth` levels below the root; actor `k` of a parent numbered `p` is numbered `10 p + k`,
    /// and a leaf answers its number to its parent. A parent adds up its 10 children's answers,
    /// answers the sum to its own parent, and stops (a leaf stops after answering). Returns (and
    /// checks) the root's sum. `(10^(depth + 1) - 1) / 9` actors in all.
    fn skynet(&self) -> Run<'_>;

    /// Savina Fibonacci. `run(n)`: a root actor computes fib(`n`): an actor for `k > 2` starts two
    /// children, for `k - 1` and `k - 2`, adds up their two answers, answers the sum to its parent
    /// and stops; an actor for `k <= 2` answers 1 and stops. Returns (and checks) the root's
    /// answer. [`fib_actors`]`(n)` actors in all.
    fn fib(&self) -> Run<'_>;

    /// Savina Chameneos. `run(m)`: start a mall that will host `m` meetings and `creatures`
    /// creatures (colour `i % 3`), each of which asks the mall for a meeting at start. The mall
    /// keeps the first creature that asks; when a second one asks, it tells the first the second's
    /// colour and address (a meeting, one of `m`) and keeps no one. The first takes the
    /// [`complement`] of the two colours, tells it to the second (which takes it), and both ask the
    /// mall again. Once the `m` meetings are done, the mall answers every request with "exit":
    /// the creature then tells the mall its count of meetings and stops. When all have, the mall
    /// puts the sum (`2 m`) in a [`Slot`] and stops. Returns (and checks) that sum.
    fn chameneos(&self, creatures: usize) -> Run<'_>;

    /// Savina Banking (its blocking-ask form), set up once with `accounts` account actors.
    /// `run(n)`: the bench thread (the teller) tells `n` transfers between random pairs of
    /// accounts ([`Transfers`]) to the lower-numbered account of each pair, which books its side
    /// of the transfer, then asks the higher-numbered one to book the other side and waits for its
    /// reply *inside its handler* before it counts a [`Latch`] down (where Savina replies to the
    /// teller). Returns when all `n` have. Waits point only from lower to higher accounts, so they
    /// cannot form a cycle (Savina's random direction would deadlock even with a thread per
    /// actor: A waits for B while B waits for A).
    fn banking(&self, accounts: usize) -> Banking<'_>;

    /// Whether each actor is an OS thread (then the million-actor sizes are out of reach).
    fn thread_per_actor(&self) -> bool {
        false
    }

    /// Counting inside the system: a sender actor on the system's own threads tells one counting
    /// actor. `run(n)`: the sender is asked to tell `n` numbers (its handler tells them all),
    /// then the counter is asked for its total (queued behind the tells). `None` where it is not
    /// written (pykka and actix only: [zero-alloc]'s target compares those two).
    fn counting_in_system(&self) -> Option<Run<'_>> {
        None
    }

    /// Starts `n` idle actors (never messaged) and waits until each has run its start hook (a
    /// call of [`idle_started`]); what it returns keeps them alive. For the memory bench.
    fn idle(&self, n: usize) -> Box<dyn Keep + '_>;

    /// The size of one actor handle kept by [`idle`](Self::idle) (counted in its RSS growth).
    fn handle_size(&self) -> usize;
}

/// How a system runs Savina Banking: see [`System::banking`].
pub enum Banking<'a> {
    /// The source account blocks its thread on the reply (pykka's `ask(..).get()` in a handler; a
    /// blocking `recv` for thread-per-actor).
    Blocking(Run<'a>),
    /// The source account's async handler awaits the reply (the actor handles nothing else
    /// meanwhile, but its thread is free): the idiom of a runtime on which a blocking wait in a
    /// handler would take a worker away. Named `<system>_await` in the benches.
    Awaiting(Run<'a>),
}

impl<'a> Banking<'a> {
    /// The bench's name for this form, and its run.
    pub fn named(self, system: &str) -> (String, Run<'a>) {
        match self {
            Banking::Blocking(run) => (system.to_string(), run),
            Banking::Awaiting(run) => (format!("{system}_await"), run),
        }
    }
}

/// Anything kept alive only to be dropped later (the idle actors' handles).
pub trait Keep {}
impl<T> Keep for T {}

/// Counted by every idle actor's start hook (the memory bench waits for it).
pub static IDLE_STARTED: AtomicUsize = AtomicUsize::new(0);

pub fn idle_started() {
    IDLE_STARTED.fetch_add(1, Ordering::Release);
}

/// Banking transfers whose wait for the other account failed (pykka: `PoolExhausted` or
/// `Deadlock`); the run counts them down anyway and checks this stays 0.
pub static BANK_FAILURES: AtomicUsize = AtomicUsize::new(0);

/// Counts a failed Banking wait (printing the first).
pub fn bank_failed(e: &dyn std::fmt::Display) {
    if BANK_FAILURES.fetch_add(1, Ordering::Relaxed) == 0 {
        eprintln!("banking: a wait failed: {e}");
    }
}

/// Checks that no Banking wait failed.
pub fn check_bank() {
    assert_eq!(
        BANK_FAILURES.load(Ordering::Relaxed),
        0,
        "banking waits failed"
    );
}

/// Waits until `n` idle actors have started.
pub fn wait_idle_started(n: usize) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while IDLE_STARTED.load(Ordering::Acquire) < n {
        assert!(
            std::time::Instant::now() < deadline,
            "idle actors did not start"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A countdown the bench thread waits on: the last `count_down` wakes it.
pub struct Latch {
    left: AtomicUsize,
    done: Mutex<bool>,
    cv: Condvar,
}

impl Latch {
    pub fn new(n: usize) -> Arc<Latch> {
        Arc::new(Latch {
            left: AtomicUsize::new(n),
            done: Mutex::new(n == 0),
            cv: Condvar::new(),
        })
    }

    pub fn count_down(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            *self.done.lock().unwrap() = true;
            self.cv.notify_all();
        }
    }

    pub fn wait(&self) {
        let done = self.done.lock().unwrap();
        let (done, timeout) = self.cv.wait_timeout_while(done, PATIENCE, |d| !*d).unwrap();
        assert!(*done && !timeout.timed_out(), "latch: gave up waiting");
    }
}

/// One value handed to the bench thread once: set by an actor, waited for by the bench thread.
pub struct Slot {
    value: Mutex<Option<u64>>,
    cv: Condvar,
}

impl Slot {
    pub fn new() -> Arc<Slot> {
        Arc::new(Slot {
            value: Mutex::new(None),
            cv: Condvar::new(),
        })
    }

    pub fn set(&self, v: u64) {
        *self.value.lock().unwrap() = Some(v);
        self.cv.notify_all();
    }

    pub fn wait(&self) -> u64 {
        let v = self.value.lock().unwrap();
        let (v, _) = self
            .cv
            .wait_timeout_while(v, PATIENCE, |v| v.is_none())
            .unwrap();
        v.expect("slot: gave up waiting")
    }
}

/// A xorshift64 generator: Big's random neighbours, the same sequence in every system.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Another actor than `me`, among `actors`.
    pub fn neighbour(&mut self, me: usize, actors: usize) -> usize {
        let r = (self.next() % (actors as u64 - 1)) as usize;
        if r >= me {
            r + 1
        } else {
            r
        }
    }
}

/// Banking's transfers, the same sequence in every system and every run: `(lower, higher,
/// amount)`, two different accounts among `accounts`; `amount` (−1000..=1000, never 0) is what
/// the lower account pays the higher one (negative: receives).
pub struct Transfers {
    rng: Rng,
    accounts: usize,
}

impl Transfers {
    pub fn new(accounts: usize) -> Transfers {
        Transfers {
            rng: Rng::new(0xBA4C),
            accounts,
        }
    }
}

impl Iterator for Transfers {
    type Item = (usize, usize, i64);
    fn next(&mut self) -> Option<(usize, usize, i64)> {
        let a = (self.rng.next() % self.accounts as u64) as usize;
        let b = self.rng.neighbour(a, self.accounts);
        let amount = (self.rng.next() % 1000) as i64 + 1;
        Some(if a < b {
            (a, b, amount)
        } else {
            (b, a, -amount)
        })
    }
}

/// Chameneos: the colour two creatures of colours `a` and `b` take when they meet (three colours,
/// 0, 1, 2: the same colour stays, two different ones give the third).
pub fn complement(a: u8, b: u8) -> u8 {
    if a == b {
        a
    } else {
        3 - a - b
    }
}

/// fib(`n`), with fib(1) = fib(2) = 1.
pub fn fib_value(n: u64) -> u64 {
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 2..n {
        (a, b) = (b, a + b);
    }
    b
}

/// The actors of Savina Fibonacci for `n`: one per call of the naive recursion, `2 fib(n) - 1`.
pub fn fib_actors(n: u64) -> u64 {
    2 * fib_value(n) - 1
}

/// Skynet's answer: the sum of the leaves' numbers, `0 + 1 + … + (10^depth - 1)`.
pub fn skynet_sum(depth: u32) -> u64 {
    let leaves = 10u64.pow(depth);
    leaves * (leaves - 1) / 2
}

/// Skynet's actor count for `depth` levels below the root.
pub fn skynet_actors(depth: u32) -> u64 {
    (10u64.pow(depth + 1) - 1) / 9
}

/// Every system's name, in table order.
pub const NAMES: [&str; 8] = [
    "pykka_pooled_1",
    "pykka_pooled_cores",
    "pykka_dedicated",
    "std_thread_mpsc",
    "actix",
    "kameo",
    "ractor",
    "xtra",
];

/// The system of this name (one of [`NAMES`]), or `None`.
pub fn make(name: &str) -> Option<Box<dyn System>> {
    Some(match name {
        "pykka_pooled_1" => Box::new(pykka_sys::Pykka::pooled(1)),
        "pykka_pooled_cores" => Box::new(pykka_sys::Pykka::pooled(2)),
        "pykka_dedicated" => Box::new(pykka_sys::Pykka::dedicated()),
        "std_thread_mpsc" => Box::new(std_sys::StdThreads),
        "actix" => Box::new(actix_sys::Actix::new()),
        "kameo" => Box::new(kameo_sys::Kameo::new()),
        "ractor" => Box::new(ractor_sys::Ractor::new()),
        "xtra" => Box::new(xtra_sys::Xtra::new()),
        _ => return None,
    })
}

/// Every system, in table order.
pub fn all() -> Vec<Box<dyn System>> {
    NAMES.iter().map(|n| make(n).expect("known name")).collect()
}

/// A multi-thread tokio runtime with one worker per core, as the tokio peers use by default
/// (`PEERS_TOKIO_WORKERS=n` overrides it, to compare with pykka's one-worker case).
pub fn tokio_runtime() -> tokio::runtime::Runtime {
    let workers = std::env::var("PEERS_TOKIO_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(cores);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Cores of this machine.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// How long a system may take to answer anything before the bench gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);
