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

use common::{Asker, AsyncAsker, Counter};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{Actor, ActorRef, AsyncReceive, Context, Promise, Receive, Runtime};
use std::time::Instant;

/// What the players bounce.
enum Ball<P: Actor> {
    Peer(ActorRef<P>),
    Serve(u64, Promise<()>),
    Hit(u64),
}

/// The rally's rules, shared by both players: the one that was served ends it when the count
/// runs out; the other sends the last hit back to it.
struct Rally<P: Actor> {
    peer: Option<ActorRef<P>>,
    done: Option<Promise<()>>,
}

impl<P: Actor> Rally<P> {
    fn new() -> Self {
        Rally {
            peer: None,
            done: None,
        }
    }

    /// What to tell the peer next, if anything.
    fn play(&mut self, m: Ball<P>) -> Option<u64> {
        let n = match m {
            Ball::Peer(p) => {
                self.peer = Some(p);
                return None;
            }
            Ball::Serve(n, done) => {
                self.done = Some(done);
                n
            }
            Ball::Hit(n) => n,
        };
        if n == 0 {
            return match self.done.take() {
                Some(d) => {
                    d.set(());
                    None
                }
                None => Some(0),
            };
        }
        Some(n - 1)
    }

    fn hit(&self, n: u64)
    where
        P: Receive<Message = Ball<P>>,
    {
        if let Some(p) = &self.peer {
            let _ = p.tell(Ball::Hit(n));
        }
    }
}

struct SyncPlayer(Rally<SyncPlayer>);
impl Actor for SyncPlayer {}
impl Receive for SyncPlayer {
    type Message = Ball<SyncPlayer>;
    type Reply = ();
    fn on_receive(&mut self, m: Ball<SyncPlayer>, _: &mut Context<Self>) {
        if let Some(n) = self.0.play(m) {
            self.0.hit(n);
        }
    }
}

struct AsyncPlayer(Rally<AsyncPlayer>);
impl Actor for AsyncPlayer {}
impl AsyncReceive for AsyncPlayer {
    type Message = Ball<AsyncPlayer>;
    type Reply = ();
    async fn on_receive(&mut self, m: Ball<AsyncPlayer>, _: &mut Context<Self>) {
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
    P: Receive<Message = Ball<P>>,
{
    let a = new().start_in(rt);
    let b2 = new().start_in(rt);
    a.tell(Ball::Peer(b2.clone())).unwrap();
    b2.tell(Ball::Peer(a.clone())).unwrap();
    g.bench_function(BenchmarkId::from_parameter(name), |b| {
        b.iter_custom(|iters| {
            let (p, f) = pykka::promise();
            let t = Instant::now();
            a.tell(Ball::Serve(2 * iters, p)).unwrap();
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
