//! [mailboxes] item 2: the urgent lane. `tell_urgent` / `ask_urgent` pass the ordinary messages
//! still waiting, FIFO among urgent ones; stop requests keep Pykka's poison-pill order among
//! ordinary messages.

mod common;

use pykka::{Actor, ActorRef, AsyncReceive, Context, Receive, Runtime, TellError};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum M {
    Ordinary(u32),
    Urgent(u32),
    /// Sends itself urgent `a`, `b`; urgent `a` then sends urgent `c`.
    Chain,
    Gate,
}

/// Logs what it handles; `Gate` holds it until the test opens.
struct Log {
    log: Arc<Mutex<Vec<M>>>,
    gate: Option<(Sender<()>, Receiver<()>)>,
}
impl Actor for Log {}
impl Receive for Log {
    type Message = M;
    type Reply = ();
    fn on_receive(&mut self, m: M, ctx: &mut Context<Self>) {
        match m {
            M::Gate => {
                if let Some((entered, open)) = &self.gate {
                    entered.send(()).unwrap();
                    open.recv().unwrap();
                }
                return;
            }
            M::Chain => {
                let me = ctx.actor_ref();
                me.tell_urgent(M::Urgent(1)).unwrap();
                me.tell_urgent(M::Urgent(2)).unwrap();
            }
            M::Urgent(1) => ctx.actor_ref().tell_urgent(M::Urgent(3)).unwrap(),
            _ => {}
        }
        self.log.lock().unwrap().push(m);
    }
}

struct Held {
    actor: ActorRef<Log>,
    log: Arc<Mutex<Vec<M>>>,
    open: Sender<()>,
}

fn held(rt: &Runtime) -> Held {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (open_tx, open_rx) = mpsc::channel();
    let log = Arc::new(Mutex::new(Vec::new()));
    let actor = Log {
        log: log.clone(),
        gate: Some((entered_tx, open_rx)),
    }
    .start_in(rt);
    actor.tell(M::Gate).unwrap();
    entered_rx.recv_timeout(GUARD).expect("entered");
    Held {
        actor,
        log,
        open: open_tx,
    }
}

#[test]
fn urgent_messages_pass_queued_ordinary_ones_in_their_own_order() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let h = held(&rt);
    // More than a batch's budget of each, interleaved.
    for i in 0..100 {
        h.actor.tell(M::Ordinary(i)).unwrap();
        h.actor.tell_urgent(M::Urgent(1000 + i)).unwrap();
    }
    h.open.send(()).unwrap();
    h.actor.ask(M::Ordinary(999)).get_timeout(GUARD).unwrap();
    let log = h.log.lock().unwrap().clone();
    let expected: Vec<M> = (0..100)
        .map(|i| M::Urgent(1000 + i))
        .chain((0..100).map(M::Ordinary))
        .chain([M::Ordinary(999)])
        .collect();
    assert_eq!(log, expected);
    h.actor.stop();
}

#[test]
fn an_urgent_message_passes_the_batch_the_running_thread_already_took() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let h = held(&rt);
    // Queued before the actor runs: the worker takes all of them into one batch (unbounded).
    h.actor.tell(M::Chain).unwrap();
    for i in 0..50 {
        h.actor.tell(M::Ordinary(i)).unwrap();
    }
    h.open.send(()).unwrap();
    h.actor.ask(M::Ordinary(999)).get_timeout(GUARD).unwrap();
    let log = h.log.lock().unwrap().clone();
    // Chain (first in the batch) sends urgent 1 and 2, which run before ordinary 0; urgent 3,
    // sent by urgent 1, runs after urgent 2 (FIFO among urgent messages), still before 0.
    let expected: Vec<M> = [M::Chain, M::Urgent(1), M::Urgent(2), M::Urgent(3)]
        .into_iter()
        .chain((0..50).map(M::Ordinary))
        .chain([M::Ordinary(999)])
        .collect();
    assert_eq!(log, expected);
    h.actor.stop();
}

