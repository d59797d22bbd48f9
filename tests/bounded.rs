//! [mailboxes] item 1: bounded mailboxes with backpressure (`Actor::MAILBOX_CAPACITY`).

mod common;

use pykka::{
    schedule_tell, Actor, ActorRef, AsyncReceive, Context, DeadLetterReason, Receive, Runtime,
    TryTellError,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(20);

/// Bounded at two; a message `GATE` blocks the handler until the test opens the gate.
struct Two {
    seen: Arc<Mutex<Vec<u64>>>,
    gate: Option<(Sender<()>, Receiver<()>)>,
}
const GATE: u64 = u64::MAX;
impl Actor for Two {
    const MAILBOX_CAPACITY: Option<usize> = Some(2);
}
impl Receive for Two {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) -> u64 {
        if m == GATE {
            if let Some((entered, open)) = &self.gate {
                entered.send(()).unwrap();
                open.recv().unwrap();
            }
        } else {
            self.seen.lock().unwrap().push(m);
        }
        m
    }
}

/// A `Two` held inside its first handler, so that what is sent next waits in its mailbox.
struct Held {
    actor: ActorRef<Two>,
    seen: Arc<Mutex<Vec<u64>>>,
    open: Sender<()>,
}

fn held(rt: &Runtime) -> Held {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (open_tx, open_rx) = mpsc::channel();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let actor = Two {
        seen: seen.clone(),
        gate: Some((entered_tx, open_rx)),
    }
    .start_in(rt);
    actor.tell(GATE).unwrap();
    entered_rx.recv_timeout(GUARD).expect("the actor entered");
    Held {
        actor,
        seen,
        open: open_tx,
    }
}

/// The dead letters of a runtime, counted by reason.
struct Letters {
    seen: Arc<Mutex<Vec<DeadLetterReason>>>,
    _sub: pykka::DeadLetterSubscription,
}

impl Letters {
    fn of(rt: &Runtime) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let _sub = rt.subscribe_dead_letters(move |d| s.lock().unwrap().push(d.reason()));
        Letters { seen, _sub }
    }

    fn count(&self, reason: Option<DeadLetterReason>) -> u64 {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|r| reason.is_none_or(|x| **r == x))
            .count() as u64
    }
}

/// Waits (hang-guarded) until `n` senders wait for room in `actor`'s mailbox.
fn until_waiting<A: Actor>(rt: &Runtime, actor: &ActorRef<A>, n: usize) {
    let start = std::time::Instant::now();
    loop {
        let waiting = rt
            .snapshot()
            .actors
            .iter()
            .find(|a| a.urn == actor.actor_urn())
            .map_or(0, |a| a.waiting_senders);
        if waiting >= n {
            return;
        }
        assert!(start.elapsed() < GUARD, "{n} senders never waited");
        std::thread::yield_now();
    }
}

#[test]
fn try_tell_hands_the_message_back_when_full_and_makes_no_dead_letter() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let letters = Letters::of(&rt);
    let h = held(&rt);
    h.actor.try_tell(1).unwrap();
    h.actor.try_tell(2).unwrap();
    match h.actor.try_tell(3) {
        Err(TryTellError::Full(m)) => assert_eq!(m, 3),
        other => panic!("expected Full, got {other:?}"),
    }
    match h.actor.try_ask(4) {
        Err(e) => {
            assert!(e.is_full());
            assert_eq!(e.into_inner(), 4);
        }
        Ok(_) => panic!("an ask into a full mailbox was queued"),
    }
    h.open.send(()).unwrap();
    assert_eq!(h.actor.ask(5).get().unwrap(), 5);
    assert_eq!(*h.seen.lock().unwrap(), vec![1, 2, 5]);
    assert!(h.actor.stop());
    assert_eq!(letters.count(None), 0, "Full is no dead letter");
    assert!(matches!(h.actor.try_tell(6), Err(TryTellError::Dead(_))));
}

