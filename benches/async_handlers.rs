//! [async]'s targets under criterion: async handlers beside their sync counterparts in the same
//! criterion group (so the ratio comes from one run), on one worker and on the default runtime.
//!
//! - `ping_pong_{runtime}`: two actors bounce a ball (per round trip = two messages), sync
//!   `Receive` handlers vs `AsyncReceive` handlers that tell the peer;
//! - `ask_in_handler_{runtime}`: a handler asks an idle actor and waits for the reply (per ask):
//!   sync blocking `get()` (served inline) vs async `.await` (the handler suspends; its waker
//!   resumes it).
//!
//! `benches/async_paths.rs` measures the same pairs with a plain timed loop (for runs alternated
//! between two builds) and the memory of async actors.

mod common;

use common::{Asker, AsyncAsker, Counter, Rally, Shot, SyncPlayer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{Actor, AsyncReceive, Context, Receive, Runtime};
use std::time::Instant;

struct AsyncPlayer(Rally<AsyncPlayer>);
impl Actor for AsyncPlayer {}
impl AsyncReceive for AsyncPlayer {
    type Message = Shot<AsyncPlayer>;
    type Reply = ();
    async fn on_receive(&mut self, m: Shot<AsyncPlayer>, _: &mut Context<Self>) {
        if let Some(n) = self.0.play(m) {
            self.0.hit(n);
        }
    }
}

fn runtimes() -> [(&'static str, Runtime); 2] {
    [
        ("one_worker", Runtime::builder().threads(1).build().unwrap()),
        ("default", Runtime::builder().build().unwrap()),
    ]
}

/// Two players of type `P` on `rt`, introduced; the bench serves `2 * iters` hits per sample.
fn rally<P>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    rt: &Runtime,
    new: fn() -> P,
) where
    P: Receive<Message = Shot<P>>,
{
    let a = new().start_in(rt);
    let b2 = new().start_in(rt);
    a.tell(Shot::Peer(b2.clone())).unwrap();
    b2.tell(Shot::Peer(a.clone())).unwrap();
    g.bench_function(BenchmarkId::from_parameter(name), |b| {
        b.iter_custom(|iters| {
            let (p, f) = pykka::promise();
            let t = Instant::now();
            a.tell(Shot::Serve(2 * iters, p)).unwrap();
            f.get().unwrap();
            t.elapsed()
        })
    });
    a.stop();
    b2.stop();
}

fn ping_pong(c: &mut Criterion) {
    for (rt_name, rt) in runtimes() {
        let mut g = c.benchmark_group(format!("ping_pong_{rt_name}"));
        g.throughput(Throughput::Elements(1));
        rally(&mut g, "sync", &rt, || SyncPlayer(Rally::new()));
        rally(&mut g, "async", &rt, || AsyncPlayer(Rally::new()));
        g.finish();
        rt.shutdown().unwrap();
    }
}

fn ask_in_handler(c: &mut Criterion) {
    for (rt_name, rt) in runtimes() {
        let mut g = c.benchmark_group(format!("ask_in_handler_{rt_name}"));
        g.throughput(Throughput::Elements(1));
        let target = Counter(0).start_in(&rt);
        let sync_asker = Asker {
            target: target.clone(),
        }
        .start_in(&rt);
        let async_asker = AsyncAsker {
            target: target.clone(),
        }
        .start_in(&rt);
        g.bench_function(BenchmarkId::from_parameter("sync"), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                sync_asker.ask(iters).get().unwrap();
                t.elapsed()
            })
        });
        g.bench_function(BenchmarkId::from_parameter("async"), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                async_asker.ask(iters).get().unwrap();
                t.elapsed()
            })
        });
        g.finish();
        rt.shutdown().unwrap();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = ping_pong, ask_in_handler
}
criterion_main!(benches);
