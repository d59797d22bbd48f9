//! Memory per idle actor: RSS growth while 1 000 000 idle actors (zero-sized values) sit on a
//! one-worker pool, and the same for `start_dedicated` with fewer actors (the OS limits threads).
//! Then the same actors after each has handled one message (the mailbox keeps a small buffer).
//!
//! Run: `cargo bench --bench memory` (prints a small table; not a criterion bench, because RSS
//! must be read in a process of its own).

mod common;

use common::rss_bytes;
use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};

static STARTED: AtomicUsize = AtomicUsize::new(0);

struct Idle;
impl Actor for Idle {
    fn on_start(&mut self, _: &mut Context<Self>) {
        STARTED.fetch_add(1, Ordering::Release);
    }
}
impl Receive for Idle {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

fn measure(label: &str, n: usize, start: impl Fn() -> ActorRef<Idle>) {
    // The refs keep the actors reachable; their Vec is allocated (and touched) before the
    // first reading, so it is not counted.
    let first = start();
    first.stop();
    let mut refs: Vec<ActorRef<Idle>> = vec![first; n];
    refs.clear();
    STARTED.store(0, Ordering::Release);
    let before = rss_bytes();
    for _ in 0..n {
        refs.push(start());
    }
    // Wait (without messaging them) until every actor has run on_start.
    while STARTED.load(Ordering::Acquire) < n {
        std::thread::yield_now();
    }
    let idle = rss_bytes();
    for r in &refs {
        r.ask(()).get().unwrap();
    }
    let messaged = rss_bytes();
    let per = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / n as f64;
    println!(
        "{label:<28} {n:>9} actors  idle: {:>6.0} B/actor   after one ask each: {:>6.0} B/actor",
        per(before, idle),
        per(before, messaged)
    );
    for r in &refs {
        drop(r.request_stop());
    }
    for r in &refs {
        r.stop();
    }
}

/// RSS growth per pending timer (issue G: "100 000 pending timers cost little").
fn timers(n: usize) {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let a = Idle.start_in(&rt);
    let far = std::time::Duration::from_secs(3600);
    // The handles' Vec is allocated and touched first, so it is not counted.
    let mut handles = Vec::with_capacity(n);
    handles.push(pykka::schedule_tell(&a, (), far).unwrap());
    let before = rss_bytes();
    for _ in 1..n {
        handles.push(pykka::schedule_tell(&a, (), far).unwrap());
    }
    let after = rss_bytes();
    println!(
        "{:<28} {n:>9} timers  pending: {:>6.0} B/timer (incl. the 16-byte handle; one timer thread in all)",
        "schedule_tell (pending)",
        after.saturating_sub(before) as f64 / n as f64
    );
    rt.shutdown().unwrap();
}

fn main() {
    timers(100_000);
    let rt = Runtime::builder().threads(1).build().unwrap();
    measure("pooled_1_worker", 1_000_000, || Idle.start_in(&rt));
    measure("dedicated_thread_per_actor", 2_000, || {
        Idle.start_dedicated()
    });
}
