//! Attacks on bounded mailboxes and stash (from review) that hold (no hang, every
//! message accounted for). Each test is hang-guarded by a watchdog.
mod common;

use pykka::{
    Actor, ActorRef, AsyncReceive, Context, DeadLetterReason, Directive, Error, Failure, Receive,
    Runtime,
};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

struct Letters(
    Arc<Mutex<Vec<DeadLetterReason>>>,
    #[allow(dead_code)] pykka::DeadLetterSubscription,
);
impl Letters {
    fn of(rt: &Runtime) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        Letters(
            seen,
            rt.subscribe_dead_letters(move |d| s.lock().unwrap().push(d.reason())),
        )
    }
    fn count(&self, r: DeadLetterReason) -> u64 {
        self.0.lock().unwrap().iter().filter(|x| **x == r).count() as u64
    }
}

/// Bounded at one; counts what it handles; `u64::MAX` blocks on the gate once.
struct One {
    handled: Arc<AtomicU64>,
    gate: Option<(Sender<()>, Receiver<()>)>,
    signal_at: Option<(u64, Sender<()>)>,
}
impl Actor for One {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
impl Receive for One {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) {
        if m == u64::MAX {
            if let Some((entered, open)) = self.gate.take() {
                entered.send(()).unwrap();
                open.recv().unwrap();
            }
            return;
        }
        let n = self.handled.fetch_add(1, SeqCst) + 1;
        if let Some((at, tx)) = &self.signal_at {
            if n == *at {
                let _ = tx.send(());
            }
        }
    }
}

/// Tells its target `n` messages from inside a handler (blocking tells); returns the Errs.
struct Producer(ActorRef<One>);
impl Actor for Producer {}
impl Receive for Producer {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 {
        (0..n).filter(|i| self.0.tell(*i).is_err()).count() as u64
    }
}

/// Blocked senders, on plain threads and in a handler, while the runtime shuts down with the
/// consumer held: shutdown returns, every sender returns, every message is accounted for.
#[test]
fn shutdown_with_blocked_senders_accounts_for_every_message() {
    let _w = common::watchdog("shutdown vs blocked senders", 60);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let letters = Letters::of(&rt);
    let handled = Arc::new(AtomicU64::new(0));
    let (entered_tx, entered) = mpsc::channel();
    let (open, open_rx) = mpsc::channel();
    let one = One {
        handled: handled.clone(),
        gate: Some((entered_tx, open_rx)),
        signal_at: None,
    }
    .start_in(&rt);
    one.tell(u64::MAX).unwrap();
    entered.recv().unwrap();
    let producer = Producer(one.clone()).start_in(&rt);
    let from_actor = producer.ask(300);
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let one = one.clone();
            std::thread::spawn(move || (0..300u64).filter(|i| one.tell(*i).is_err()).count() as u64)
        })
        .collect();
    let rt = Arc::new(rt);
    let shutter = {
        let rt = rt.clone();
        std::thread::spawn(move || rt.shutdown().unwrap())
    };
    open.send(()).unwrap();
    shutter.join().unwrap();
    let mut errs: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    match from_actor.get_timeout(GUARD) {
        Ok(e) => errs += e,
        Err(Error::ActorDead(_)) => panic!("the producer's ask was dropped"),
        Err(e) => panic!("{e:?}"),
    }
    let total = 4 * 300;
    let left = letters.count(DeadLetterReason::LeftInMailbox);
    let dead = letters.count(DeadLetterReason::RecipientDead);
    assert_eq!(errs, dead, "each refused tell is one dead letter");
    assert_eq!(
        handled.load(SeqCst) + left + errs,
        total,
        "handled {} left {left} errs {errs}",
        handled.load(SeqCst)
    );
}

