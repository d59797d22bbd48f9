//! Issue B targets.
//!
//! - `promise_round_trip`: a request goes to another thread, which answers through a promise;
//!   the bench thread blocks in `get()`. Beside it, the same round trip with two std channels (the
//!   honest baseline: the same two wake-ups, no pykka).
//! - `get_all_ready`: `get_all` over 10 000 futures that are already set (per future).

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::Promise;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn promise_round_trip(c: &mut Criterion) {
    let mut g = c.benchmark_group("promise_round_trip");
    g.throughput(Throughput::Elements(1));

    let (req_tx, req_rx) = mpsc::channel::<Promise<u64>>();
    let setter = std::thread::spawn(move || {
        for p in req_rx {
            p.set(1);
        }
    });
    g.bench_function(BenchmarkId::from_parameter("pykka_promise"), |b| {
        b.iter(|| {
            let (p, f) = pykka::promise();
            req_tx.send(p).unwrap();
            f.get().unwrap()
        })
    });
    drop(req_tx);
    setter.join().unwrap();

    let (req_tx, req_rx) = mpsc::channel::<()>();
    let (rep_tx, rep_rx) = mpsc::channel::<u64>();
    let echo = std::thread::spawn(move || {
        for () in req_rx {
            rep_tx.send(1).unwrap();
        }
    });
    g.bench_function(BenchmarkId::from_parameter("std_mpsc_baseline"), |b| {
        b.iter(|| {
            req_tx.send(()).unwrap();
            rep_rx.recv().unwrap()
        })
    });
    drop(req_tx);
    echo.join().unwrap();
    g.finish();
}

fn get_all_ready(c: &mut Criterion) {
    const N: usize = 10_000;
    let mut g = c.benchmark_group("get_all_ready");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function(BenchmarkId::from_parameter("10000_futures"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let futures: Vec<_> = (0..N)
                    .map(|i| {
                        let (p, f) = pykka::promise();
                        p.set(i);
                        f
                    })
                    .collect();
                let t = Instant::now();
                let v = pykka::get_all(futures).unwrap();
                total += t.elapsed();
                assert_eq!(v.len(), N);
            }
            total
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = promise_round_trip, get_all_ready
}
criterion_main!(benches);
