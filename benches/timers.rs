//! Issue G: the cost of scheduled messages (one timer thread per runtime, a binary heap).
//!
//! - `schedule_cancel`: schedule one far-off message and cancel it, with 0 and with 100 000
//!   other timers pending: the heap's O(log n) should barely show.
//! - `fire`: 10 000 messages scheduled with no delay, until the actor has handled them all: the
//!   timer thread's cost per delivered message.
//! - Memory per pending timer is printed by `cargo bench --bench memory`.

mod common;

use common::Counter;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{schedule_tell, Actor, Runtime, Scheduled};
use std::time::{Duration, Instant};

const FAR: Duration = Duration::from_secs(3600);

fn schedule_cancel(c: &mut Criterion) {
    let mut g = c.benchmark_group("timers_schedule_cancel");
    g.throughput(Throughput::Elements(1));
    let rt = Runtime::builder().threads(1).build().unwrap();
    let a = Counter(0).start_in(&rt);
    for pending in [0usize, 100_000] {
        let others: Vec<Scheduled> = (0..pending)
            .map(|_| schedule_tell(&a, 1, FAR).unwrap())
            .collect();
        g.bench_function(BenchmarkId::from_parameter(pending), |b| {
            b.iter(|| schedule_tell(&a, 1, FAR).unwrap().cancel())
        });
        for s in others {
            s.cancel();
        }
    }
    g.finish();
}

fn fire(c: &mut Criterion) {
    let mut g = c.benchmark_group("timers_fire");
    const N: u64 = 10_000;
    g.throughput(Throughput::Elements(N));
    let rt = Runtime::builder().threads(1).build().unwrap();
    let a = Counter(0).start_in(&rt);
    g.bench_function("10k_due_now", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                let before = a.ask(0).get().unwrap();
                for _ in 0..N {
                    drop(schedule_tell(&a, 1, Duration::ZERO).unwrap());
                }
                while a.ask(0).get().unwrap() < before + N {
                    std::thread::yield_now();
                }
            }
            t.elapsed()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = schedule_cancel, fire
}
criterion_main!(benches);