/// Kill races with blocked senders on plain threads and in handlers, on one worker.
#[test]
fn kill_while_senders_block_accounts_for_every_message() {
    for round in 0..20u64 {
        let _w = common::watchdog("kill vs blocked senders", 60);
        let rt = Runtime::builder().threads(1).build().unwrap();
        let letters = Letters::of(&rt);
        let handled = Arc::new(AtomicU64::new(0));
        let (at_tx, at) = mpsc::channel();
        let one = One {
            handled: handled.clone(),
            gate: None,
            signal_at: Some((50 + round * 7, at_tx)),
        }
        .start_in(&rt);
        let producers: Vec<_> = (0..2)
            .map(|_| Producer(one.clone()).start_in(&rt))
            .collect();
        let asks: Vec<_> = producers.iter().map(|p| p.ask(200)).collect();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let one = one.clone();
                std::thread::spawn(move || {
                    (0..200u64).filter(|i| one.tell(*i).is_err()).count() as u64
                })
            })
            .collect();
        at.recv_timeout(GUARD).unwrap();
        one.kill();
        let mut errs: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        for a in asks {
            errs += a.get_timeout(GUARD).unwrap();
        }
        rt.shutdown().unwrap();
        let left = letters.count(DeadLetterReason::LeftInMailbox);
        assert_eq!(handled.load(SeqCst) + left + errs, 800, "round {round}");
    }
}

/// A supervised bounded child waits out a restart backoff holding its token while senders
/// block: they go on once it restarts.
struct Flaky {
    handled: Arc<AtomicU64>,
    failed: Arc<AtomicBool>,
}
impl Actor for Flaky {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
impl Receive for Flaky {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) {
        if m == 0 && !self.failed.swap(true, SeqCst) {
            panic!("first zero fails");
        }
        self.handled.fetch_add(1, SeqCst);
    }
}
struct Parent(Arc<AtomicU64>, Arc<AtomicBool>);
impl Actor for Parent {}
impl Receive for Parent {
    type Message = ();
    type Reply = ActorRef<Flaky>;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> ActorRef<Flaky> {
        let (h, f) = (self.0.clone(), self.1.clone());
        ctx.child(move || Flaky {
            handled: h.clone(),
            failed: f.clone(),
        })
        .on_panic(Directive::Restart)
        .backoff(Duration::from_millis(100), Duration::from_millis(100))
        .start()
    }
}

#[test]
fn senders_blocked_during_a_restart_backoff_go_on() {
    let _w = common::watchdog("backoff vs blocked senders", 60);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let handled = Arc::new(AtomicU64::new(0));
    let parent = Parent(handled.clone(), Arc::new(AtomicBool::new(false))).start_in(&rt);
    let child = parent.ask(()).get_timeout(GUARD).unwrap();
    let t = {
        let child = child.clone();
        std::thread::spawn(move || {
            for i in 0..500u64 {
                child.tell(i).unwrap();
            }
        })
    };
    t.join().unwrap();
    let _ = fn_ask_sync(&child);
    assert_eq!(handled.load(SeqCst), 500); // 499 tells (the first zero failed) + the ask
    rt.shutdown().unwrap();
}

fn fn_ask_sync(child: &ActorRef<Flaky>) -> Result<(), Error> {
    child.ask(1).get_timeout(GUARD)
}

/// A consumer suspended in an async handler (token parked with its waker) while a sync producer
/// and an async producer wait for room, on one worker.
struct AsyncOne {
    handled: Arc<AtomicU64>,
    wait: Option<pykka::Future<()>>,
}
impl Actor for AsyncOne {
    const MAILBOX_CAPACITY: Option<usize> = Some(1);
}
impl AsyncReceive for AsyncOne {
    type Message = u64;
    type Reply = ();
    async fn on_receive(&mut self, m: u64, _: &mut Context<Self>) {
        if m == u64::MAX {
            if let Some(f) = self.wait.take() {
                f.await.unwrap();
            }
            return;
        }
        self.handled.fetch_add(1, SeqCst);
    }
}
struct SyncP(ActorRef<AsyncOne>);
impl Actor for SyncP {}
impl Receive for SyncP {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) {
        for i in 0..n {
            self.0.tell(i).unwrap();
        }
    }
}
struct AsyncP(ActorRef<AsyncOne>);
impl Actor for AsyncP {}
impl AsyncReceive for AsyncP {
    type Message = u64;
    type Reply = ();
    async fn on_receive(&mut self, n: u64, _: &mut Context<Self>) {
        for i in 0..n {
            self.0.tell_async(i).await.unwrap();
        }
    }
}

