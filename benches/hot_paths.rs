//! The hot paths on the runtime users get by default (one worker per core) and on one worker,
//! in one process: `cargo bench --bench hot_paths`. Prints, per runtime, the median of 5 runs
//! of each workload (ns per operation):
//!
//! - `spawn`: start an actor, tell it one message, request its stop (per actor);
//! - `counting`: one outside thread tells one actor (per message);
//! - `ping_pong`: two actors bounce a message (per round trip);
//! - `ask_in_handler`: a handler asks an idle actor and blocks on the reply (per ask).
//!
//! No criterion: each workload is one timed loop, so two builds can be run alternately and
//! compared as ratios (see docs/benchmarks.md).

mod common;

use common::{median, per_op, Asker, Counter};
use pykka::{Actor, Future, Runtime};
use std::time::Instant;

fn spawn(rt: &Runtime) -> f64 {
    let n = 100_000;
    let t = Instant::now();
    let stops: Vec<Future<bool>> = (0..n)
        .map(|i| {
            let a = Counter(0).start_in(rt);
            a.tell(i).unwrap();
            a.request_stop()
        })
        .collect();
    for s in stops {
        s.get().unwrap();
    }
    per_op(t, n)
}

fn counting(rt: &Runtime) -> f64 {
    let a = Counter(0).start_in(rt);
    let n = 2_000_000;
    let t = Instant::now();
    for i in 0..n {
        a.tell(i).unwrap();
    }
    a.ask(0).get().unwrap();
    let r = per_op(t, n);
    a.stop();
    r
}

fn ping_pong(rt: &Runtime) -> f64 {
    common::ping_pong(rt, 500_000)
}

fn ask_in_handler(rt: &Runtime) -> f64 {
    let target = Counter(0).start_in(rt);
    let asker = Asker { target }.start_in(rt);
    let n = 500_000;
    let t = Instant::now();
    asker.ask(n).get().unwrap();
    per_op(t, n)
}

type Workload = (&'static str, fn(&Runtime) -> f64);

fn main() {
    // `cargo bench` passes `--bench`; a filter argument, if any, names the runtime.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let workloads: [Workload; 4] = [
        ("spawn", spawn),
        ("counting", counting),
        ("ping_pong", ping_pong),
        ("ask_in_handler", ask_in_handler),
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
        for (wname, f) in workloads {
            let m = median((0..5).map(|_| f(&rt)).collect());
            line += &format!(" {wname} {m:.1} ns");
        }
        println!("{line}");
        rt.shutdown().unwrap();
    }
}
