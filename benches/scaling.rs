//! How the pool scales with its worker count: `cargo bench --bench scaling` (or
//! `benches/scaling.sh` on a many-core machine). A plain harness, no criterion: it runs every
//! workload at each worker count in a fresh process of its own (this executable re-run as
//! `scaling <workload> <threads>`), takes the median of `SCALING_RUNS` (3) processes, and
//! prints a markdown table: one row per figure, one column per worker count, each cell the
//! figure and its ratio to the first worker count (1). Workloads:
//!
//! - `ping_pong`: two actors bounce a message with `tell` (ns per round trip);
//! - `ring_100`: a token passed around a ring of 100 actors by `tell` (ns per hop);
//! - `pairs`: N independent ping-pong pairs, N = 2 × the largest worker count of the table
//!   (16 by default), the same N in every column (million round trips per second, all pairs;
//!   a process run by hand takes `SCALING_PAIRS`, else 2 × max(threads, 8));
//! - `fan_out_in`: one actor tells 1 000 workers, each computes ~5 µs and tells it back; the
//!   next round starts when all 1 000 have answered (thousand worker tasks per second);
//! - `fibonacci`: Savina Fibonacci, fib(25) by a tree of actors (150 049 actors), each starting
//!   two children in `on_start` and telling their sum to its parent (thousand actors per second);
//! - `skynet`: an actor starts 10 children, 6 levels deep (1 000 000 leaves, 1 111 111 actors),
//!   each leaf tells its number to its parent, sums go up (thousand actors per second);
//! - `spawn`: an outside thread starts an actor, tells it one message, requests its stop
//!   (ns per actor);
//! - `counting`: an outside (non-pool) thread tells one actor M numbers, then asks for the
//!   total (ns per message);
//! - `tell_compute`: a handler tells an idle actor B, then computes for 1 ms (spinning on
//!   `Instant::elapsed`); the delay from the tell to the start of B's handler, p50 and p99 over
//!   200 repetitions (µs). With one worker B can only run after the computation (≈ 1 000 µs);
//! - `outside_ask`: while two actors bounce a message without end, an outside thread asks a third,
//!   idle actor 1 000 times, one at a time; p50 and p99 of the round trip (µs). An ask
//!   unanswered for 1 s ends the run: the chain is stopped, that ask's time (≥ 1 s) is the
//!   run's only sample, and the row `outside_ask_starved` counts such runs.
//!
//! The throughput workloads are time-boxed: each repeats a unit (a batch of round trips, a
//! round, a tree) until `SCALING_BUDGET_MS` (600 ms; 100 ms quick) has passed, after one unit
//! of warm-up (Skynet: a 1 000-leaf tree). The idle actor of `outside_ask` is started, and has
//! answered once, before the chain starts.
//!
//! Environment: `SCALING_THREADS` (worker counts, default `1,2,4,8`), `SCALING_QUICK=1`
//! (smaller sizes), `SCALING_RUNS` (processes per cell, default 3), `SCALING_BUDGET_MS`,
//! `SCALING_TIMEOUT_S` (a process running longer is killed and its cell says so, default 120).
//! Arguments: none (the whole table), `<workload>[,<workload>...]` (those rows only), or
//! `<workload> <threads>` (one process's figures, `key value` lines). Arguments starting with
//! `-` (`cargo bench` passes `--bench`) are ignored.

use pykka::{Actor, ActorRef, Context, Future, Promise, Receive, Runtime};
use std::hint::black_box;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Settings

/// The runtime of this (child) process; `&'static` so that actors start children on it.
static RT: OnceLock<Runtime> = OnceLock::new();