#[test]
fn waiters_registered_while_the_consumer_is_suspended_are_woken() {
    let _w = common::watchdog("suspended consumer", 60);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let handled = Arc::new(AtomicU64::new(0));
    let (p, f) = pykka::promise::<()>();
    let c = AsyncOne {
        handled: handled.clone(),
        wait: Some(f),
    }
    .start_in(&rt);
    c.tell(u64::MAX).unwrap();
    let sp = SyncP(c.clone()).start_in(&rt);
    let ap = AsyncP(c.clone()).start_in(&rt);
    let a1 = sp.ask(300);
    let a2 = ap.ask(300);
    let t = {
        let c = c.clone();
        std::thread::spawn(move || (0..300u64).for_each(|i| c.tell(i).unwrap()))
    };
    // Let everyone pile up behind the suspended handler, then release it.
    while rt
        .snapshot()
        .actors
        .iter()
        .find(|a| a.urn == c.actor_urn())
        .map_or(0, |a| a.waiting_senders)
        < 2
    {
        std::thread::yield_now();
    }
    p.set(());
    a1.get_timeout(GUARD).unwrap();
    a2.get_timeout(GUARD).unwrap();
    t.join().unwrap();
    c.ask(0).get_timeout(GUARD).unwrap();
    assert_eq!(handled.load(SeqCst), 901);
    rt.shutdown().unwrap();
}

/// Stash + kill while the stash is being replayed: every stashed ask resolves.
#[derive(Debug)]
enum S {
    Job(u32),
    Open,
}
struct Stasher {
    open: bool,
    entered: Option<Sender<()>>,
}
impl Actor for Stasher {}
impl Receive for Stasher {
    type Message = S;
    type Reply = u32;
    fn on_receive(&mut self, m: S, ctx: &mut Context<Self>) -> u32 {
        match m {
            S::Job(n) if !self.open => {
                ctx.stash(S::Job(n));
                0
            }
            S::Job(n) => {
                if n == 100 {
                    if let Some(e) = self.entered.take() {
                        let _ = e.send(());
                    }
                }
                n
            }
            S::Open => {
                self.open = true;
                ctx.unstash_all() as u32
            }
        }
    }
}

#[test]
fn kill_while_unstashing_answers_every_stashed_ask() {
    for stop in [false, true] {
        let _w = common::watchdog("kill while unstashing", 60);
        let rt = Runtime::builder().threads(2).build().unwrap();
        let (tx, rx) = mpsc::channel();
        let s = Stasher {
            open: false,
            entered: Some(tx),
        }
        .start_in(&rt);
        let asks: Vec<_> = (0..2000).map(|n| s.ask(S::Job(n))).collect();
        s.tell(S::Open).unwrap();
        rx.recv_timeout(GUARD).unwrap();
        if stop {
            drop(s.request_stop());
        } else {
            s.kill();
        }
        let mut ok = 0;
        for (n, a) in asks.into_iter().enumerate() {
            match a.get_timeout(GUARD) {
                Ok(r) => {
                    assert_eq!(r, n as u32);
                    ok += 1
                }
                Err(Error::ActorDead(_)) => {}
                Err(e) => panic!("ask {n}: {e:?}"),
            }
        }
        assert!(ok >= 101);
        rt.shutdown().unwrap();
    }
}

/// A dedicated bounded actor telling itself (over capacity) while producers block on it.
struct DedSelf {
    handled: Arc<AtomicU64>,
}
impl Actor for DedSelf {
    const MAILBOX_CAPACITY: Option<usize> = Some(2);
}
impl Receive for DedSelf {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, m: u64, ctx: &mut Context<Self>) -> u64 {
        if m % 10 == 1 && m < 1_000_000 {
            ctx.actor_ref().tell(m + 1_000_000).unwrap();
        }
        self.handled.fetch_add(1, SeqCst)
    }
}

#[test]
fn a_dedicated_bounded_actor_with_self_tells_and_blocked_producers() {
    let _w = common::watchdog("dedicated bounded", 60);
    let handled = Arc::new(AtomicU64::new(0));
    let d = DedSelf {
        handled: handled.clone(),
    }
    .start_dedicated();
    let ts: Vec<_> = (0..3)
        .map(|_| {
            let d = d.clone();
            std::thread::spawn(move || (0..1000u64).for_each(|i| d.tell(i * 10).unwrap()))
        })
        .collect();
    for i in 0..300u64 {
        d.tell(i * 10 + 1).unwrap();
    }
    ts.into_iter().for_each(|t| t.join().unwrap());
    d.ask(0).get_timeout(GUARD).unwrap();
    // 3000 + 300 + 300 self-tells (each answered before the last ask? not necessarily)
    d.stop();
    assert_eq!(handled.load(SeqCst), 3000 + 300 + 300 + 1);
}

#[allow(dead_code)]
fn _unused(_: Failure) {}
