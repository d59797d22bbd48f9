//! b3_5 and issue (B): `impl std::future::Future for pykka::Future<T>` in a real executor.
//!
//! Every test runs a single-threaded tokio runtime (`new_current_thread`): if awaiting a pykka
//! future parked the thread, no other task could run and the tests below would hang. Each runtime
//! runs on its own thread under a hang guard so that a hang fails the test instead.

use pykka::{promise, Actor, Context, Error, Future, Receive, Runtime};
use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Hang guard for each test's whole async body.
const HANG: Duration = Duration::from_secs(30);

fn pool() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

/// Runs `body` to completion on a current-thread tokio runtime, on a fresh thread; fails the test
/// if it panics or does not finish within `HANG`.
fn on_current_thread_runtime<F, Fut>(body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (done_tx, done_rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(body());
        done_tx.send(()).unwrap();
    });
    match done_rx.recv_timeout(HANG) {
        Ok(()) => handle.join().unwrap(),
        Err(RecvTimeoutError::Disconnected) => match handle.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => unreachable!("runtime thread ended without reporting"),
        },
        Err(RecvTimeoutError::Timeout) => {
            panic!("hang guard: the async body did not finish in {HANG:?} (a thread was parked?)")
        }
    }
}

/// Doubles numbers; `Gate` blocks the actor until the test opens it.
struct Doubler;

enum Msg {
    /// Block until a value arrives on the channel.
    Gate(Receiver<()>),
    /// Block until the pykka future is set, then reply with its value.
    AwaitValue(Future<u64>),
    Double(u64),
    Panic(&'static str),
}

impl Actor for Doubler {}

impl Receive for Doubler {
    type Message = Msg;
    type Reply = u64;

    fn on_receive(&mut self, m: Msg, _: &mut Context<Self>) -> u64 {
        match m {
            Msg::Gate(rx) => {
                rx.recv_timeout(HANG)
                    .expect("hang guard: gate never opened");
                0
            }
            Msg::AwaitValue(f) => f.get_timeout(HANG).expect("the value never came"),
            Msg::Double(n) => n * 2,
            Msg::Panic(text) => panic!("{text}"),
        }
    }
}

// (a) -----------------------------------------------------------------------------------------

#[test]
fn b3_5_ten_thousand_asks_awaited_concurrently_on_one_thread() {
    const N: u64 = 10_000;
    on_current_thread_runtime(|| async {
        let rt = pool();
        let actor = Doubler.start_in(&rt);
        // The actor is held at a gate, so no reply can come before every task is suspended.
        let (open, gate) = mpsc::channel();
        actor.tell(Msg::Gate(gate)).unwrap();

        let started = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::with_capacity(N as usize);
        for i in 0..N {
            let reply = actor.ask(Msg::Double(i));
            let (started, finished) = (Arc::clone(&started), Arc::clone(&finished));
            handles.push(tokio::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                let r = reply.await;
                finished.fetch_add(1, Ordering::SeqCst);
                (i, r)
            }));
        }
        // Let every task run up to its await. On one thread this only ends if each await
        // returns Pending instead of blocking.
        while started.load(Ordering::SeqCst) < N as usize {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            finished.load(Ordering::SeqCst),
            0,
            "a reply came while the actor was held at the gate"
        );

        open.send(()).unwrap();
        for h in handles {
            let (i, r) = h.await.unwrap();
            assert_eq!(r.unwrap(), i * 2, "reply to ask {i}");
        }
        assert_eq!(finished.load(Ordering::SeqCst), N as usize);
    });
}

// (b) -----------------------------------------------------------------------------------------

#[test]
fn b3_5_reply_that_depends_on_another_await_completes_on_one_thread() {
    on_current_thread_runtime(|| async {
        let rt = pool();
        let actor = Doubler.start_in(&rt);
        let order = Arc::new(Mutex::new(Vec::new()));

        // The handler blocks (on a pool thread) on `value`, which the second task sets only
        // after it has awaited `trigger`, which the third task sets.
        let (value_p, value) = promise::<u64>();
        let (trigger_p, trigger) = promise::<u64>();
        let reply = actor.ask(Msg::AwaitValue(value));

        let o = Arc::clone(&order);
        let second = tokio::spawn(async move {
            o.lock().unwrap().push("second awaits trigger");
            let v = trigger.await.unwrap();
            o.lock().unwrap().push("second sets value");
            value_p.set(v + 1);
        });
        let o = Arc::clone(&order);
        let third = tokio::spawn(async move {
            o.lock().unwrap().push("third sets trigger");
            trigger_p.set(41);
        });

        // The spawned tasks can only run once this task is suspended in the await below.
        order.lock().unwrap().push("main awaits reply");
        assert_eq!(reply.await.unwrap(), 42);
        second.await.unwrap();
        third.await.unwrap();

        let order = order.lock().unwrap().clone();
        assert_eq!(order[0], "main awaits reply");
        assert!(order.contains(&"second awaits trigger"));
        let pos = |s| order.iter().position(|x| *x == s).unwrap();
        assert!(
            pos("third sets trigger") < pos("second sets value"),
            "{order:?}"
        );
    });
}

