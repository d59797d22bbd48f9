//! The main job: start many actors on the default pool, pass messages through them, and say
//! what it cost.
//!
//! Run: `cargo run --release --example demo [actors] [waves]` (defaults 100 000 and 10).
//!
//! The actors form a chain; each wave is a message that every actor relays to the next, so a
//! wave is `actors` messages. Several waves travel the chain at once. Then every actor is asked
//! how many messages it relayed (one ask each, replies gathered), and all are stopped.

use pykka::{Actor, ActorRef, Context, Future, Receive, Runtime};
use std::time::Instant;

enum Msg {
    /// Relay a wave down the chain.
    Wave,
    /// How many waves passed through you?
    Count,
}

struct Relay {
    next: Option<ActorRef<Relay>>,
    relayed: u64,
    /// The last actor reports each wave's arrival here.
    arrivals: Option<std::sync::mpsc::Sender<()>>,
}

impl Actor for Relay {}

impl Receive for Relay {
    type Message = Msg;
    type Reply = u64;

    fn on_receive(&mut self, msg: Msg, _ctx: &mut Context<Self>) -> u64 {
        match msg {
            Msg::Wave => {
                self.relayed += 1;
                match (&self.next, &self.arrivals) {
                    (Some(next), _) => {
                        let _ = next.tell(Msg::Wave);
                    }
                    (None, Some(done)) => {
                        let _ = done.send(());
                    }
                    (None, None) => {}
                }
                0
            }
            Msg::Count => self.relayed,
        }
    }
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let actors: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let waves: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let runtime = Runtime::global();
    println!(
        "pykka demo: {actors} actors, {waves} waves, on {} worker threads",
        runtime.threads()
    );

    let rss_before = rss_kib();
    let t0 = Instant::now();
    let (arrivals_tx, arrivals_rx) = std::sync::mpsc::channel();
    let mut refs = Vec::with_capacity(actors);
    let mut next = Some(
        Relay {
            next: None,
            relayed: 0,
            arrivals: Some(arrivals_tx),
        }
        .start(),
    );
    refs.push(next.clone().unwrap());
    for _ in 1..actors {
        let r = Relay {
            next: next.take(),
            relayed: 0,
            arrivals: None,
        }
        .start();
        refs.push(r.clone());
        next = Some(r);
    }
    let head = next.unwrap();
    let started = t0.elapsed();
    let rss_started = rss_kib();

    let t1 = Instant::now();
    for _ in 0..waves {
        head.tell(Msg::Wave).expect("the head is alive");
    }
    for _ in 0..waves {
        arrivals_rx.recv().expect("every wave arrives");
    }
    let relayed = t1.elapsed();

    let t2 = Instant::now();
    let replies: Vec<Future<u64>> = refs.iter().map(|r| r.ask(Msg::Count)).collect();
    let total: u64 = replies.into_iter().map(|f| f.get().expect("alive")).sum();
    let asked = t2.elapsed();
    assert_eq!(
        total,
        (actors * waves) as u64,
        "every message was handled once"
    );

    let t3 = Instant::now();
    let stopped = runtime.stop_all().into_iter().filter(|s| *s).count();
    let stop_time = t3.elapsed();

    let messages = actors * waves;
    println!(
        "started  {actors} actors in {started:.2?} ({:.0} actors/s)",
        actors as f64 / started.as_secs_f64()
    );
    println!(
        "relayed  {messages} messages in {relayed:.2?} ({:.0} msg/s)",
        messages as f64 / relayed.as_secs_f64()
    );
    println!(
        "asked    {actors} actors and gathered the replies in {asked:.2?} (sum of counts = {total})"
    );
    println!("stopped  {stopped} actors in {stop_time:.2?}");
    if let (Some(before), Some(after)) = (rss_before, rss_started) {
        println!(
            "memory   RSS grew {} KiB for {actors} idle actors: {:.0} bytes per actor (runtime + actor value)",
            after.saturating_sub(before),
            after.saturating_sub(before) as f64 * 1024.0 / actors as f64
        );
    }
}
