//! b2_10 and issue (B): dropping a future never cancels its message, never panics the replier,
//! and never leaks the reply.
//!
//! Synchronisation is by channels and mailbox FIFO order only: a later ask's reply proves that
//! every earlier message was handled and answered (the replier sets a reply before it takes the
//! next message). Timeouts are hang guards.

use pykka::{promise, Actor, ActorRef, Context, Failure, Future, Receive, Runtime};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Wake, Waker};
use std::thread;
use std::time::Duration;

/// Hang guard for every wait that must complete.
const HANG: Duration = Duration::from_secs(10);

fn runtime() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

/// Counts its own drops.
#[derive(Debug)]
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Counts what it handled; replies with a `Tracked` value that counts the replies' drops.
struct Counter {
    handled: usize,
    reply_drops: Arc<AtomicUsize>,
    failures: Arc<AtomicUsize>,
}

enum Msg {
    /// Signals entry, then waits until released.
    Block(Sender<()>, Receiver<()>),
    /// Counted; the payload counts the message's own drop.
    Incr(Tracked),
    Handled,
}

#[derive(Debug)]
enum Reply {
    Done,
    Item(Tracked),
    Handled(usize),
}

impl Actor for Counter {
    fn on_failure(&mut self, _: &Failure, _: &mut Context<Self>) {
        self.failures.fetch_add(1, Ordering::SeqCst);
    }
}

impl Receive for Counter {
    type Message = Msg;
    type Reply = Reply;

    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) -> Reply {
        match m {
            Msg::Block(entered, release) => {
                entered.send(()).unwrap();
                release
                    .recv_timeout(HANG)
                    .expect("hang guard: never released");
                Reply::Done
            }
            Msg::Incr(token) => {
                drop(token);
                self.handled += 1;
                Reply::Item(Tracked(Arc::clone(&self.reply_drops)))
            }
            Msg::Handled => Reply::Handled(self.handled),
        }
    }
}

struct Fixture {
    _rt: Runtime,
    actor: ActorRef<Counter>,
    reply_drops: Arc<AtomicUsize>,
    message_drops: Arc<AtomicUsize>,
    failures: Arc<AtomicUsize>,
}

impl Fixture {
    fn new() -> Self {
        let rt = runtime();
        let reply_drops = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(AtomicUsize::new(0));
        let actor = Counter {
            handled: 0,
            reply_drops: Arc::clone(&reply_drops),
            failures: Arc::clone(&failures),
        }
        .start_in(&rt);
        Fixture {
            _rt: rt,
            actor,
            reply_drops,
            message_drops: Arc::new(AtomicUsize::new(0)),
            failures,
        }
    }

    fn incr(&self) -> Future<Reply> {
        self.actor
            .ask(Msg::Incr(Tracked(Arc::clone(&self.message_drops))))
    }

    /// Blocks the actor in a handler; send on the returned sender to release it.
    fn block(&self) -> (Sender<()>, Future<Reply>) {
        let (entered_tx, entered_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel();
        let blocked = self.actor.ask(Msg::Block(entered_tx, release_rx));
        entered_rx
            .recv_timeout(HANG)
            .expect("hang guard: handler never entered");
        (release_tx, blocked)
    }

    /// The number of `Incr` messages handled; its reply also proves all earlier ones answered.
    fn handled(&self) -> usize {
        match self.actor.ask(Msg::Handled).get_timeout(HANG).unwrap() {
            Reply::Handled(n) => n,
            other => panic!("expected Handled, got {other:?}"),
        }
    }
}

#[test]
fn b2_10_futures_dropped_before_handling_do_not_cancel_their_messages() {
    let fx = Fixture::new();
    let (release, blocked) = fx.block();
    // Queued behind the blocked handler, so every future is dropped before its message runs.
    for _ in 0..100 {
        drop(fx.incr());
    }
    release.send(()).unwrap();
    blocked.get_timeout(HANG).unwrap();
    assert_eq!(fx.handled(), 100);
}

#[test]
fn b2_10_derived_future_dropped_unread_does_not_cancel_the_message() {
    let fx = Fixture::new();
    let (release, blocked) = fx.block();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let mapped = fx.incr().map(move |r| {
        c.fetch_add(1, Ordering::SeqCst);
        r
    });
    let joined = fx.incr().join([fx.incr()]);
    drop((mapped, joined));
    release.send(()).unwrap();
    blocked.get_timeout(HANG).unwrap();
    assert_eq!(fx.handled(), 3);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "nobody read the mapped future"
    );
}

