//! A `tell_async` future dropped while it waits for room (a `select!` or timeout that took the
//! other branch) gives up its place (found by review: each left a waiter behind, without bound,
//! while the actor was busy). The waiter list drops abandoned promises as it grows, and the
//! debug snapshot counts only senders still waiting.
mod common;

use pykka::{Actor, Context, Receive, Runtime};
use std::future::Future as _;
use std::sync::mpsc::{self, Receiver, Sender};
use std::task::{Context as TaskContext, Waker};

const GATE: u64 = u64::MAX;

struct Slow(Sender<()>, Receiver<()>);
impl Actor for Slow {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
impl Receive for Slow {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) {
        if m == GATE {
            self.0.send(()).unwrap();
            self.1.recv().unwrap();
        }
    }
}

#[test]
fn dropped_async_sends_do_not_pile_up_waiters() {
    let _w = common::watchdog("dropped async sends", 60);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let (entered_tx, entered) = mpsc::channel();
    let (open, open_rx) = mpsc::channel();
    let slow = Slow(entered_tx, open_rx).start_in(&rt);
    slow.tell(GATE).unwrap();
    entered.recv().unwrap();
    slow.try_tell(1).unwrap(); // full now
    let mut cx = TaskContext::from_waker(Waker::noop());
    const ATTEMPTS: usize = 100_000;
    for i in 0..ATTEMPTS {
        // One attempt that gives up (its timeout fired): polled once, then dropped.
        let mut send = Box::pin(slow.tell_async(i as u64));
        assert!(send.as_mut().poll(&mut cx).is_pending());
        drop(send);
    }
    let waiting = rt
        .snapshot()
        .actors
        .iter()
        .find(|a| a.urn == slow.actor_urn())
        .map_or(0, |a| a.waiting_senders);
    open.send(()).unwrap();
    rt.shutdown().unwrap();
    // Nobody waits any more: every one of those futures is gone.
    assert!(
        waiting < 10,
        "{waiting} waiters kept for {ATTEMPTS} abandoned sends"
    );
}