fn rt() -> &'static Runtime {
    RT.get().expect("runtime built before the workload")
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    env(name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn quick() -> bool {
    env("SCALING_QUICK").is_some_and(|v| v.trim() != "0")
}

/// Sizes of one child process's workload.
struct Sizes {
    budget: Duration,
    pairs: usize,
    pair_round_trips: u64,
    ping_pong_round_trips: u64,
    ring_laps: u64,
    fan_workers: usize,
    fan_work_iters: u32,
    fib_n: u64,
    skynet_levels: u32,
    spawn_batch: u64,
    counting_batch: u64,
    compute_reps: usize,
    asks: usize,
}

impl Sizes {
    fn new(threads: usize) -> Sizes {
        let q = quick();
        Sizes {
            budget: Duration::from_millis(env_num("SCALING_BUDGET_MS", if q { 100 } else { 600 })),
            pairs: env_num("SCALING_PAIRS", 2 * threads.max(8)),
            pair_round_trips: if q { 500 } else { 2_000 },
            ping_pong_round_trips: if q { 2_000 } else { 10_000 },
            ring_laps: if q { 20 } else { 100 },
            fan_workers: 1_000,
            fan_work_iters: 2_000,
            fib_n: if q { 20 } else { 25 },
            skynet_levels: if q { 5 } else { 6 },
            spawn_batch: if q { 2_000 } else { 10_000 },
            counting_batch: if q { 20_000 } else { 100_000 },
            compute_reps: if q { 50 } else { 200 },
            asks: if q { 200 } else { 1_000 },
        }
    }
}

/// Repeats `unit` (which returns how many operations it did) until `budget` has passed, after
/// one unit of warm-up; returns operations per second.
fn per_second(budget: Duration, mut unit: impl FnMut() -> u64) -> f64 {
    unit();
    let t = Instant::now();
    let mut ops = 0;
    loop {
        ops += unit();
        if t.elapsed() >= budget {
            break;
        }
    }
    ops as f64 / t.elapsed().as_secs_f64()
}

fn ns_per(ops_per_second: f64) -> f64 {
    1e9 / ops_per_second
}

fn percentile(sorted: &[f64], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn wait<T>(f: Future<T>) -> T {
    f.get().expect("bench future")
}

// ---------------------------------------------------------------------------------------------
// Actors

/// A ring node (a ping-pong pair is a ring of two): passes the token on until its count is 0.
struct Node {
    next: Option<ActorRef<Node>>,
}
enum NodeMsg {
    Link(ActorRef<Node>),
    Token(u64, Promise<()>),
}
impl Actor for Node {}
impl Receive for Node {
    type Message = NodeMsg;
    type Reply = ();
    fn on_receive(&mut self, m: NodeMsg, _: &mut Context<Self>) {
        match m {
            NodeMsg::Link(next) => self.next = Some(next),
            NodeMsg::Token(0, done) => done.set(()),
            NodeMsg::Token(n, done) => {
                let _ = self
                    .next
                    .as_ref()
                    .unwrap()
                    .tell(NodeMsg::Token(n - 1, done));
            }
        }
    }
}

/// `n` linked nodes, the last one's next being the first.
fn ring(n: usize) -> Vec<ActorRef<Node>> {
    let nodes: Vec<_> = (0..n).map(|_| Node { next: None }.start_in(rt())).collect();
    for (i, node) in nodes.iter().enumerate() {
        node.tell(NodeMsg::Link(nodes[(i + 1) % n].clone()))
            .unwrap();
    }
    nodes
}

/// Passes a token `hops` hops from `first`; the future completes on the last one.
fn token(first: &ActorRef<Node>, hops: u64) -> Future<()> {
    let (p, f) = pykka::promise();
    first.tell(NodeMsg::Token(hops, p)).unwrap();
    f
}

/// Adds what it is told; answers the running total.
struct Counter(u64);
impl Actor for Counter {}
impl Receive for Counter {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) -> u64 {
        self.0 = self.0.wrapping_add(m);
        self.0
    }
}

/// "A little" computation: ~`iters` dependent xorshift steps (~5 µs for 2 000 here).
fn work(seed: u64, iters: u32) -> u64 {
    let mut x = seed | 1;
    for _ in 0..black_box(iters) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// Fan-out/fan-in: tells every worker, counts their answers, completes the round's promise.
struct Master {
    workers: Vec<ActorRef<FanWorker>>,
    waiting: usize,
    round: Option<Promise<()>>,
}
enum MasterMsg {
    Workers(Vec<ActorRef<FanWorker>>),
    Round(Promise<()>),
    Done(u64),
}
impl Actor for Master {}
impl Receive for Master {
    type Message = MasterMsg;
    type Reply = ();
    fn on_receive(&mut self, m: MasterMsg, _: &mut Context<Self>) {
        match m {
            MasterMsg::Workers(w) => self.workers = w,
            MasterMsg::Round(p) => {
                self.round = Some(p);
                self.waiting = self.workers.len();
                for (i, w) in self.workers.iter().enumerate() {
                    let _ = w.tell(i as u64);
                }
            }
            MasterMsg::Done(x) => {
                black_box(x);
                self.waiting -= 1;
                if self.waiting == 0 {
                    self.round.take().unwrap().set(());
                }
            }
        }
    }
}

struct FanWorker {
    master: ActorRef<Master>,
    iters: u32,
}
impl Actor for FanWorker {}
impl Receive for FanWorker {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, seed: u64, _: &mut Context<Self>) {
        let _ = self.master.tell(MasterMsg::Done(work(seed, self.iters)));
    }
}

/// Where a tree actor (Fibonacci, Skynet) answers: its parent, or the bench thread.
enum Up<A: Actor> {
    Actor(ActorRef<A>),
    Root(Promise<u64>),
}

impl<A: Actor + Receive<Message = u64>> Up<A> {
    fn answer(self, x: u64) {
        match self {
            Up::Actor(p) => {
                let _ = p.tell(x);
            }
            Up::Root(p) => p.set(x),
        }
    }
}

/// Savina Fibonacci: fib(n) for n ≤ 2 is 1 (a leaf), otherwise the sum of two children's.
struct Fib {
    n: u64,
    up: Option<Up<Fib>>,
    sum: u64,
    waiting: u32,
}
impl Fib {
    fn new(n: u64, up: Up<Fib>) -> Fib {
        Fib {
            n,
            up: Some(up),
            sum: 0,
            waiting: 0,
        }
    }
    fn answer(&mut self, x: u64, ctx: &mut Context<Self>) {
        self.up.take().expect("answers once").answer(x);
        ctx.stop();
    }
}
impl Actor for Fib {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        if self.n <= 2 {
            self.answer(1, ctx);
            return;
        }
        self.waiting = 2;
        let me = ctx.actor_ref();
        for k in [1, 2] {
            Fib::new(self.n - k, Up::Actor(me.clone())).start_in(rt());
        }
    }
}
impl Receive for Fib {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, x: u64, ctx: &mut Context<Self>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum, ctx);
        }
    }
}