#[test]
fn dropped_futures_never_panic_the_replier() {
    let fx = Fixture::new();
    let (release, blocked) = fx.block();
    for _ in 0..100 {
        drop(fx.incr());
    }
    release.send(()).unwrap();
    blocked.get_timeout(HANG).unwrap();
    assert_eq!(fx.handled(), 100);
    // Still alive, never failed, still answering.
    assert!(fx.actor.is_alive());
    assert_eq!(fx.failures.load(Ordering::SeqCst), 0);
    match fx.incr().get_timeout(HANG).unwrap() {
        Reply::Item(t) => assert!(Arc::ptr_eq(&t.0, &fx.reply_drops)),
        other => panic!("expected an item, got {other:?}"),
    }
    assert_eq!(fx.handled(), 101);
}

#[test]
fn replies_to_futures_dropped_before_the_reply_are_dropped_exactly_once() {
    const N: usize = 100;
    let fx = Fixture::new();
    let (release, blocked) = fx.block();
    for _ in 0..N {
        drop(fx.incr());
    }
    assert_eq!(
        fx.reply_drops.load(Ordering::SeqCst),
        0,
        "no reply exists yet"
    );
    release.send(()).unwrap();
    blocked.get_timeout(HANG).unwrap();
    assert_eq!(fx.handled(), N);
    // The replier dropped each unread reply when it set it.
    assert_eq!(fx.reply_drops.load(Ordering::SeqCst), N);
    assert_eq!(fx.message_drops.load(Ordering::SeqCst), N);
}

#[test]
fn replies_to_futures_dropped_after_the_reply_are_dropped_exactly_once() {
    const N: usize = 100;
    let fx = Fixture::new();
    let futures: Vec<_> = (0..N).map(|_| fx.incr()).collect();
    assert_eq!(fx.handled(), N);
    // Every reply is set and held by its unread future: none dropped yet.
    assert!(futures.iter().all(Future::is_ready));
    assert_eq!(fx.reply_drops.load(Ordering::SeqCst), 0);
    drop(futures);
    assert_eq!(fx.reply_drops.load(Ordering::SeqCst), N);
    assert_eq!(fx.message_drops.load(Ordering::SeqCst), N);
}

#[test]
fn futures_dropped_while_replies_race_leak_nothing() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 1_000;
    let fx = Arc::new(Fixture::new());
    let read = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (fx, read) = (Arc::clone(&fx), Arc::clone(&read));
            thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let f = fx.incr();
                    // Read some, drop the rest at once: drops race with the replier.
                    if (i + t) % 3 == 0 {
                        match f.get_timeout(HANG).unwrap() {
                            Reply::Item(_) => read.fetch_add(1, Ordering::SeqCst),
                            other => panic!("expected an item, got {other:?}"),
                        };
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let total = THREADS * PER_THREAD;
    assert_eq!(fx.handled(), total);
    assert!(read.load(Ordering::SeqCst) > 0);
    assert_eq!(fx.reply_drops.load(Ordering::SeqCst), total);
    assert_eq!(fx.message_drops.load(Ordering::SeqCst), total);
    assert!(fx.actor.is_alive());
    assert_eq!(fx.failures.load(Ordering::SeqCst), 0);
}

#[test]
fn future_dropped_after_being_polled_releases_its_waker_and_reply() {
    struct Flag;
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {}
    }
    let fx = Fixture::new();
    let (release, blocked) = fx.block();
    let flag = Arc::new(Flag);
    let waker = Waker::from(Arc::clone(&flag));
    let mut f = fx.incr();
    assert!(
        std::future::Future::poll(Pin::new(&mut f), &mut TaskContext::from_waker(&waker))
            .is_pending()
    );
    drop(waker);
    assert_eq!(
        Arc::strong_count(&flag),
        2,
        "the pending future holds the waker"
    );
    drop(f);
    release.send(()).unwrap();
    blocked.get_timeout(HANG).unwrap();
    assert_eq!(fx.handled(), 1);
    assert_eq!(Arc::strong_count(&flag), 1, "the waker leaked");
    assert_eq!(fx.reply_drops.load(Ordering::SeqCst), 1);
}