// (c) -----------------------------------------------------------------------------------------

#[test]
fn b3_5_await_mapped_ask() {
    on_current_thread_runtime(|| async {
        let rt = pool();
        let actor = Doubler.start_in(&rt);
        let f = actor.ask(Msg::Double(20)).map(|x| x + 2);
        assert_eq!(f.await.unwrap(), 42);
    });
}

#[test]
fn b3_5_await_joined_asks_in_order() {
    on_current_thread_runtime(|| async {
        let rt = pool();
        let a = Doubler.start_in(&rt);
        let b = Doubler.start_in(&rt);
        let joined = a
            .ask(Msg::Double(1))
            .join([b.ask(Msg::Double(2)), a.ask(Msg::Double(3))]);
        assert_eq!(joined.await.unwrap(), vec![2, 4, 6]);
    });
}

#[test]
fn b3_5_await_join_of_promises_set_in_reverse_by_another_task() {
    on_current_thread_runtime(|| async {
        let (p0, f0) = promise::<u32>();
        let (p1, f1) = promise::<u32>();
        let (p2, f2) = promise::<u32>();
        let setter = tokio::spawn(async move {
            p2.set(2);
            tokio::task::yield_now().await;
            p1.set(1);
            tokio::task::yield_now().await;
            p0.set(0);
        });
        assert_eq!(f0.join([f1, f2]).await.unwrap(), vec![0, 1, 2]);
        setter.await.unwrap();
    });
}

#[test]
fn b3_5_await_filter_and_reduce() {
    on_current_thread_runtime(|| async {
        let (p, f) = promise::<Vec<u32>>();
        let (q, g) = promise::<Vec<u32>>();
        let setter = tokio::spawn(async move {
            p.set(vec![1, 12, 3, 14]);
            q.set(vec![1, 2, 3]);
        });
        assert_eq!(f.filter(|x| *x > 10).await.unwrap(), vec![12, 14]);
        assert_eq!(g.reduce(|acc, x| acc * 10 + x, 0).await.unwrap(), 123);
        setter.await.unwrap();
    });
}

#[test]
fn b3_5_await_lazy_future_runs_with_no_limit() {
    on_current_thread_runtime(|| async {
        let f = Future::lazy(|remaining: Option<Duration>| Ok(remaining));
        assert_eq!(f.await.unwrap(), None);
    });
}

#[test]
fn b3_5_await_failed_future_gives_its_error() {
    on_current_thread_runtime(|| async {
        match Future::<u32>::failed(Error::BrokenPromise).await {
            Err(Error::BrokenPromise) => {}
            other => panic!("expected BrokenPromise, got {other:?}"),
        }
        let (p, f) = promise::<u32>();
        let dropper = tokio::spawn(async move { drop(p) });
        match f.await {
            Err(Error::BrokenPromise) => {}
            other => panic!("expected BrokenPromise, got {other:?}"),
        }
        dropper.await.unwrap();
    });
}

#[test]
fn b3_5_await_ask_whose_handler_panics_gives_the_failure() {
    on_current_thread_runtime(|| async {
        let rt = pool();
        let actor = Doubler.start_in(&rt);
        match actor.ask(Msg::Panic("async boom")).map(|x| x + 1).await {
            Err(Error::Panicked(failure)) => {
                assert_eq!(failure.message(), "async boom");
                assert_eq!(failure.actor_urn(), actor.actor_urn());
            }
            other => panic!("expected Error::Panicked, got {other:?}"),
        }
        // The actor lives on and still answers awaits.
        assert_eq!(actor.ask(Msg::Double(5)).await.unwrap(), 10);
    });
}

#[test]
fn b3_5_await_ask_to_dead_actor_gives_actor_dead() {
    on_current_thread_runtime(|| async {
        let rt = pool();
        let actor = Doubler.start_in(&rt);
        assert!(actor.request_stop().await.unwrap());
        match actor.ask(Msg::Double(1)).await {
            Err(Error::ActorDead(_)) => {}
            other => panic!("expected Error::ActorDead, got {other:?}"),
        }
    });
}
