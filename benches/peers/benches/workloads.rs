//! pykka beside thread-per-actor, a bare std baseline and the Rust peer actor libraries.
//!
//! One criterion group per workload, every system in it (so each ratio comes from one run):
//!
//! - `ping_pong`: two actors bounce a token `PING_PONG` round trips (per round trip);
//! - `counting`: the bench thread tells one actor `COUNTING` numbers, then asks for the total
//!   (per message);
//! - `thread_ring`: `RING_ACTORS` actors in a ring pass a token `RING_HOPS` hops (per hop);
//! - `ask`: the bench thread (not one of the system's workers) asks an actor and waits for the
//!   reply, `ASKS` times (per ask); percentiles: the `latency` bench;
//! - `spawn`: start `SPAWN` actors, asking each to stop right after its start, and wait until all
//!   have stopped (per actor).
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
    let mut g = c.benchmark_group(name);
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(units));
    for s in systems {
        // A filtered-out system still sets up its actors here (criterion's filter is private):
        // harmless, they idle until the group ends.
        let id = BenchmarkId::from_parameter(s.name());
        let (mut run, size) = prepare(s.as_ref());
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
    c.final_summary();
}
