//! Async handlers against their sync counterparts, in one process, on one worker and on the
//! default runtime: `cargo bench --bench async_paths`. Prints, per runtime, the median of 5 runs
//! (ns per operation) and the ratio async / sync:
//!
//! - `ping_pong`: two actors bounce a message (per round trip), sync `Receive` vs `AsyncReceive`
//!   handlers that tell the peer;
//! - `ask_in_handler`: a handler asks an idle actor and waits for the reply: sync blocking
//!   `get()` (served inline) vs async `.await` (the handler suspends, the asked actor runs on a
//!   worker, the waker resumes the handler);
//!
//! then memory: idle async actors (bytes per actor, RSS delta) and 100 000 async actors each
//! suspended on a pending timer (bytes per actor, and the pool's thread count).

mod common;

use common::{median, per_op, rss_bytes, Asker, AsyncAsker, Counter};
use pykka::{Actor, ActorRef, AsyncReceive, Context, Promise, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

enum Ball {
    Hit(u64),
    Meet(ActorRef<AsyncPlayer>, Promise<()>),
}

struct AsyncPlayer {
    peer: Option<ActorRef<AsyncPlayer>>,
    done: Option<Promise<()>>,
}
impl Actor for AsyncPlayer {}
impl AsyncReceive for AsyncPlayer {
    type Message = Ball;
    type Reply = ();
    async fn on_receive(&mut self, m: Ball, _: &mut Context<Self>) {
        match m {
            Ball::Meet(peer, done) => {
                self.peer = Some(peer);
                self.done = Some(done);
            }
            Ball::Hit(0) => {
                if let Some(d) = self.done.take() {
                    d.set(());
                }
                if let Some(p) = &self.peer {
                    let _ = p.tell(Ball::Hit(0));
                }
            }
            Ball::Hit(n) => {
                let _ = self.peer.as_ref().unwrap().tell(Ball::Hit(n - 1));
            }
        }
    }
}

/// Sleeps on the timer when asked; counts its starts.
struct Sleeper;
static STARTED: AtomicUsize = AtomicUsize::new(0);
impl Actor for Sleeper {
    fn on_start(&mut self, _: &mut Context<Self>) {
        STARTED.fetch_add(1, Ordering::Release);
    }
}
impl AsyncReceive for Sleeper {
    type Message = Duration;
    type Reply = ();
    async fn on_receive(&mut self, d: Duration, ctx: &mut Context<Self>) {
        let _ = ctx.sleep(d).await;
    }
}

fn sync_ping_pong(rt: &Runtime) -> f64 {
    common::ping_pong(rt, 200_000)
}

fn async_ping_pong(rt: &Runtime) -> f64 {
    let player = || AsyncPlayer {
        peer: None,
        done: None,
    };
    let (x, y) = (player().start_in(rt), player().start_in(rt));
    let (p1, f1) = pykka::promise();
    let (p2, _f2) = pykka::promise();
    x.tell(Ball::Meet(y.clone(), p1)).unwrap();
    y.tell(Ball::Meet(x.clone(), p2)).unwrap();
    let n = 200_000;
    let t = Instant::now();
    x.tell(Ball::Hit(2 * n)).unwrap();
    f1.get().unwrap();
    let r = per_op(t, n);
    x.stop();
    y.stop();
    r
}

fn sync_ask_in_handler(rt: &Runtime) -> f64 {
    let target = Counter(0).start_in(rt);
    let asker = Asker { target }.start_in(rt);
    let n = 200_000;
    let t = Instant::now();
    asker.ask(n).get().unwrap();
    per_op(t, n)
}

fn async_ask_in_handler(rt: &Runtime) -> f64 {
    let target = Counter(0).start_in(rt);
    let asker = AsyncAsker { target }.start_in(rt);
    let n = 200_000;
    let t = Instant::now();
    asker.ask(n).get().unwrap();
    per_op(t, n)
}

fn memory() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let n = 100_000;
    let mut refs: Vec<ActorRef<Sleeper>> = Vec::with_capacity(n);
    STARTED.store(0, Ordering::Release);
    let before = rss_bytes();
    for _ in 0..n {
        refs.push(Sleeper.start_in(&rt));
    }
    while STARTED.load(Ordering::Acquire) < n {
        std::thread::yield_now();
    }
    let idle = rss_bytes();
    let replies: Vec<_> = refs
        .iter()
        .map(|r| r.ask(Duration::from_secs(3600)))
        .collect();
    // Every actor is suspended once its message was handled up to the await: wait until the
    // timer holds them all.
    while rt.pending_timers() < n {
        std::thread::yield_now();
    }
    let suspended = rss_bytes();
    let per = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / n as f64;
    println!(
        "memory: {n} idle async actors {:.0} B/actor; each suspended on a pending timer: {:.0} B/actor more (future, waker, timer entry, pending ask); pool threads: {}",
        per(before, idle),
        per(idle, suspended),
        rt.thread_count()
    );
    drop(replies);
    rt.shutdown_timeout(Duration::from_secs(5)).unwrap();
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument, if any, names the runtime.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    type Pair = (&'static str, fn(&Runtime) -> f64, fn(&Runtime) -> f64);
    let pairs: [Pair; 2] = [
        ("ping_pong", sync_ping_pong, async_ping_pong),
        ("ask_in_handler", sync_ask_in_handler, async_ask_in_handler),
    ];
    for (name, threads) in [("one_worker", Some(1)), ("default", None)] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let b = Runtime::builder();
        let rt = match threads {
            Some(t) => b.threads(t),
            None => b,
        }
        .build()
        .unwrap();
        let mut line = format!("{name} ({} workers):", rt.threads());
        for (pname, sync, asynchronous) in pairs {
            // Alternated, so that drift hits both alike.
            let (mut s, mut a) = (Vec::new(), Vec::new());
            for _ in 0..5 {
                s.push(sync(&rt));
                a.push(asynchronous(&rt));
            }
            let (s, a) = (median(s), median(a));
            line += &format!(" {pname} sync {s:.1} ns async {a:.1} ns ({:.2}x);", a / s);
        }
        println!("{line}");
        rt.shutdown().unwrap();
    }
    if only.is_none() {
        memory();
    }
}