#[test]
fn a_blocked_tell_goes_on_once_the_actor_takes_a_message_in_order() {
    let _w = common::watchdog("blocked tell", 30);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let h = held(&rt);
    h.actor.tell(1).unwrap();
    h.actor.tell(2).unwrap();
    let sender = {
        let a = h.actor.clone();
        std::thread::spawn(move || {
            for m in 3..=6 {
                a.tell(m).unwrap();
            }
        })
    };
    until_waiting(&rt, &h.actor, 1);
    assert!(
        !sender.is_finished(),
        "the third tell blocks while two wait"
    );
    h.open.send(()).unwrap();
    sender.join().unwrap();
    h.actor.ask(7).get().unwrap();
    assert_eq!(*h.seen.lock().unwrap(), vec![1, 2, 3, 4, 5, 6, 7]);
    h.actor.stop();
}

#[test]
fn an_ask_into_a_full_mailbox_blocks_then_gets_its_reply() {
    let _w = common::watchdog("blocked ask", 30);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let h = held(&rt);
    h.actor.tell(1).unwrap();
    h.actor.tell(2).unwrap();
    let asker = {
        let a = h.actor.clone();
        std::thread::spawn(move || a.ask(3).get().unwrap())
    };
    until_waiting(&rt, &h.actor, 1);
    h.open.send(()).unwrap();
    assert_eq!(asker.join().unwrap(), 3);
    h.actor.stop();
}

/// Senders blocked on a full mailbox while the actor dies get `ActorDead` with their message,
/// or were queued and then handled or dead-lettered: never a hang, nothing lost.
fn blocked_senders_when_the_actor_dies(kill: bool) {
    let _w = common::watchdog("blocked senders vs death", 30);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let letters = Letters::of(&rt);
    let h = held(&rt);
    h.actor.tell(1).unwrap();
    h.actor.tell(2).unwrap();
    const SENDERS: u64 = 8;
    let senders: Vec<_> = (0..SENDERS)
        .map(|i| {
            let a = h.actor.clone();
            std::thread::spawn(move || a.tell(100 + i).map_err(|e| e.into_inner()))
        })
        .collect();
    until_waiting(&rt, &h.actor, SENDERS as usize);
    let stopped = if kill {
        h.actor.kill();
        None
    } else {
        Some(h.actor.request_stop())
    };
    h.open.send(()).unwrap();
    let (mut queued, mut refused) = (0, 0);
    for s in senders {
        match s.join().unwrap() {
            Ok(()) => queued += 1,
            Err(m) => {
                assert!((100..100 + SENDERS).contains(&m), "its own message back");
                refused += 1;
            }
        }
    }
    if let Some(f) = stopped {
        assert!(f.get_timeout(GUARD).unwrap());
    }
    assert_eq!(queued + refused, SENDERS);
    if kill {
        assert_eq!(
            refused, SENDERS,
            "a killed actor's waiters all get ActorDead"
        );
    }
    // Every message queued (1, 2 and the senders' that were) was handled or is a dead letter.
    let handled = h.seen.lock().unwrap().len() as u64;
    let left = letters.count(Some(DeadLetterReason::LeftInMailbox));
    assert_eq!(handled + left, 2 + queued, "handled {handled}, left {left}");
}

#[test]
fn blocked_senders_get_actor_dead_back_when_the_actor_is_killed() {
    blocked_senders_when_the_actor_dies(true);
}

#[test]
fn blocked_senders_are_queued_or_refused_when_the_actor_stops() {
    blocked_senders_when_the_actor_dies(false);
}

