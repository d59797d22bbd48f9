//! Issue A's targets, each measured pooled (one worker) and with `start_dedicated` (a thread per
//! actor) in the same criterion group, so the ratio comes from one run.
//!
//! - `spawn`: start an actor, tell it one message, stop it (per actor);
//! - `counting`: one outside sender tells one actor (per message);
//! - `ping_pong`: two actors bounce a ball (per round trip = two messages);
//! - `ask_in_handler`: a handler asks an idle actor and blocks on the reply (per ask).
//!
//! Memory per idle actor is measured by `benches/memory.rs` (RSS, separate process).

mod common;

use common::{Asker, Counter, Rally, Shot, SyncPlayer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{Actor, ActorRef, Future, Runtime};
use std::time::Instant;

#[derive(Clone, Copy)]
enum Home {
    Pooled,
    Dedicated,
}

impl Home {
    fn name(self) -> &'static str {
        match self {
            Home::Pooled => "pooled_1_worker",
            Home::Dedicated => "dedicated_thread_per_actor",
        }
    }

    fn start<A: Actor>(self, rt: &Runtime, a: A) -> ActorRef<A> {
        match self {
            Home::Pooled => a.start_in(rt),
            Home::Dedicated => a.start_dedicated(),
        }
    }
}

const HOMES: [Home; 2] = [Home::Pooled, Home::Dedicated];

// ---- spawn: start + first message + stop ----

fn spawn(c: &mut Criterion) {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let mut g = c.benchmark_group("spawn");
    g.throughput(Throughput::Elements(1));
    for home in HOMES {
        g.bench_function(BenchmarkId::from_parameter(home.name()), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                let stops: Vec<Future<bool>> = (0..iters)
                    .map(|i| {
                        let a = home.start(&rt, Counter(0));
                        a.tell(i).unwrap();
                        a.request_stop()
                    })
                    .collect();
                for s in stops {
                    assert!(s.get().unwrap());
                }
                t.elapsed()
            })
        });
    }
    g.finish();
}

// ---- counting: one sender, one actor ----

fn counting(c: &mut Criterion) {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let mut g = c.benchmark_group("counting");
    g.throughput(Throughput::Elements(1));
    for home in HOMES {
        let actor = home.start(&rt, Counter(0));
        g.bench_function(BenchmarkId::from_parameter(home.name()), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for i in 0..iters {
                    actor.tell(i).unwrap();
                }
                // The ask queues behind every tell: its reply means all were handled.
                actor.ask(0).get().unwrap();
                t.elapsed()
            })
        });
        actor.stop();
    }
    g.finish();
}

// ---- ping-pong between two actors ----

fn ping_pong(c: &mut Criterion) {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let mut g = c.benchmark_group("ping_pong");
    g.throughput(Throughput::Elements(1));
    for home in HOMES {
        let new = || SyncPlayer(Rally::new());
        let a = home.start(&rt, new());
        let b2 = home.start(&rt, new());
        a.tell(Shot::Peer(b2.clone())).unwrap();
        b2.tell(Shot::Peer(a.clone())).unwrap();
        g.bench_function(BenchmarkId::from_parameter(home.name()), |b| {
            b.iter_custom(|iters| {
                let (p, f) = pykka::promise();
                let t = Instant::now();
                // 2 * iters hits = iters round trips.
                a.tell(Shot::Serve(2 * iters, p)).unwrap();
                f.get().unwrap();
                t.elapsed()
            })
        });
        a.stop();
        b2.stop();
    }
    g.finish();
}

// ---- ask + get inside a handler, to an idle actor ----

fn ask_in_handler(c: &mut Criterion) {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let mut g = c.benchmark_group("ask_in_handler");
    g.throughput(Throughput::Elements(1));
    for home in HOMES {
        let target = home.start(&rt, Counter(0));
        let asker = home.start(
            &rt,
            Asker {
                target: target.clone(),
            },
        );
        g.bench_function(BenchmarkId::from_parameter(home.name()), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                asker.ask(iters).get().unwrap();
                t.elapsed()
            })
        });
        asker.stop();
        target.stop();
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = spawn, counting, ping_pong, ask_in_handler
}
criterion_main!(benches);