/// Actors in Savina's Fibonacci tree for `n`.
fn fib_actors(n: u64) -> u64 {
    if n <= 2 {
        1
    } else {
        1 + fib_actors(n - 1) + fib_actors(n - 2)
    }
}

fn fib_value(n: u64) -> u64 {
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 2..n {
        (a, b) = (b, a + b);
    }
    b
}

/// Skynet: 10 children per actor, `below` levels below this one; leaves answer their number.
struct Sky {
    num: u64,
    below: u32,
    up: Option<Up<Sky>>,
    sum: u64,
    waiting: u32,
}
impl Sky {
    fn new(num: u64, below: u32, up: Up<Sky>) -> Sky {
        Sky {
            num,
            below,
            up: Some(up),
            sum: 0,
            waiting: 0,
        }
    }
    fn answer(&mut self, x: u64, ctx: &mut Context<Self>) {
        self.up.take().expect("answers once").answer(x);
        ctx.stop();
    }
}
impl Actor for Sky {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        if self.below == 0 {
            self.answer(self.num, ctx);
            return;
        }
        self.waiting = 10;
        let me = ctx.actor_ref();
        for k in 0..10 {
            Sky::new(self.num * 10 + k, self.below - 1, Up::Actor(me.clone())).start_in(rt());
        }
    }
}
impl Receive for Sky {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, x: u64, ctx: &mut Context<Self>) {
        self.sum += x;
        self.waiting -= 1;
        if self.waiting == 0 {
            self.answer(self.sum, ctx);
        }
    }
}

/// Tell-then-compute: A tells B the time, then spins 1 ms; B records how late it started.
struct Computer {
    b: ActorRef<Stamper>,
}
impl Actor for Computer {}
impl Receive for Computer {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        let _ = self.b.tell(StampMsg::Sent(Instant::now()));
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(1) {
            std::hint::spin_loop();
        }
    }
}

