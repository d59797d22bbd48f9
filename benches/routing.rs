//! [mailboxes] routers: a routed tell against a direct one (targets: round-robin ≤ 1.3×,
//! smallest-mailbox ≤ 2×), one sender, one worker, four routees (the direct tell goes to one
//! actor). Per message, as the core bench's counting.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{Actor, ActorRef, Context, Receive, Router, Routing, Runtime};
use std::time::Instant;

struct Counter(u64);
impl Actor for Counter {}
impl Receive for Counter {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) -> u64 {
        self.0 += m;
        self.0
    }
}

fn routed(c: &mut Criterion) {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let mut g = c.benchmark_group("routed_tell");
    g.throughput(Throughput::Elements(1));
    let direct = Counter(0).start_in(&rt);
    g.bench_function(BenchmarkId::from_parameter("direct"), |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for i in 0..iters {
                direct.tell(i).unwrap();
            }
            direct.ask(0).get().unwrap();
            t.elapsed()
        })
    });
    let routees: Vec<ActorRef<Counter>> = (0..4).map(|_| Counter(0).start_in(&rt)).collect();
    type MakeRouting = fn() -> Routing<u64>;
    let strategies: [(&str, MakeRouting); 4] = [
        ("round_robin", || Routing::RoundRobin),
        ("random", || Routing::Random),
        ("smallest_mailbox", || Routing::SmallestMailbox),
        ("consistent_hash", || Routing::consistent_hash(|m: &u64| *m)),
    ];
    for (name, routing) in strategies {
        let router = Router::new(routing(), routees.clone());
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for i in 0..iters {
                    router.tell(i).unwrap();
                }
                for r in &routees {
                    r.ask(0).get().unwrap();
                }
                t.elapsed()
            })
        });
    }
    g.finish();
    rt.shutdown().unwrap();
}

criterion_group!(benches, routed);
criterion_main!(benches);
