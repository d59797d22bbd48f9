//! pykka beside thread-per-actor, a bare std baseline and the Rust peer actor libraries.
//!
//! One criterion group per workload, every system in it (so each ratio comes from one run):
//!
//! - `ping_pong`: two actors bounce a token `PING_PONG` round trips (per round trip);
//! - `counting`: the bench thread tells one actor `COUNTING` numbers, then asks for the total
//!   (per message);
//! - `counting_in_system`: the same, told by a sender actor on the system's own threads (pykka
//!   and actix only; per message);
//! - `thread_ring`: `RING_ACTORS` actors in a ring pass a token `RING_HOPS` hops (per hop);
//! - `ask`: the bench thread (not one of the system's workers) asks an actor and waits for the
//!   reply, `ASKS` times (per ask); percentiles: the `latency` bench;
//! - `spawn`: start `SPAWN` actors, asking each to stop right after its start, and wait until all
//!   have stopped (per actor);
//!
//! and the Savina workloads (Imam and Sarkar, "Savina — An Actor Benchmark Suite", 2014):
//!
//! - `fork_join_throughput`: `FJ_ACTORS` workers, the bench thread tells each `FJ_MESSAGES`
//!   numbers round-robin, then waits until every worker has handled all of them (per message);
//! - `fork_join_create`: start `FJ_CREATE` actors, tell each one message on which it stops
//!   itself, and wait until all have stopped (per actor);
//! - `big`: `BIG_ACTORS` actors, each sends `BIG_PINGS` pings, one at a time, to random other
//!   actors, which answer with a pong (per ping, i.e. per ping + pong);
//! - `skynet`: a tree of actors, 10 children per actor, `SKYNET_DEPTH` levels below the root;
//!   the leaves' numbers are summed up the tree (per actor). The full Skynet (6 levels,
//!   1 111 111 actors) cannot run with one OS thread per actor (here `pid_max` = 32 768 threads
//!   for the whole machine, and at the ~70 µs per actor they take at 4 levels one run would
//!   take ~80 s), so this group, the one every system is in, uses 4 levels (11 111 actors) for
//!   **every** system;
//! - `skynet_1m`: the full Skynet, 6 levels (1 111 111 actors), for the systems that do not use
//!   a thread per actor (pykka pooled and the peers) only;
//! - `fibonacci`: Savina Fibonacci, fib(`FIB_N`) computed by a tree of actors, two children per
//!   actor (per actor). Savina's fib(25) is 150 049 actors: with a thread per actor that is
//!   ~10 s a run here and more threads than `pid_max` allows at a time, so this group, the one
//!   every system is in, uses fib(`FIB_N`) = fib(20) (13 529 actors) for **every** system;
//! - `fibonacci_25`: fib(25), for the systems without a thread per actor only;
//! - `chameneos`: Savina Chameneos, `CHAMENEOS` creatures meet `CHAMENEOS_MEETINGS` times at a
//!   mall actor (per meeting: 4 messages); the mall and the creatures are started in each run;
//! - `banking`: Savina Banking, `ACCOUNTS` accounts; the bench thread tells `TRANSFERS`
//!   transfers, each handled by an account that asks another and waits for the reply inside its
//!   handler (per transfer). Blocking (`ask(..).get()`, a blocking `recv`) for pykka and the
//!   thread-per-actor baseline; the peers cannot block a handler on their runtime's workers, so
//!   they run the await form, named `<peer>_await` (see `System::banking`).
//!
//! Systems and their idioms: `systems/mod.rs`. Run: `cargo bench --manifest-path
//! benches/peers/Cargo.toml --bench workloads` (a criterion filter may follow `--`).

mod systems;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use std::time::Duration;
use systems::{Run, System};

const PING_PONG: u64 = 2_000;
const COUNTING: u64 = 100_000;
const RING_ACTORS: usize = 100;
const RING_HOPS: u64 = 10_000;
const ASKS: u64 = 1_000;
const SPAWN: u64 = 1_000;
/// Savina's Fork-Join throughput uses 60 workers; 1 000 messages each (Savina: 10 000) to keep
/// a run of the thread-per-actor systems short.
const FJ_ACTORS: usize = 60;
const FJ_MESSAGES: u64 = 1_000;
const FJ_CREATE: u64 = 1_000;
/// Savina's Big uses 120 actors; 200 pings each (Savina: 20 000), for the same reason.
const BIG_ACTORS: usize = 120;
const BIG_PINGS: u64 = 200;
/// Reduced for every system (see the module docs); `SKYNET_FULL_DEPTH` only without threads.
const SKYNET_DEPTH: u64 = 4;
const SKYNET_FULL_DEPTH: u64 = 6;
/// Reduced for every system (see the module docs); `FIB_FULL_N` (Savina's) only without threads.
const FIB_N: u64 = 20;
const FIB_FULL_N: u64 = 25;
/// Savina's Chameneos: 100 creatures; 20 000 meetings (Savina: 200 000).
const CHAMENEOS: usize = 100;
const CHAMENEOS_MEETINGS: u64 = 20_000;
/// Savina's Banking: 1 000 accounts; 10 000 transfers (Savina: 50 000).
const ACCOUNTS: usize = 1_000;
const TRANSFERS: u64 = 10_000;

