//! Section 7 of the behaviour spec: threads, daemons, runtimes.

use pykka::{promise, Actor, ActorRef, Context, Error, Future, Receive, Runtime, RuntimeError};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Hang guard for waits that must complete.
const GUARD: Duration = Duration::from_secs(10);

/// `<prefix>-<N>` with N a decimal number.
fn assert_named(name: &str, prefix: &str) {
    let n = name
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .unwrap_or_else(|| panic!("thread name {name:?} does not start with {prefix:?}-"));
    assert!(
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
        "thread name {name:?} is not {prefix}-<N>"
    );
}

fn thread_number(name: &str) -> usize {
    name.rsplit('-').next().unwrap().parse().unwrap()
}

// b7_1 ----------------------------------------------------------------------------------------

/// Replies with the name of the thread its handler runs on.
struct ThreadNamer;

impl Actor for ThreadNamer {}

impl Receive for ThreadNamer {
    type Message = ();
    type Reply = Option<String>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Option<String> {
        thread::current().name().map(str::to_owned)
    }
}

#[test]
fn b7_1_pool_worker_threads_are_named_pykka_worker_n() {
    let rt = Runtime::builder().threads(3).build().unwrap();
    let actors: Vec<_> = (0..6).map(|_| ThreadNamer.start_in(&rt)).collect();
    for a in &actors {
        let name = a
            .ask(())
            .get_timeout(GUARD)
            .unwrap()
            .expect("unnamed thread");
        assert_named(&name, "pykka-worker");
    }
}

#[test]
fn b7_1_pool_thread_name_prefix_is_configurable() {
    let rt = Runtime::builder()
        .threads(1)
        .thread_name("my-pool")
        .build()
        .unwrap();
    let a = ThreadNamer.start_in(&rt);
    let name = a
        .ask(())
        .get_timeout(GUARD)
        .unwrap()
        .expect("unnamed thread");
    assert_named(&name, "my-pool");
}

/// A second class, to show that dedicated threads are named after each actor's own class.
struct OtherNamer;

impl Actor for OtherNamer {}

impl Receive for OtherNamer {
    type Message = ();
    type Reply = Option<String>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Option<String> {
        thread::current().name().map(str::to_owned)
    }
}

#[test]
fn b7_1_dedicated_actor_thread_is_named_after_its_class() {
    let a = ThreadNamer.start_dedicated();
    let b = OtherNamer.start_dedicated();
    let name_a = a
        .ask(())
        .get_timeout(GUARD)
        .unwrap()
        .expect("unnamed thread");
    let name_b = b
        .ask(())
        .get_timeout(GUARD)
        .unwrap()
        .expect("unnamed thread");
    assert_named(&name_a, "ThreadNamer");
    assert_named(&name_b, "OtherNamer");
    // Pykka numbers actor threads from one counter shared by all classes.
    assert_ne!(thread_number(&name_a), thread_number(&name_b));
    // The actor keeps its own thread.
    assert_eq!(a.ask(()).get_timeout(GUARD).unwrap(), Some(name_a));
    assert!(a.stop());
    assert!(b.stop());
}

// b7_2 ----------------------------------------------------------------------------------------

struct NonDaemon;

impl Actor for NonDaemon {}

impl Receive for NonDaemon {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        panic!("non-daemon dies of a tell panic");
    }
}

struct Daemon;

impl Actor for Daemon {
    const USE_DAEMON_THREAD: bool = true;
}

#[test]
fn b7_2_join_waits_for_non_daemon_actor_until_it_stops_but_not_for_daemon() {
    let rt = Arc::new(Runtime::builder().threads(2).build().unwrap());
    let daemon = Daemon.start_in(&rt);
    let non_daemon = NonDaemon.start_in(&rt);

    let (tx, rx) = mpsc::channel();
    let joiner = {
        let (rt, daemon, non_daemon) = (Arc::clone(&rt), daemon.clone(), non_daemon.clone());
        thread::spawn(move || {
            let joined = rt.join();
            // Observed right after join returned.
            tx.send((joined, non_daemon.is_alive(), daemon.is_alive()))
                .unwrap();
        })
    };

    // Negative check (the only timing-based assertion here): join has not returned while the
    // non-daemon actor lives. A wrong library makes this fail; a slow machine cannot.
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(200)).err(),
        Some(RecvTimeoutError::Timeout),
        "join returned while a non-daemon actor was alive"
    );
    assert!(non_daemon.is_alive());

    assert!(non_daemon.stop());
    let (joined, non_daemon_alive, daemon_alive) = rx.recv_timeout(GUARD).expect("join hung");
    assert_eq!(joined, Ok(()));
    assert!(
        !non_daemon_alive,
        "join returned before the non-daemon stopped"
    );
    assert!(
        daemon_alive,
        "join is not meant to wait for (or stop) daemons"
    );
    joiner.join().unwrap();
    assert!(daemon.is_alive());
}