#[test]
fn an_urgent_message_passes_a_queued_stop_request() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let h = held(&rt);
    h.actor.tell(M::Ordinary(1)).unwrap();
    let stopped = h.actor.request_stop();
    h.actor.tell_urgent(M::Urgent(2)).unwrap();
    h.open.send(()).unwrap();
    assert!(stopped.get_timeout(GUARD).unwrap());
    assert_eq!(
        *h.log.lock().unwrap(),
        [M::Urgent(2), M::Ordinary(1)],
        "the stop keeps its place among ordinary messages"
    );
    // Dead: both hand back or fail.
    match h.actor.tell_urgent(M::Urgent(3)) {
        Err(e) => assert_eq!(TellError::into_inner(e), M::Urgent(3)),
        Ok(()) => panic!("a dead actor took an urgent message"),
    }
    assert!(h.actor.ask_urgent(M::Urgent(4)).get_timeout(GUARD).is_err());
}

/// Bounded at one message: an urgent message never waits for room.
struct Tiny(Arc<Mutex<Vec<u32>>>, Option<(Sender<()>, Receiver<()>)>);
impl Actor for Tiny {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
impl Receive for Tiny {
    type Message = u32;
    type Reply = ();
    fn on_receive(&mut self, m: u32, _: &mut Context<Self>) {
        if m == 0 {
            if let Some((entered, open)) = &self.1 {
                entered.send(()).unwrap();
                open.recv().unwrap();
            }
            return;
        }
        self.0.lock().unwrap().push(m);
    }
}

#[test]
fn an_urgent_message_does_not_wait_for_room_in_a_full_bounded_mailbox() {
    let _w = common::watchdog("urgent into a full mailbox", 30);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let (entered_tx, entered_rx) = mpsc::channel();
    let (open_tx, open_rx) = mpsc::channel();
    let log = Arc::new(Mutex::new(Vec::new()));
    let t = Tiny(log.clone(), Some((entered_tx, open_rx))).start_in(&rt);
    t.tell(0).unwrap();
    entered_rx.recv_timeout(GUARD).unwrap();
    t.tell(1).unwrap();
    assert!(t.try_tell(2).is_err(), "full");
    t.tell_urgent(3).unwrap(); // would block for ever if it waited: the actor is held
    open_tx.send(()).unwrap();
    t.ask(4).get_timeout(GUARD).unwrap();
    assert_eq!(*log.lock().unwrap(), [3, 1, 4]);
    t.stop();
}

/// An async actor: urgent messages pass its queued ones too.
struct AsyncLog(Arc<Mutex<Vec<u32>>>, Option<(Sender<()>, Receiver<()>)>);
impl Actor for AsyncLog {}
impl AsyncReceive for AsyncLog {
    type Message = u32;
    type Reply = ();
    async fn on_receive(&mut self, m: u32, _: &mut Context<Self>) {
        if m == 0 {
            if let Some((entered, open)) = &self.1 {
                entered.send(()).unwrap();
                open.recv().unwrap();
            }
            return;
        }
        self.0.lock().unwrap().push(m);
    }
}

#[test]
fn urgent_messages_pass_in_async_actors_too() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let (entered_tx, entered_rx) = mpsc::channel();
    let (open_tx, open_rx) = mpsc::channel();
    let log = Arc::new(Mutex::new(Vec::new()));
    let a = AsyncLog(log.clone(), Some((entered_tx, open_rx))).start_in(&rt);
    a.tell(0).unwrap();
    entered_rx.recv_timeout(GUARD).unwrap();
    a.tell(1).unwrap();
    a.tell(2).unwrap();
    let urgent = a.ask_urgent(3);
    open_tx.send(()).unwrap();
    urgent.get_timeout(GUARD).unwrap();
    a.ask(4).get_timeout(GUARD).unwrap();
    assert_eq!(*log.lock().unwrap(), [3, 1, 2, 4]);
    a.stop();
}
