//! [mailboxes] bounded mailboxes: a tell into a bounded mailbox that is not full against an
//! unbounded one (target ≤ 1.2×), and, for the record, one that is full most of the time
//! (capacity 1 024: the sender waits for room). One sender thread, counting as the core bench
//! does (tells, then one ask to wait for them all), on one worker and on the default runtime.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::time::Instant;

macro_rules! counter {
    ($name:ident, $cap:expr) => {
        struct $name(u64);
        impl Actor for $name {
            const MAILBOX_CAPACITY: Option<usize> = $cap;
        }
        impl Receive for $name {
            type Message = u64;
            type Reply = u64;
            fn on_receive(&mut self, m: u64, _: &mut Context<Self>) -> u64 {
                self.0 = self.0.wrapping_add(m);
                self.0
            }
        }
    };
}

counter!(Unbounded, None);
// Never full in a measurement: the bound is checked, never reached.
counter!(NotFull, Some(1 << 26));
counter!(Small, Some(1024));

fn count<A: Receive<Message = u64>>(actor: &ActorRef<A>, iters: u64) -> std::time::Duration {
    let t = Instant::now();
    for i in 0..iters {
        actor.tell(i).unwrap();
    }
    actor.ask(0).get().unwrap();
    t.elapsed()
}

fn bounded(c: &mut Criterion) {
    for (label, rt) in [
        ("one_worker", Runtime::builder().threads(1).build().unwrap()),
        ("default", Runtime::builder().build().unwrap()),
    ] {
        let mut g = c.benchmark_group(format!("bounded_tell/{label}"));
        g.throughput(Throughput::Elements(1));
        let unbounded = Unbounded(0).start_in(&rt);
        let not_full = NotFull(0).start_in(&rt);
        let small = Small(0).start_in(&rt);
        g.bench_function(BenchmarkId::from_parameter("unbounded"), |b| {
            b.iter_custom(|iters| count(&unbounded, iters))
        });
        g.bench_function(BenchmarkId::from_parameter("bounded_not_full"), |b| {
            b.iter_custom(|iters| count(&not_full, iters))
        });
        g.bench_function(BenchmarkId::from_parameter("bounded_1024"), |b| {
            b.iter_custom(|iters| count(&small, iters))
        });
        g.finish();
        rt.shutdown().unwrap();
    }
}

criterion_group!(benches, bounded);
criterion_main!(benches);