#[test]
fn stop_and_timers_never_wait_for_room() {
    let _w = common::watchdog("control messages", 30);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let h = held(&rt);
    h.actor.tell(1).unwrap();
    h.actor.tell(2).unwrap();
    // A timer's tell into the full mailbox is queued over capacity, without blocking the
    // timer thread: a second timer, for another actor, still fires.
    schedule_tell(&h.actor, 3, Duration::ZERO).unwrap();
    let (tx, rx) = mpsc::channel();
    struct Ping(Sender<u32>);
    impl Actor for Ping {}
    impl Receive for Ping {
        type Message = u32;
        type Reply = ();
        fn on_receive(&mut self, m: u32, _: &mut Context<Self>) {
            self.0.send(m).unwrap();
        }
    }
    let ping = Ping(tx).start_in(&rt);
    schedule_tell(&ping, 9, Duration::ZERO).unwrap();
    assert_eq!(
        rx.recv_timeout(GUARD).unwrap(),
        9,
        "the timer thread is not blocked"
    );
    // The stop request does not wait for room either.
    let stopped = h.actor.request_stop();
    h.open.send(()).unwrap();
    assert!(stopped.get_timeout(GUARD).unwrap());
    assert_eq!(*h.seen.lock().unwrap(), vec![1, 2, 3]);
    ping.stop();
}

/// A counting consumer, bounded at 1.
struct Narrow {
    handled: Arc<AtomicU64>,
}
impl Actor for Narrow {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
impl Receive for Narrow {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, _m: u64, _: &mut Context<Self>) {
        self.handled.fetch_add(1, Ordering::Relaxed);
    }
}

/// Tells `n` messages to its target from inside its handler.
struct Producer<T: Actor>(ActorRef<T>);
impl<T: Actor> Actor for Producer<T> {}
impl<T: Receive<Message = u64>> Receive for Producer<T> {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 {
        for i in 0..n {
            self.0.tell(i).unwrap();
        }
        n
    }
}

#[test]
fn a_handler_blocked_on_a_full_mailbox_on_one_worker_runs_the_consumer_itself() {
    let _w = common::watchdog("one worker producer", 30);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let handled = Arc::new(AtomicU64::new(0));
    let consumer = Narrow {
        handled: handled.clone(),
    }
    .start_in(&rt);
    let producer = Producer(consumer.clone()).start_in(&rt);
    assert_eq!(producer.ask(10_000).get_timeout(GUARD).unwrap(), 10_000);
    consumer.ask(0).get_timeout(GUARD).unwrap();
    assert_eq!(handled.load(Ordering::Relaxed), 10_001);
    producer.stop();
    consumer.stop();
}

/// Tells itself `n` more messages when told a positive number.
struct SelfTeller {
    handled: Arc<AtomicU64>,
}
impl Actor for SelfTeller {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
impl Receive for SelfTeller {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, n: u64, ctx: &mut Context<Self>) {
        self.handled.fetch_add(1, Ordering::Relaxed);
        for _ in 0..n {
            ctx.actor_ref().tell(0).unwrap();
        }
    }
}

#[test]
fn a_handler_telling_its_own_full_mailbox_queues_over_capacity_instead_of_hanging() {
    let _w = common::watchdog("self tell", 30);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let handled = Arc::new(AtomicU64::new(0));
    let a = SelfTeller {
        handled: handled.clone(),
    }
    .start_in(&rt);
    // Five self-tells into a mailbox of one, each refused the wait (the actor's own handler is
    // on the stack) and queued over capacity; the stop request comes after them.
    a.ask(5).get_timeout(GUARD).unwrap();
    assert!(a.stop());
    assert_eq!(handled.load(Ordering::Relaxed), 6);
}

