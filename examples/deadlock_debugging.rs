//! Pykka's deadlock-debugging example: two actors ask each other and block. On a pool the
//! threads say little; `pykka::debug` says who waits on whom.
//!
//! Run: `cargo run --example deadlock_debugging`
//!
//! (A cycle on one thread is refused at once with `Error::Deadlock`; this one spans two worker
//! threads, as it would with a thread per actor, so it really hangs: the example prints the
//! snapshot and exits.)

use pykka::{debug, Actor, ActorRef, Context, Receive, Runtime};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

enum Msg {
    /// Meet the other at the barrier, then ask it and wait.
    AskPeer(ActorRef<Node>, Arc<Barrier>),
    Ping,
}

struct Node;
impl Actor for Node {}
impl Receive for Node {
    type Message = Msg;
    type Reply = u32;
    fn on_receive(&mut self, msg: Msg, _: &mut Context<Self>) -> u32 {
        match msg {
            Msg::AskPeer(peer, barrier) => {
                // Both handlers are now running, on two threads: neither can run the other.
                barrier.wait();
                peer.ask(Msg::Ping).get().unwrap_or(0)
            }
            Msg::Ping => 1,
        }
    }
}

fn main() {
    // Leaked: the deadlocked handlers never return, so the runtime is never shut down.
    let rt: &'static Runtime = Box::leak(Box::new(
        Runtime::builder().threads(2).build().expect("a runtime"),
    ));
    let a = Node.start_in(rt);
    let b = Node.start_in(rt);
    let barrier = Arc::new(Barrier::new(2));
    let _fa = a.ask(Msg::AskPeer(b.clone(), barrier.clone()));
    let _fb = b.ask(Msg::AskPeer(a.clone(), barrier));

    // Poll the snapshot until both are blocked (a human would call log_actor_states from a
    // signal handler instead).
    let start = Instant::now();
    let snap = loop {
        let snap = rt.snapshot();
        if snap.waits().len() == 2 || start.elapsed() > Duration::from_secs(10) {
            break snap;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    println!("Actors:");
    for actor in &snap.actors {
        println!("  {actor}");
    }
    println!("Wait-for relation:");
    for (waiter, awaited) in snap.waits() {
        println!("  {waiter}  ->  {awaited}");
    }
    let t = &snap.threads;
    println!(
        "Threads: {} workers, {} live pool threads ({} spares took over the blocked workers' queues)",
        t.workers,
        t.live_threads,
        t.live_threads.saturating_sub(t.workers)
    );
    if snap.waits().len() == 2 {
        println!("Deadlock: each actor waits for the other.");
    }
    // The same, as ERROR records on target `pykka::debug` (shown if a logger is installed).
    debug::log_actor_states();
    std::process::exit(0);
}
