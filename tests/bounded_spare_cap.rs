//! A bounded mailbox at the pool's spare cap (found by review): every wait for room from a
//! handler is refused (`PoolExhausted`), so each tell is queued over capacity instead of
//! hanging, as documented ("Bounded mailboxes": the bound holds while senders can wait). Checked
//! here: no hang, nothing lost, and the refused waits leave no sender counted as waiting.
mod common;

use pykka::{Actor, ActorRef, Context, Receive, Runtime};
use std::sync::mpsc::{self, Receiver, Sender};

struct Four(Option<(Sender<()>, Receiver<()>)>);
impl Actor for Four {
    const MAILBOX_CAPACITY: Option<usize> = Some(4);
}
impl Receive for Four {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, _: u64, _: &mut Context<Self>) {
        if let Some((entered, open)) = self.0.take() {
            entered.send(()).unwrap();
            open.recv().unwrap();
        }
    }
}

struct Producer(ActorRef<Four>);
impl Actor for Producer {}
impl Receive for Producer {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) {
        for i in 0..n {
            self.0.tell(i).unwrap();
        }
    }
}

#[test]
fn at_the_spare_cap_refused_waits_queue_over_capacity_and_leave_no_waiter() {
    let _w = common::watchdog("spare cap", 60);
    let rt = Runtime::builder()
        .threads(2)
        .max_spare_threads(0)
        .build()
        .unwrap();
    let (entered_tx, entered) = mpsc::channel();
    let (open, open_rx) = mpsc::channel();
    let four = Four(Some((entered_tx, open_rx))).start_in(&rt);
    four.tell(0).unwrap();
    entered.recv().unwrap();
    let producer = Producer(four.clone()).start_in(&rt);
    // Returns at once: not one of its 10 000 tells waited.
    producer.ask(10_000).get().unwrap();
    let snap = rt.snapshot();
    let me = snap
        .actors
        .iter()
        .find(|a| a.urn == four.actor_urn())
        .unwrap();
    let (queued, waiting) = (me.mailbox_len, me.waiting_senders);
    open.send(()).unwrap();
    // Every message was queued (over capacity) and is handled.
    four.ask(10_000).get().unwrap();
    rt.shutdown().unwrap();
    assert_eq!(queued, 10_000, "every refused wait queued its message");
    assert_eq!(
        waiting, 0,
        "a refused wait is not a sender waiting for room"
    );
}
