//! [mailboxes] item 4: `Recipient<M>` and `ReplyRecipient<M, R>`, handles typed by the message.

mod common;

use pykka::{
    Actor, AsyncReceive, Context, DeadLetterReason, Error, Receive, Recipient, ReplyRecipient,
    Runtime,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(10);

/// What both actors below take.
#[derive(Debug, PartialEq)]
struct Tick(u64);

enum ClockMsg {
    Tick(u64),
    Read,
}
impl From<Tick> for ClockMsg {
    fn from(t: Tick) -> Self {
        ClockMsg::Tick(t.0)
    }
}

struct Clock(u64);
impl Actor for Clock {}
impl Receive for Clock {
    type Message = ClockMsg;
    type Reply = u64;
    fn on_receive(&mut self, m: ClockMsg, _: &mut Context<Self>) -> u64 {
        if let ClockMsg::Tick(n) = m {
            self.0 += n;
        }
        self.0
    }
}

/// Takes `Tick` as it is.
struct Total(u64);
impl Actor for Total {}
impl Receive for Total {
    type Message = Tick;
    type Reply = u64;
    fn on_receive(&mut self, t: Tick, _: &mut Context<Self>) -> u64 {
        if t.0 == u64::MAX {
            panic!("the handler fails on MAX");
        }
        self.0 += t.0;
        self.0
    }
}

/// The same, async.
struct AsyncTotal(u64);
impl Actor for AsyncTotal {}
impl AsyncReceive for AsyncTotal {
    type Message = Tick;
    type Reply = u64;
    async fn on_receive(&mut self, t: Tick, _: &mut Context<Self>) -> u64 {
        self.0 += t.0;
        self.0
    }
}

fn assert_send_sync<T: Send + Sync + Clone>() {}

#[test]
fn recipients_are_send_sync_and_cheap_to_clone() {
    assert_send_sync::<Recipient<Tick>>();
    assert_send_sync::<ReplyRecipient<Tick, u64>>();
    // One pointer (a fat `Arc`): a clone is a reference count.
    assert_eq!(
        std::mem::size_of::<Recipient<Tick>>(),
        2 * std::mem::size_of::<usize>()
    );
}

#[test]
fn one_list_of_recipients_reaches_actors_of_different_types() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let clock = Clock(0).start_in(&rt);
    let total = Total(0).start_in(&rt);
    let async_total = AsyncTotal(0).start_in(&rt);
    let all: Vec<Recipient<Tick>> = vec![
        clock.recipient(),
        total.recipient(),
        async_total.recipient(),
        Recipient::from(total.clone()),
    ];
    for r in &all {
        r.tell(Tick(2)).unwrap();
    }
    assert_eq!(clock.ask(ClockMsg::Read).get_timeout(GUARD).unwrap(), 2);
    assert_eq!(total.ask(Tick(0)).get_timeout(GUARD).unwrap(), 4);
    assert_eq!(async_total.ask(Tick(0)).get_timeout(GUARD).unwrap(), 2);
    // Equal, hashed and shown as the actor behind them.
    assert_eq!(all[1], all[3]);
    assert_ne!(all[0], all[1]);
    let set: HashSet<_> = all.iter().cloned().collect();
    assert_eq!(set.len(), 3);
    assert_eq!(all[0].actor_ref().actor_urn(), clock.actor_urn());
    assert_eq!(all[0].to_string(), clock.to_string());
    assert!(format!("{:?}", all[2]).starts_with("Recipient("));
    rt.shutdown().unwrap();
}

#[test]
fn a_tell_to_a_dead_recipient_hands_back_the_message_sent_and_is_a_dead_letter() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let letters = Arc::new(Mutex::new(Vec::new()));
    let sink = letters.clone();
    let _sub = rt.subscribe_dead_letters(move |d| sink.lock().unwrap().push(d.clone()));
    let clock = Clock(0).start_in(&rt);
    let r: Recipient<Tick> = clock.recipient();
    assert!(r.is_alive());
    clock.stop();
    assert!(!r.is_alive());
    let err = r.tell(Tick(7)).unwrap_err();
    // The `Tick` that was sent, not the `ClockMsg` it would have become.
    assert_eq!(err.into_inner(), Tick(7));
    let letters = letters.lock().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].reason(), DeadLetterReason::RecipientDead);
    assert_eq!(letters[0].message_type(), std::any::type_name::<Tick>());
    drop(letters);
    rt.shutdown().unwrap();
}