#[test]
fn b7_2_join_returns_while_only_daemon_actors_are_alive() {
    let rt = Arc::new(Runtime::builder().threads(1).build().unwrap());
    let daemons: Vec<_> = (0..3).map(|_| Daemon.start_in(&rt)).collect();

    let (tx, rx) = mpsc::channel();
    let joiner = {
        let rt = Arc::clone(&rt);
        thread::spawn(move || tx.send(rt.join()).unwrap())
    };
    assert_eq!(rx.recv_timeout(GUARD).expect("join hung"), Ok(()));
    joiner.join().unwrap();
    assert!(daemons.iter().all(ActorRef::is_alive));
}

#[test]
fn b7_2_join_returns_when_the_non_daemon_actor_dies_of_a_panic() {
    let rt = Arc::new(Runtime::builder().threads(1).build().unwrap());
    let non_daemon = NonDaemon.start_in(&rt);

    let (tx, rx) = mpsc::channel();
    let joiner = {
        let (rt, non_daemon) = (Arc::clone(&rt), non_daemon.clone());
        thread::spawn(move || {
            let joined = rt.join();
            tx.send((joined, non_daemon.is_alive())).unwrap();
        })
    };
    non_daemon.tell(()).unwrap();
    let (joined, alive) = rx.recv_timeout(GUARD).expect("join hung");
    assert_eq!(joined, Ok(()));
    assert!(!alive);
    joiner.join().unwrap();
}

// b7_3 ----------------------------------------------------------------------------------------

/// Replies with what it is given.
struct Echo;

impl Actor for Echo {}

impl Receive for Echo {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n
    }
}

/// Asks the next actor and blocks on the reply: `n` becomes `next(n) + 1`.
struct Relay<N: Receive<Message = u32, Reply = u32>> {
    next: ActorRef<N>,
}

impl<N: Receive<Message = u32, Reply = u32>> Actor for Relay<N> {}

impl<N: Receive<Message = u32, Reply = u32>> Receive for Relay<N> {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        self.next.ask(n).get().unwrap() + 1
    }
}

fn one_thread(inline: bool) -> Runtime {
    let b = Runtime::builder().threads(1);
    let b = if inline { b } else { b.max_inline_depth(0) };
    b.build().unwrap()
}

fn ask_then_block(inline: bool) {
    let rt = one_thread(inline);
    let b = Echo.start_in(&rt);
    let a = Relay { next: b }.start_in(&rt);
    assert_eq!(a.ask(41).get_timeout(GUARD).unwrap(), 42);
    // Several in a row: the pool is still live afterwards.
    for n in 0..20 {
        assert_eq!(a.ask(n).get_timeout(GUARD).unwrap(), n + 1);
    }
}

#[test]
fn b7_3_a_handler_blocking_on_ask_completes_on_one_thread() {
    ask_then_block(true);
}

#[test]
fn b7_3_a_handler_blocking_on_ask_completes_on_one_thread_without_inline_running() {
    ask_then_block(false);
}

fn chain_of_three(inline: bool) {
    let rt = one_thread(inline);
    let c = Echo.start_in(&rt);
    let b = Relay { next: c }.start_in(&rt);
    let a = Relay { next: b }.start_in(&rt);
    assert_eq!(a.ask(40).get_timeout(GUARD).unwrap(), 42);
    // Concurrent askers of the head of the chain.
    let replies: Vec<_> = (0..10).map(|n| a.ask(n)).collect();
    for (n, r) in (0..10).zip(replies) {
        assert_eq!(r.get_timeout(GUARD).unwrap(), n + 2);
    }
}

#[test]
fn b7_3_b_chain_of_three_blocking_asks_completes_on_one_thread() {
    chain_of_three(true);
}

#[test]
fn b7_3_b_chain_of_three_blocking_asks_completes_on_one_thread_without_inline_running() {
    chain_of_three(false);
}

enum WaitMsg {
    /// Block on this future (signalling first), reply with its value.
    Wait(Future<u32>),
    Ping,
}

struct PromiseWaiter {
    events: mpsc::Sender<&'static str>,
}

impl Actor for PromiseWaiter {}

impl Receive for PromiseWaiter {
    type Message = WaitMsg;
    type Reply = u32;
    fn on_receive(&mut self, msg: WaitMsg, _: &mut Context<Self>) -> u32 {
        match msg {
            WaitMsg::Wait(f) => {
                self.events.send("a-blocking").unwrap();
                f.get().unwrap()
            }
            WaitMsg::Ping => 7,
        }
    }
}