struct Stamper {
    delays_us: Vec<f64>,
}
enum StampMsg {
    Sent(Instant),
    Sync,
    Take,
}
impl Actor for Stamper {}
impl Receive for Stamper {
    type Message = StampMsg;
    type Reply = Vec<f64>;
    fn on_receive(&mut self, m: StampMsg, _: &mut Context<Self>) -> Vec<f64> {
        match m {
            StampMsg::Sent(t) => {
                self.delays_us.push(t.elapsed().as_secs_f64() * 1e6);
                Vec::new()
            }
            StampMsg::Sync => Vec::new(),
            StampMsg::Take => std::mem::take(&mut self.delays_us),
        }
    }
}

/// The busy chain: two bouncers pass a ball until the flag is set.
struct Bouncer {
    peer: Option<ActorRef<Bouncer>>,
    stop: Arc<AtomicBool>,
}
enum BounceMsg {
    Link(ActorRef<Bouncer>),
    Ball,
}
impl Actor for Bouncer {}
impl Receive for Bouncer {
    type Message = BounceMsg;
    type Reply = ();
    fn on_receive(&mut self, m: BounceMsg, _: &mut Context<Self>) {
        match m {
            BounceMsg::Link(p) => self.peer = Some(p),
            BounceMsg::Ball => {
                if !self.stop.load(Ordering::Relaxed) {
                    let _ = self.peer.as_ref().unwrap().tell(BounceMsg::Ball);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Workloads: each returns its figures as (key, value).

type Figures = Vec<(&'static str, f64)>;

fn ping_pong(s: &Sizes) -> Figures {
    let pair = ring(2);
    let n = s.ping_pong_round_trips;
    let rate = per_second(s.budget, || {
        wait(token(&pair[0], 2 * n));
        n
    });
    vec![("ping_pong", ns_per(rate))]
}

fn ring_100(s: &Sizes) -> Figures {
    let nodes = ring(100);
    let hops = 100 * s.ring_laps;
    let rate = per_second(s.budget, || {
        wait(token(&nodes[0], hops));
        hops
    });
    vec![("ring_100", ns_per(rate))]
}

fn pairs(s: &Sizes) -> Figures {
    let pairs: Vec<_> = (0..s.pairs).map(|_| ring(2)).collect();
    let n = s.pair_round_trips;
    let rate = per_second(s.budget, || {
        let done: Vec<_> = pairs.iter().map(|p| token(&p[0], 2 * n)).collect();
        pykka::get_all(done).unwrap();
        n * pairs.len() as u64
    });
    vec![("pairs", rate / 1e6)]
}

fn fan_out_in(s: &Sizes) -> Figures {
    let master = Master {
        workers: Vec::new(),
        waiting: 0,
        round: None,
    }
    .start_in(rt());
    let workers: Vec<_> = (0..s.fan_workers)
        .map(|_| {
            FanWorker {
                master: master.clone(),
                iters: s.fan_work_iters,
            }
            .start_in(rt())
        })
        .collect();
    master.tell(MasterMsg::Workers(workers)).unwrap();
    let rate = per_second(s.budget, || {
        let (p, f) = pykka::promise();
        master.tell(MasterMsg::Round(p)).unwrap();
        wait(f);
        s.fan_workers as u64
    });
    vec![("fan_out_in", rate / 1e3)]
}

fn fibonacci(s: &Sizes) -> Figures {
    let (n, actors) = (s.fib_n, fib_actors(s.fib_n));
    let rate = per_second(s.budget, || {
        let (p, f) = pykka::promise();
        Fib::new(n, Up::Root(p)).start_in(rt());
        assert_eq!(wait(f), fib_value(n));
        actors
    });
    vec![("fibonacci", rate / 1e3)]
}

fn skynet(s: &Sizes) -> Figures {
    let tree = |levels: u32| {
        let (p, f) = pykka::promise();
        Sky::new(0, levels, Up::Root(p)).start_in(rt());
        let leaves = 10u64.pow(levels);
        assert_eq!(wait(f), leaves * (leaves - 1) / 2);
        (10 * leaves - 1) / 9
    };
    tree(3); // warm-up: a small tree, not a whole one
    let t = Instant::now();
    let mut actors = 0;
    while actors == 0 || t.elapsed() < s.budget {
        actors += tree(s.skynet_levels);
    }
    vec![("skynet", actors as f64 / t.elapsed().as_secs_f64() / 1e3)]
}

fn spawn(s: &Sizes) -> Figures {
    let n = s.spawn_batch;
    let rate = per_second(s.budget, || {
        let stops: Vec<Future<bool>> = (0..n)
            .map(|i| {
                let a = Counter(0).start_in(rt());
                a.tell(i).unwrap();
                a.request_stop()
            })
            .collect();
        for f in stops {
            wait(f);
        }
        n
    });
    vec![("spawn", ns_per(rate))]
}

fn counting(s: &Sizes) -> Figures {
    let a = Counter(0).start_in(rt());
    let n = s.counting_batch;
    let rate = per_second(s.budget, || {
        for i in 0..n {
            a.tell(i).unwrap();
        }
        wait(a.ask(0));
        n
    });
    vec![("counting", ns_per(rate))]
}

fn tell_compute(s: &Sizes) -> Figures {
    let b = Stamper {
        delays_us: Vec::new(),
    }
    .start_in(rt());
    let a = Computer { b: b.clone() }.start_in(rt());
    for _ in 0..s.compute_reps + 10 {
        wait(a.ask(()));
        wait(b.ask(StampMsg::Sync)); // B has run: the next repetition starts from idle
    }
    let mut d = wait(b.ask(StampMsg::Take)).split_off(10); // the first 10: warm-up
    d.sort_by(f64::total_cmp);
    vec![
        ("tell_compute_p50", percentile(&d, 50)),
        ("tell_compute_p99", percentile(&d, 99)),
    ]
}

fn outside_ask(s: &Sizes) -> Figures {
    let stop = Arc::new(AtomicBool::new(false));
    let bouncer = || {
        Bouncer {
            peer: None,
            stop: stop.clone(),
        }
        .start_in(rt())
    };
    let (x, y) = (bouncer(), bouncer());
    x.tell(BounceMsg::Link(y.clone())).unwrap();
    y.tell(BounceMsg::Link(x.clone())).unwrap();
    let idle = Counter(0).start_in(rt());
    wait(idle.ask(0)); // started and idle before the chain starts
    x.tell(BounceMsg::Ball).unwrap();
    let mut d = Vec::with_capacity(s.asks);
    let mut starved = 0.0;
    for i in 0..s.asks + 50 {
        let t = Instant::now();
        if idle.ask(1).get_timeout(STARVED).is_err() {
            // Starved: stop the chain, then time the ask until it is answered (a second ask
            // queued behind the first).
            stop.store(true, Ordering::Relaxed);
            wait(idle.ask(1));
            let us = t.elapsed().as_secs_f64() * 1e6;
            eprintln!(
                "scaling: outside_ask: ask {i} unanswered after {STARVED:?}; answered \
                 {us:.0} µs after it was sent, once the chain was stopped"
            );
            d.push(us);
            starved = 1.0;
            break;
        }
        if i >= 50 {
            d.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    stop.store(true, Ordering::Relaxed);
    d.sort_by(f64::total_cmp);
    vec![
        ("outside_ask_p50", percentile(&d, 50)),
        ("outside_ask_p99", percentile(&d, 99)),
        ("outside_ask_starved", starved),
    ]
}

/// An outside ask unanswered this long ends the `outside_ask` run (the asks are starved).
const STARVED: Duration = Duration::from_secs(1);

type Workload = (&'static str, fn(&Sizes) -> Figures);

const WORKLOADS: [Workload; 10] = [
    ("ping_pong", ping_pong),
    ("ring_100", ring_100),
    ("pairs", pairs),
    ("fan_out_in", fan_out_in),
    ("fibonacci", fibonacci),
    ("skynet", skynet),
    ("spawn", spawn),
    ("counting", counting),
    ("tell_compute", tell_compute),
    ("outside_ask", outside_ask),
];

/// One row of the table: (workload, figure key, unit, higher is better).
const ROWS: [(&str, &str, &str, bool); 13] = [
    ("ping_pong", "ping_pong", "ns / round trip", false),
    ("ring_100", "ring_100", "ns / hop", false),
    ("pairs", "pairs", "M round trips / s", true),
    ("fan_out_in", "fan_out_in", "k tasks / s", true),
    ("fibonacci", "fibonacci", "k actors / s", true),
    ("skynet", "skynet", "k actors / s", true),
    ("spawn", "spawn", "ns / actor", false),
    ("counting", "counting", "ns / message", false),
    ("tell_compute", "tell_compute_p50", "µs, p50", false),
    ("tell_compute", "tell_compute_p99", "µs, p99", false),
    ("outside_ask", "outside_ask_p50", "µs, p50", false),
    ("outside_ask", "outside_ask_p99", "µs, p99", false),
    (
        "outside_ask",
        "outside_ask_starved",
        "runs with an ask unanswered for 1 s",
        false,
    ),
];

/// Child mode: one workload on one runtime of `threads` workers; prints `key value` lines.
fn run_one(f: fn(&Sizes) -> Figures, threads: usize) {
    let runtime = Runtime::builder()
        .threads(threads)
        .build()
        .expect("runtime");
    assert!(RT.set(runtime).is_ok());
    let figures = f(&Sizes::new(threads));
    let mut out = std::io::stdout().lock();
    for (key, value) in figures {
        writeln!(out, "{key} {value}").unwrap();
    }
    out.flush().unwrap();
    drop(out);
    match rt().shutdown_timeout(Duration::from_secs(10)) {
        Ok(true) => {}
        other => eprintln!("scaling: shutdown after {threads} workers: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The table (parent mode)

/// A child process's figures, parsed.
type Parsed = Vec<(String, f64)>;

/// What one cell's processes gave: the median of each figure, or why there is none.
enum Cell {
    Figures(Parsed),
    Failed(String),
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `scaling <workload> <threads>` in a fresh process; its figures, or why there are none.
fn child(
    workload: &str,
    threads: usize,
    pairs: usize,
    timeout: Duration,
) -> Result<Parsed, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut c = Command::new(exe)
        .arg(workload)
        .arg(threads.to_string())
        .env("SCALING_PAIRS", pairs.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let status = loop {
        if let Some(status) = c.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if t.elapsed() > timeout {
            let _ = c.kill();
            let _ = c.wait();
            return Err(format!("timeout ({} s)", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut out = String::new();
    c.stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("failed ({status})"));
    }
    Ok(out
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect())
}

fn run_cell(workload: &str, threads: usize, pairs: usize, runs: usize, timeout: Duration) -> Cell {
    let mut all: Vec<Parsed> = Vec::new();
    for _ in 0..runs {
        match child(workload, threads, pairs, timeout) {
            Ok(f) => all.push(f),
            Err(e) => return Cell::Failed(e),
        }
    }
    let keys: Vec<String> = all[0].iter().map(|(k, _)| k.clone()).collect();
    Cell::Figures(
        keys.into_iter()
            .map(|k| {
                let values: Vec<f64> = all
                    .iter()
                    .filter_map(|f| f.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v))
                    .collect();
                // A `_starved` figure is a count: of how many runs starved.
                let v = if k.ends_with("_starved") {
                    values.iter().sum()
                } else {
                    median(values)
                };
                (k, v)
            })
            .collect(),
    )
}

/// Three significant digits, no exponent.
fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn table(only: Option<&str>) {
    let started = Instant::now();
    let threads: Vec<usize> = env("SCALING_THREADS")
        .unwrap_or_else(|| "1,2,4,8".into())
        .split(',')
        .map(|t| {
            t.trim()
                .parse()
                .expect("SCALING_THREADS: worker counts, e.g. 1,2,4,8")
        })
        .filter(|&t| t > 0)
        .collect();
    assert!(!threads.is_empty(), "SCALING_THREADS: no worker count");
    let runs = env_num("SCALING_RUNS", 3usize).max(1);
    let timeout = Duration::from_secs(env_num("SCALING_TIMEOUT_S", 120));
    let pairs = 2 * threads.iter().copied().max().unwrap();
    let selected: Vec<&Workload> = match only {
        None => WORKLOADS.iter().collect(),
        Some(o) => {
            let names: Vec<&str> = o.split(',').collect();
            for n in &names {
                if !WORKLOADS.iter().any(|(w, _)| w == n) {
                    let known: Vec<_> = WORKLOADS.iter().map(|(w, _)| *w).collect();
                    eprintln!(
                        "scaling: unknown workload {n:?}; known: {}",
                        known.join(", ")
                    );
                    std::process::exit(2);
                }
            }
            WORKLOADS
                .iter()
                .filter(|(w, _)| names.contains(w))
                .collect()
        }
    };
    // cells[workload][threads]
    let mut cells: Vec<(&str, Vec<Cell>)> = Vec::new();
    for (name, _) in &selected {
        let mut row = Vec::new();
        for &t in &threads {
            let t0 = Instant::now();
            let cell = run_cell(name, t, pairs, runs, timeout);
            let shown = match &cell {
                Cell::Figures(f) => f
                    .iter()
                    .map(|(k, v)| format!("{k} {}", fmt(*v)))
                    .collect::<Vec<_>>()
                    .join(", "),
                Cell::Failed(e) => e.clone(),
            };
            eprintln!(
                "scaling: {name} on {t} worker(s): {shown} ({:.1} s for {runs} runs)",
                t0.elapsed().as_secs_f64()
            );
            row.push(cell);
        }
        cells.push((name, row));
    }

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let base = threads[0];
    println!();
    println!(
        "Scaling: {cores} cores available; median of {runs} processes per cell; pairs: {pairs} \
         pairs in every column; {} sizes. Cell: figure (ratio = figure ÷ figure on {base} \
         worker{}); the `better` column says whether a higher or a lower figure is better; \
         `starved`: an outside ask waited 1 s in one of the runs.",
        if quick() {
            "quick (SCALING_QUICK)"
        } else {
            "full"
        },
        if base == 1 { "" } else { "s" },
    );
    println!();
    let mut header = "| workload | unit | better |".to_string();
    let mut rule = "|---|---|---|".to_string();
    for t in &threads {
        header += &format!(" {t} worker{} |", if *t == 1 { "" } else { "s" });
        rule += "---|";
    }
    println!("{header}");
    println!("{rule}");
    for (workload, key, unit, higher) in ROWS {
        let Some((_, row)) = cells.iter().find(|(w, _)| *w == workload) else {
            continue;
        };
        let value = |c: &Cell| match c {
            Cell::Figures(f) => f.iter().find(|(k, _)| k == key).map(|(_, v)| *v),
            Cell::Failed(_) => None,
        };
        // A cell with a starved run has no meaningful ratio, nor has any cell beside it.
        let starved = |c: &Cell| match c {
            Cell::Figures(f) => f.iter().any(|(k, v)| k.ends_with("_starved") && *v > 0.0),
            Cell::Failed(_) => false,
        };
        let first = value(&row[0]).filter(|_| !starved(&row[0]));
        let mut line = format!(
            "| {key} | {unit} | {} |",
            if higher { "higher" } else { "lower" }
        );
        for c in row {
            line += &match (value(c), first, c) {
                (Some(v), _, _) if key.ends_with("_starved") => format!(" {v:.0} of {runs} |"),
                (Some(v), _, _) if starved(c) => format!(" {} (starved) |", fmt(v)),
                (Some(v), Some(b), _) if b > 0.0 => format!(" {} (×{:.2}) |", fmt(v), v / b),
                (Some(v), _, _) => format!(" {} |", fmt(v)),
                (None, _, Cell::Failed(e)) => format!(" {e} |"),
                (None, _, _) => " – |".to_string(),
            };
        }
        println!("{line}");
    }
    let secs = started.elapsed().as_secs();
    println!();
    println!("Took {} min {} s.", secs / 60, secs % 60);
}

fn main() {
    // `cargo bench` passes `--bench`; arguments starting with `-` are ignored.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    match args.as_slice() {
        [w, t] if t.parse::<usize>().is_ok() => {
            let Some((_, f)) = WORKLOADS.iter().find(|(name, _)| name == w) else {
                eprintln!("scaling: unknown workload {w:?}");
                std::process::exit(2);
            };
            run_one(*f, t.parse().unwrap());
        }
        [] => table(None),
        [only] => table(Some(only)),
        _ => {
            eprintln!("usage: scaling [<workload>[,<workload>...]] | scaling <workload> <threads>");
            std::process::exit(2);
        }
    }
}