#[test]
fn a_message_left_in_the_mailbox_at_stop_is_a_dead_letter_of_its_sent_type() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let letters = Arc::new(Mutex::new(Vec::new()));
    let sink = letters.clone();
    let _sub = rt.subscribe_dead_letters(move |d| sink.lock().unwrap().push(d.clone()));
    let total = Total(0).start_in(&rt);
    let r: Recipient<Tick> = total.recipient();
    // Hold the actor in a handler, queue a stop then a tick behind it.
    let gate = Arc::new(Barrier::new(2));
    let g = gate.clone();
    let busy = total.proxy().unwrap();
    busy.defer(move |_| {
        g.wait();
        g.wait();
    })
    .unwrap();
    gate.wait();
    let stopped = total.request_stop();
    r.tell(Tick(1)).unwrap();
    gate.wait();
    assert!(stopped.get_timeout(GUARD).unwrap());
    let letters = letters.lock().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].reason(), DeadLetterReason::LeftInMailbox);
    assert_eq!(letters[0].message_type(), std::any::type_name::<Tick>());
    drop(letters);
    rt.shutdown().unwrap();
}

#[test]
fn a_reply_recipient_converts_the_message_and_the_reply() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let clock = Clock(0).start_in(&rt);
    let total = Total(0).start_in(&rt);
    let async_total = AsyncTotal(0).start_in(&rt);
    // `Tick` in, `u128` out (`u128: From<u64>`), whatever the actor.
    let askers: Vec<ReplyRecipient<Tick, u128>> = vec![
        clock.reply_recipient(),
        total.reply_recipient(),
        async_total.reply_recipient(),
    ];
    for a in &askers {
        assert_eq!(a.ask(Tick(5)).get_timeout(GUARD).unwrap(), 5u128);
        assert_eq!(a.ask(Tick(1)).get_timeout(GUARD).unwrap(), 6u128);
    }
    // The plain form, from an `ActorRef`.
    let plain: ReplyRecipient<Tick, u64> = total.clone().into();
    assert_eq!(plain.ask(Tick(0)).get_timeout(GUARD).unwrap(), 6);
    rt.shutdown().unwrap();
}

#[test]
fn a_reply_recipient_reports_a_panic_and_a_dead_actor() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let total = Total(0).start_in(&rt);
    let r: ReplyRecipient<Tick, u64> = total.reply_recipient();
    assert!(matches!(
        r.ask(Tick(u64::MAX)).get_timeout(GUARD),
        Err(Error::Panicked(_))
    ));
    // An ask's panic leaves the actor alive (Pykka's rule).
    assert_eq!(r.ask(Tick(3)).get_timeout(GUARD).unwrap(), 3);
    total.stop();
    assert!(matches!(
        r.ask(Tick(1)).get_timeout(GUARD),
        Err(Error::ActorDead(_))
    ));
    rt.shutdown().unwrap();
}

/// Senders on several threads tell through clones of one recipient while the actor is stopped:
/// every tick is either handled, handed back to its sender, or reported as a dead letter left
/// in the mailbox. None is lost, none counted twice.
#[test]
fn no_tick_is_lost_when_the_actor_stops_under_concurrent_recipients() {
    const THREADS: u64 = 4;
    const PER: u64 = 5_000;
    let rt = Runtime::builder().threads(2).build().unwrap();
    let handled = Arc::new(AtomicU64::new(0));
    struct Count(Arc<AtomicU64>);
    impl Actor for Count {}
    impl Receive for Count {
        type Message = Tick;
        type Reply = ();
        fn on_receive(&mut self, t: Tick, _: &mut Context<Self>) {
            self.0.fetch_add(t.0, Ordering::Relaxed);
        }
    }
    let actor = Count(handled.clone()).start_in(&rt);
    let r: Recipient<Tick> = actor.recipient();
    let send = move || match r.tell(Tick(1)) {
        Ok(()) => true,
        Err(e) => {
            assert_eq!(e.into_inner(), Tick(1), "the message sent comes back");
            false
        }
    };
    common::assert_nothing_lost(rt, THREADS, PER, send, &handled, || {
        actor.stop();
    });
}