#[test]
fn promise_set_after_its_future_was_dropped_drops_the_value_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (p, f) = promise::<Tracked>();
    drop(f);
    p.set(Tracked(Arc::clone(&drops)));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// A reply whose `Drop` panics, as user code may.
#[derive(Debug)]
struct PanicsOnDrop(Arc<Mutex<usize>>);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        *self.0.lock().unwrap() += 1;
        panic!("reply drop panics");
    }
}

struct Replier {
    drops: Arc<Mutex<usize>>,
}

enum ReplierMsg {
    Block(Sender<()>, Receiver<()>),
    Make,
    Nothing,
}

impl Actor for Replier {}

impl Receive for Replier {
    type Message = ReplierMsg;
    type Reply = Option<PanicsOnDrop>;

    fn on_receive(&mut self, m: ReplierMsg, _: &mut Context<Self>) -> Option<PanicsOnDrop> {
        match m {
            ReplierMsg::Block(entered, release) => {
                entered.send(()).unwrap();
                release
                    .recv_timeout(HANG)
                    .expect("hang guard: never released");
                None
            }
            ReplierMsg::Make => Some(PanicsOnDrop(Arc::clone(&self.drops))),
            ReplierMsg::Nothing => None,
        }
    }
}

#[test]
fn dropped_future_whose_reply_panics_on_drop_does_not_panic_the_replier() {
    // The library contains panicking drops of user values elsewhere (an actor value, a caught
    // panic payload, an undelivered message); an unread reply is dropped by the replier, too.
    // Run on a thread of its own: if the replier breaks, dropping the runtime may hang.
    enum Event {
        Verdict(Result<(), String>),
        ShutDown,
    }
    let (events, rx) = mpsc::channel();
    thread::spawn(move || {
        let rt = runtime();
        let drops = Arc::new(Mutex::new(0));
        let actor = Replier {
            drops: Arc::clone(&drops),
        }
        .start_in(&rt);
        let verdict = (|| {
            let (entered_tx, entered_rx) = mpsc::channel();
            let (release_tx, release_rx) = mpsc::channel();
            let blocked = actor.ask(ReplierMsg::Block(entered_tx, release_rx));
            entered_rx
                .recv_timeout(HANG)
                .map_err(|_| "hang guard: handler never entered".to_owned())?;
            // Dropped before the reply exists: the replier drops the reply when it sets it.
            drop(actor.ask(ReplierMsg::Make));
            release_tx.send(()).unwrap();
            if !matches!(blocked.get_timeout(HANG), Ok(None)) {
                return Err("the blocking handler did not answer".to_owned());
            }
            // FIFO: this reply comes after the unread reply was set and dropped.
            let later = actor.ask(ReplierMsg::Nothing).get_timeout(HANG);
            if !matches!(later, Ok(None)) {
                return Err(format!("replier broken after the drop panic: {later:?}"));
            }
            let n = *drops.lock().unwrap_or_else(|e| e.into_inner());
            if n != 1 {
                return Err(format!("the unread reply was dropped {n} times"));
            }
            if !actor.is_alive() {
                return Err("the actor died".to_owned());
            }
            Ok(())
        })();
        events.send(Event::Verdict(verdict)).unwrap();
        drop(actor);
        drop(rt);
        events.send(Event::ShutDown).unwrap();
    });
    match rx.recv_timeout(3 * HANG) {
        Ok(Event::Verdict(Ok(()))) => {}
        Ok(Event::Verdict(Err(why))) => panic!("{why}"),
        Ok(Event::ShutDown) => unreachable!(),
        Err(e) => panic!("hang guard: no verdict ({e})"),
    }
    assert!(
        matches!(rx.recv_timeout(HANG), Ok(Event::ShutDown)),
        "dropping the runtime hung"
    );
}