/// Small samples: the machine has 2 noisy cores; flat sampling, because the thread-per-actor
/// systems take ~0.1–0.3 s per run where pykka takes ~1 ms.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(15)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

/// One group: every system runs the same workload with the same size.
fn group(
    c: &mut Criterion,
    systems: &[Box<dyn System>],
    name: &str,
    units: u64,
    prepare: impl for<'a> Fn(&'a dyn System) -> (Run<'a>, u64),
) {
    group_sampled(c, systems, name, units, None, prepare);
}

/// [`group`] with its own sample count (criterion's least is 10), for runs of seconds.
fn group_sampled(
    c: &mut Criterion,
    systems: &[Box<dyn System>],
    name: &str,
    units: u64,
    samples: Option<usize>,
    prepare: impl for<'a> Fn(&'a dyn System) -> (Run<'a>, u64),
) {
    group_named(c, systems, name, units, samples, |s| {
        let (run, size) = prepare(s);
        (s.name().to_string(), run, size)
    });
}

/// [`group_sampled`] where `prepare` also names each system's entry.
fn group_named(
    c: &mut Criterion,
    systems: &[Box<dyn System>],
    name: &str,
    units: u64,
    samples: Option<usize>,
    prepare: impl for<'a> Fn(&'a dyn System) -> (String, Run<'a>, u64),
) {
    let mut g = c.benchmark_group(name);
    g.sampling_mode(SamplingMode::Flat);
    if let Some(n) = samples {
        g.sample_size(n);
    }
    g.throughput(Throughput::Elements(units));
    for s in systems {
        // A filtered-out system still sets up its actors here (criterion's filter is private):
        // harmless, they idle until the group ends.
        let (id, mut run, size) = prepare(s.as_ref());
        let id = BenchmarkId::from_parameter(id);
        g.bench_function(id, |b| b.iter(|| run(size)));
    }
    g.finish();
}

fn main() {
    let systems = systems::all();
    let mut c = config();
    group(&mut c, &systems, "ping_pong", PING_PONG, |s| {
        (s.ring(2), 2 * PING_PONG)
    });
    group(&mut c, &systems, "counting", COUNTING, |s| {
        (s.counting(), COUNTING)
    });
    {
        // Only the systems that have it written (pykka's and actix's).
        let mut g = c.benchmark_group("counting_in_system");
        g.sampling_mode(SamplingMode::Flat);
        g.throughput(Throughput::Elements(COUNTING));
        for s in &systems {
            if let Some(mut run) = s.counting_in_system() {
                g.bench_function(BenchmarkId::from_parameter(s.name()), |b| {
                    b.iter(|| run(COUNTING))
                });
            }
        }
        g.finish();
    }
    group(&mut c, &systems, "thread_ring", RING_HOPS, |s| {
        (s.ring(RING_ACTORS), RING_HOPS)
    });
    group(&mut c, &systems, "ask", ASKS, |s| {
        let mut ask = s.asker();
        let run: Run<'_> = Box::new(move |n| {
            for i in 0..n {
                std::hint::black_box(ask(i));
            }
        });
        (run, ASKS)
    });
    group(&mut c, &systems, "spawn", SPAWN, |s| (s.spawn(), SPAWN));
    group(
        &mut c,
        &systems,
        "fork_join_throughput",
        FJ_ACTORS as u64 * FJ_MESSAGES,
        |s| (s.fork_join_throughput(FJ_ACTORS), FJ_MESSAGES),
    );
    group(&mut c, &systems, "fork_join_create", FJ_CREATE, |s| {
        (s.fork_join_create(), FJ_CREATE)
    });
    group(
        &mut c,
        &systems,
        "big",
        BIG_ACTORS as u64 * BIG_PINGS,
        |s| (s.big(BIG_ACTORS), BIG_PINGS),
    );
    group(
        &mut c,
        &systems,
        "skynet",
        systems::skynet_actors(SKYNET_DEPTH as u32),
        |s| (s.skynet(), SKYNET_DEPTH),
    );
    // One run takes ~1 s with a thread per actor: 10 samples.
    group_sampled(
        &mut c,
        &systems,
        "fibonacci",
        systems::fib_actors(FIB_N),
        Some(10),
        |s| (s.fib(), FIB_N),
    );
    group(&mut c, &systems, "chameneos", CHAMENEOS_MEETINGS, |s| {
        (s.chameneos(CHAMENEOS), CHAMENEOS_MEETINGS)
    });
    group_named(&mut c, &systems, "banking", TRANSFERS, None, |s| {
        let (id, run) = s.banking(ACCOUNTS).named(s.name());
        (id, run, TRANSFERS)
    });
    let pooled: Vec<Box<dyn System>> = systems
        .into_iter()
        .filter(|s| !s.thread_per_actor())
        .collect();
    // One run takes 0.07–0.45 s here: 10 samples.
    group_sampled(
        &mut c,
        &pooled,
        "fibonacci_25",
        systems::fib_actors(FIB_FULL_N),
        Some(10),
        |s| (s.fib(), FIB_FULL_N),
    );
    // One run takes 0.6–4.5 s here: 10 samples of one run each.
    group_sampled(
        &mut c,
        &pooled,
        "skynet_1m",
        systems::skynet_actors(SKYNET_FULL_DEPTH as u32),
        Some(10),
        |s| (s.skynet(), SKYNET_FULL_DEPTH),
    );
    c.final_summary();
}
