//! [mailboxes] item 7: metrics in debug snapshots. Per actor (opt-in: `actor_metrics(true)`):
//! messages handled, time in handlers, the mailbox's high-water mark. Per runtime (always):
//! activations, steals, spare threads in use.

mod common;

use pykka::debug::ActorMetrics;
use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(10);

/// Holds its handler on message 0 until the test opens it.
struct Held(Option<(Sender<()>, Receiver<()>)>);
impl Actor for Held {}
impl Receive for Held {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, m: u32, _: &mut Context<Self>) -> u32 {
        if m == 0 {
            if let Some((entered, open)) = &self.0 {
                entered.send(()).unwrap();
                open.recv().unwrap();
            }
        }
        m
    }
}

fn metrics_of<A: Actor>(rt: &Runtime, a: &ActorRef<A>) -> Option<ActorMetrics> {
    rt.snapshot()
        .actors
        .into_iter()
        .find(|s| s.urn == a.actor_urn())
        .expect("registered")
        .metrics
}

#[test]
fn an_actor_counts_what_it_handled_its_busy_time_and_its_mailbox_peak() {
    let rt = Runtime::builder()
        .threads(2)
        .actor_metrics(true)
        .build()
        .unwrap();
    let (entered_tx, entered) = mpsc::channel();
    let (open, open_rx) = mpsc::channel();
    let a = Held(Some((entered_tx, open_rx))).start_in(&rt);
    a.tell(0).unwrap();
    entered.recv_timeout(GUARD).unwrap();
    for i in 1..=40 {
        a.tell(i).unwrap();
    }
    open.send(()).unwrap();
    assert_eq!(a.ask(41).get_timeout(GUARD).unwrap(), 41);
    // The ask's reply is set inside the activation, which is counted when it ends: wait for
    // the count (hang-guarded).
    let start = std::time::Instant::now();
    let m = loop {
        let m = metrics_of(&rt, &a).expect("metrics are on");
        if m.handled >= 42 {
            break m;
        }
        assert!(start.elapsed() < GUARD, "{m:?}");
        std::thread::yield_now();
    };
    assert_eq!(m.handled, 42, "0, 1..=40 and the ask");
    // The 40 that waited while the actor was held, and the ask if it came before their take.
    assert!(
        (40..=41).contains(&m.mailbox_high_water),
        "what waited while the actor was held: {m:?}"
    );
    assert!(m.busy > Duration::ZERO);
    a.stop();
}

#[test]
fn without_actor_metrics_a_snapshot_has_none() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let a = Held(None).start_in(&rt);
    a.ask(1).get().unwrap();
    assert_eq!(metrics_of(&rt, &a), None);
    a.stop();
}

/// Blocks in `get()` on another actor's reply, so that a spare thread takes its worker's place.
struct Waiter(ActorRef<Held>);
impl Actor for Waiter {}
impl Receive for Waiter {
    type Message = ();
    type Reply = u32;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> u32 {
        self.0.ask(0).get().unwrap()
    }
}

#[test]
fn the_runtime_counts_activations_and_shows_a_spare_in_use() {
    let _w = common::watchdog("spare in use", 30);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let before = rt.snapshot().threads.activations;
    let (entered_tx, entered) = mpsc::channel();
    let (open, open_rx) = mpsc::channel();
    // A dedicated thread runs the held actor, so the waiter cannot run it inline: it blocks,
    // and its worker's slot goes to a spare.
    let held = Held(Some((entered_tx, open_rx))).start_dedicated();
    let w = Waiter(held.clone()).start_in(&rt);
    let reply = w.ask(());
    entered.recv_timeout(GUARD).unwrap();
    let start = std::time::Instant::now();
    loop {
        let t = rt.snapshot().threads;
        if t.spares_in_use() == 1 {
            break;
        }
        assert!(start.elapsed() < GUARD, "no spare in use: {t:?}");
        std::thread::yield_now();
    }
    open.send(()).unwrap();
    assert_eq!(reply.get_timeout(GUARD).unwrap(), 0);
    let t = rt.snapshot().threads;
    assert!(t.activations > before, "{t:?}");
    w.stop();
    held.stop();
}