/// Asks the waiter and blocks on the reply.
struct WaiterAsker {
    waiter: ActorRef<PromiseWaiter>,
    events: mpsc::Sender<&'static str>,
}

impl Actor for WaiterAsker {}

impl Receive for WaiterAsker {
    type Message = ();
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Result<u32, Error> {
        self.events.send("c-asking").unwrap();
        self.waiter.ask(WaitMsg::Ping).get()
    }
}

#[test]
fn b7_3_c_handler_blocked_on_promise_and_actor_blocked_on_it_complete_on_one_thread() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (etx, erx) = mpsc::channel();
    let a = PromiseWaiter {
        events: etx.clone(),
    }
    .start_in(&rt);
    let c = WaiterAsker {
        waiter: a.clone(),
        events: etx,
    }
    .start_in(&rt);
    let other = Echo.start_in(&rt);

    let (p, f) = promise::<u32>();
    let reply_a = a.ask(WaitMsg::Wait(f));
    assert_eq!(erx.recv_timeout(GUARD), Ok("a-blocking"));
    let reply_c = c.ask(());
    assert_eq!(erx.recv_timeout(GUARD), Ok("c-asking"));

    // With A's handler blocked on the promise and C waiting behind it, the one-thread pool still
    // runs other actors.
    assert_eq!(other.ask(5).get_timeout(GUARD).unwrap(), 5);
    // Deterministic: A cannot answer before the promise is set, and C's reply needs A's.
    assert!(!reply_a.is_ready());
    assert!(!reply_c.is_ready());

    p.set(41);
    assert_eq!(reply_a.get_timeout(GUARD).unwrap(), 41);
    assert_eq!(reply_c.get_timeout(GUARD).unwrap().unwrap(), 7);
}

/// Blocks on the future it is given and replies with the outcome.
struct BlockOn;

impl Actor for BlockOn {}

impl Receive for BlockOn {
    type Message = Future<u32>;
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, f: Future<u32>, _: &mut Context<Self>) -> Result<u32, Error> {
        f.get()
    }
}

#[test]
fn b7_3_blocking_with_no_spare_thread_allowed_is_pool_exhausted_not_a_hang() {
    let rt = Runtime::builder()
        .threads(1)
        .max_spare_threads(0)
        .max_inline_depth(0)
        .build()
        .unwrap();
    let w = BlockOn.start_in(&rt);
    let (p, f) = promise::<u32>(); // never set while the handler waits

    let outcome = w.ask(f).get_timeout(GUARD).expect("the handler hung");
    assert!(
        matches!(outcome, Err(Error::PoolExhausted(_))),
        "expected Error::PoolExhausted, got {outcome:?}"
    );
    // The refused wait left the pool's only worker running.
    let echo = Echo.start_in(&rt);
    assert_eq!(echo.ask(3).get_timeout(GUARD).unwrap(), 3);
    drop(p);
}

/// Calls `join` on the runtime it runs on.
struct JoinFromInside {
    rt: Arc<Runtime>,
}

impl Actor for JoinFromInside {}

impl Receive for JoinFromInside {
    type Message = ();
    type Reply = Result<(), RuntimeError>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Result<(), RuntimeError> {
        self.rt.join()
    }
}

#[test]
fn b7_3_join_inside_a_handler_returns_own_thread_error() {
    let rt = Arc::new(Runtime::builder().threads(1).build().unwrap());
    let j = JoinFromInside {
        rt: Arc::clone(&rt),
    }
    .start_in(&rt);
    assert_eq!(
        j.ask(())
            .get_timeout(GUARD)
            .expect("join inside a handler hung"),
        Err(RuntimeError::OwnThread)
    );
    // Drop the actor's handle on the runtime before the test's, so the test thread shuts it down.
    assert!(j.stop());
}

/// Calls `join` on the default runtime from a dedicated actor's thread.
struct DedicatedJoin;

impl Actor for DedicatedJoin {}

impl Receive for DedicatedJoin {
    type Message = ();
    type Reply = Result<(), RuntimeError>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Result<(), RuntimeError> {
        Runtime::global().join()
    }
}

#[test]
fn b7_3_join_inside_a_dedicated_actor_returns_own_thread_error() {
    let j = DedicatedJoin.start_dedicated();
    assert_eq!(
        j.ask(())
            .get_timeout(GUARD)
            .expect("join inside a handler hung"),
        Err(RuntimeError::OwnThread)
    );
    assert!(j.stop());
}
