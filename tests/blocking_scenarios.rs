//! The blocking guarantee (issue A, design section 5): a `get()` inside a handler on a pool
//! worker never starves or deadlocks the pool. Each scenario runs on a pool of one thread, where
//! a plain blocking wait would deadlock. Timeouts are hang guards only.

mod common;

use common::chain;
use pykka::{Actor, ActorRef, Context, Error, Future, Receive, Runtime};
use std::sync::mpsc;
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

fn one_thread() -> Runtime {
    Runtime::builder().threads(1).build().unwrap()
}

struct Adder;
impl Actor for Adder {}
impl Receive for Adder {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n + 1
    }
}

struct Bookkeeper {
    adder: ActorRef<Adder>,
    log: Vec<String>,
}
impl Actor for Bookkeeper {}
impl Receive for Bookkeeper {
    type Message = u32;
    type Reply = Vec<String>;
    fn on_receive(&mut self, mut n: u32, _: &mut Context<Self>) -> Vec<String> {
        while n < 10 {
            self.log.push(format!("is increasing {n}"));
            n = self.adder.ask(n).get().expect("the adder answers");
            self.log.push(format!("got {n} back"));
        }
        std::mem::take(&mut self.log)
    }
}

#[test]
fn counter_bookkeeper_asks_adder_ten_times_blocking_on_one_thread() {
    let rt = one_thread();
    let adder = Adder.start_in(&rt);
    let keeper = Bookkeeper {
        adder,
        log: Vec::new(),
    }
    .start_in(&rt);
    let log = keeper.ask(0).get_timeout(GUARD).unwrap();
    assert_eq!(log.len(), 20);
    assert_eq!(log[0], "is increasing 0");
    assert_eq!(log[19], "got 10 back");
}

// `Link` and `chain` (each link blocks on the next) are in tests/common.

#[test]
fn chain_of_200_actors_each_blocking_on_the_next_on_one_thread() {
    let rt = one_thread();
    let head = chain(&rt, 200);
    // The head gets 0, the 200th link answers 199.
    assert_eq!(head.ask(0).get_timeout(GUARD).unwrap(), 199);
    // Again, now that spare threads exist and actors are warm.
    assert_eq!(head.ask(0).get_timeout(GUARD).unwrap(), 199);
}

#[test]
fn chain_of_200_without_inline_running_uses_spares_only() {
    let rt = Runtime::builder()
        .threads(1)
        .max_inline_depth(0)
        .build()
        .unwrap();
    let head = chain(&rt, 200);
    assert_eq!(head.ask(0).get_timeout(GUARD).unwrap(), 199);
}

/// A waits on a promise that the test thread sets from outside.
enum AMsg {
    WaitFor(Future<u32>),
    Ping,
}

struct A;
impl Actor for A {}
impl Receive for A {
    type Message = AMsg;
    type Reply = u32;
    fn on_receive(&mut self, m: AMsg, _: &mut Context<Self>) -> u32 {
        match m {
            AMsg::WaitFor(f) => f.get().expect("the outside thread sets it"),
            AMsg::Ping => 7,
        }
    }
}

/// C asks A and blocks; it reports when its ask is queued.
struct C {
    a: ActorRef<A>,
    queued: mpsc::Sender<()>,
}
impl Actor for C {}
impl Receive for C {
    type Message = ();
    type Reply = u32;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> u32 {
        let reply = self.a.ask(AMsg::Ping);
        self.queued.send(()).unwrap();
        reply.get().expect("A answers after its promise is set")
    }
}

#[test]
fn actor_blocked_on_outside_promise_while_another_asks_it_on_one_thread() {
    let rt = one_thread();
    let a = A.start_in(&rt);
    let (queued_tx, queued_rx) = mpsc::channel();
    let c = C {
        a: a.clone(),
        queued: queued_tx,
    }
    .start_in(&rt);

    let (promise, outside) = pykka::promise::<u32>();
    let a_reply = a.ask(AMsg::WaitFor(outside));
    // C runs while A's handler is blocked: the only worker is not stuck under A.
    let c_reply = c.ask(());
    queued_rx
        .recv_timeout(GUARD)
        .expect("C ran while A was blocked");
    assert!(
        !a_reply.is_ready(),
        "A cannot finish before its promise is set"
    );
    assert!(
        !c_reply.is_ready(),
        "C waits for A, which waits for the promise"
    );

    // The outside thread sets the promise: A completes, then C.
    std::thread::spawn(move || promise.set(42));
    assert_eq!(a_reply.get_timeout(GUARD).unwrap(), 42);
    assert_eq!(c_reply.get_timeout(GUARD).unwrap(), 7);
}

struct Waiter;
impl Actor for Waiter {}
impl Receive for Waiter {
    type Message = Future<()>;
    type Reply = Result<(), Error>;
    fn on_receive(&mut self, f: Future<()>, _: &mut Context<Self>) -> Result<(), Error> {
        f.get()
    }
}

#[test]
fn get_returns_pool_exhausted_when_the_spare_cap_is_reached() {
    let rt = Runtime::builder()
        .threads(1)
        .max_spare_threads(0)
        .build()
        .unwrap();
    let w = Waiter.start_in(&rt);
    // Nobody will set this promise: blocking would hang the only worker.
    let (_never_set, f) = pykka::promise::<()>();
    let result = w.ask(f).get_timeout(GUARD).unwrap();
    assert!(
        matches!(result, Err(Error::PoolExhausted(_))),
        "expected PoolExhausted, got {result:?}"
    );
    // The pool is still live.
    assert!(w.ask(Future::ready(())).get_timeout(GUARD).unwrap().is_ok());
}

#[test]
fn spare_cap_counts_blocked_threads_not_requests() {
    // One spare allowed: the first blocked handler gets it, the second is refused.
    let rt = Runtime::builder()
        .threads(1)
        .max_spare_threads(1)
        .build()
        .unwrap();
    let w1 = Waiter.start_in(&rt);
    let w2 = Waiter.start_in(&rt);
    let (p1, f1) = pykka::promise::<()>();
    let r1 = w1.ask(f1);
    let (_p2, f2) = pykka::promise::<()>();
    let r2 = w2.ask(f2).get_timeout(GUARD).unwrap();
    assert!(matches!(r2, Err(Error::PoolExhausted(_))), "got {r2:?}");
    p1.set(());
    assert!(r1.get_timeout(GUARD).unwrap().is_ok());
}