/// Two producers, each bounded at 1, each flooding the other from its handler: a cycle of
/// blocked senders, which must not hang (the wait that would close the cycle queues over
/// capacity).
struct Flooder {
    peer: Option<ActorRef<Flooder>>,
    handled: Arc<AtomicU64>,
    start: Arc<Barrier>,
}
impl Actor for Flooder {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
enum Flood {
    Peer(ActorRef<Flooder>),
    Go(u64),
    Hit,
}
impl Receive for Flooder {
    type Message = Flood;
    type Reply = ();
    fn on_receive(&mut self, m: Flood, _: &mut Context<Self>) {
        match m {
            Flood::Peer(p) => self.peer = Some(p),
            Flood::Go(n) => {
                self.start.wait();
                let peer = self.peer.as_ref().unwrap();
                for _ in 0..n {
                    peer.tell(Flood::Hit).unwrap();
                }
            }
            Flood::Hit => {
                self.handled.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[test]
fn two_handlers_flooding_each_others_full_mailboxes_do_not_hang() {
    let _w = common::watchdog("flood cycle", 60);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let handled = Arc::new(AtomicU64::new(0));
    let start = Arc::new(Barrier::new(2));
    let make = || {
        Flooder {
            peer: None,
            handled: handled.clone(),
            start: start.clone(),
        }
        .start_in(&rt)
    };
    let (a, b) = (make(), make());
    a.tell(Flood::Peer(b.clone())).unwrap();
    b.tell(Flood::Peer(a.clone())).unwrap();
    a.tell(Flood::Go(200)).unwrap();
    b.tell(Flood::Go(200)).unwrap();
    // Stops come after every hit each one queued before it.
    assert!(a.request_stop().get_timeout(GUARD).is_ok());
    assert!(b.request_stop().get_timeout(GUARD).is_ok());
    let total = handled.load(Ordering::Relaxed);
    assert!(total <= 400, "{total}");
}

/// Forwards each number it is asked to its target with `tell_async`.
struct AsyncProducer(ActorRef<Two>);
impl Actor for AsyncProducer {}
impl AsyncReceive for AsyncProducer {
    type Message = u64;
    type Reply = u64;
    async fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 {
        for i in 0..n {
            self.0.tell_async(i).await.unwrap();
        }
        self.0.ask_async(n).await.unwrap()
    }
}

#[test]
fn an_async_sender_waits_for_room_without_holding_the_only_worker() {
    let _w = common::watchdog("async producer", 30);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let consumer = Two {
        seen: seen.clone(),
        gate: None,
    }
    .start_in(&rt);
    let producer = AsyncProducer(consumer.clone()).start_in(&rt);
    assert_eq!(producer.ask(5_000).get_timeout(GUARD).unwrap(), 5_000);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5_001);
    assert!(seen.iter().copied().eq(0..=5_000), "FIFO from one sender");
    drop(seen);
    producer.stop();
    consumer.stop();
}

#[test]
fn an_async_sender_blocked_on_a_killed_actor_gets_actor_dead() {
    let _w = common::watchdog("async vs kill", 30);
    let rt = Runtime::builder().threads(2).build().unwrap();
    let h = held(&rt);
    h.actor.tell(1).unwrap();
    h.actor.tell(2).unwrap();
    struct Forward(ActorRef<Two>);
    impl Actor for Forward {}
    impl AsyncReceive for Forward {
        type Message = u64;
        type Reply = Option<u64>;
        async fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> Option<u64> {
            self.0.tell_async(n).await.err().map(|e| e.into_inner())
        }
    }
    let f = Forward(h.actor.clone()).start_in(&rt);
    let reply = f.ask(42);
    until_waiting(&rt, &h.actor, 1);
    h.actor.kill();
    assert_eq!(reply.get_timeout(GUARD).unwrap(), Some(42));
    h.open.send(()).unwrap();
    f.stop();
}

#[test]
fn a_waiting_sender_shows_in_the_debug_snapshot() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let h = held(&rt);
    h.actor.tell(1).unwrap();
    h.actor.tell(2).unwrap();
    let a = h.actor.clone();
    let sender = std::thread::spawn(move || a.tell(3).unwrap());
    until_waiting(&rt, &h.actor, 1);
    let snap = rt.snapshot();
    let me = snap
        .actors
        .iter()
        .find(|s| s.urn == h.actor.actor_urn())
        .unwrap();
    assert_eq!(me.mailbox_len, 2);
    assert!(
        me.to_string().contains("1 senders waiting for room"),
        "{me}"
    );
    h.open.send(()).unwrap();
    sender.join().unwrap();
    h.actor.stop();
}
