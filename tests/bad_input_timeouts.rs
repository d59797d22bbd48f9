//! Issue F (reliability): bad input: extreme timeouts (`Duration::MAX`, zero) and broken promises.
//! Each must give an error, a log record or a documented outcome: never a hang, an overflow, a lost
//! worker or a panic escaping the library.
//!
//! The shared actors and hang guards are in `tests/common/bad_input.rs`. Timeouts are hang guards
//! only.

mod common;

use common::bad_input::{BlockOn, Echo, GUARD};
use pykka::{Actor, ActorRef, Context, Error, Future, Receive, Runtime};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// A gate actor.

/// `Some`: signals entry, then blocks until released (by a send or by dropping the sender).
/// `None`: returns at once.
struct Gate;
impl Actor for Gate {}
impl Receive for Gate {
    type Message = Option<(Sender<()>, Receiver<()>)>;
    type Reply = ();
    fn on_receive(&mut self, m: Self::Message, _: &mut Context<Self>) {
        let Some((entered, release)) = m else { return };
        entered.send(()).unwrap();
        let r = release.recv_timeout(GUARD);
        assert_ne!(
            r,
            Err(RecvTimeoutError::Timeout),
            "hang guard: never released"
        );
    }
}

/// Gates the actor; returns the release handle and the gate's reply.
fn close_gate(g: &ActorRef<Gate>) -> (Sender<()>, Future<()>) {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let f = g.ask(Some((entered_tx, release_rx)));
    entered_rx.recv_timeout(GUARD).expect("gate never entered");
    (release_tx, f)
}

// ---------------------------------------------------------------------------------------------
// Extreme timeouts.

#[test]
fn get_timeout_duration_max_on_resolved_futures_returns_the_value() {
    assert_eq!(Future::ready(1).get_timeout(Duration::MAX).unwrap(), 1);
    let (p, f) = pykka::promise();
    p.set(2);
    assert_eq!(f.get_timeout(Duration::MAX).unwrap(), 2);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let e = Echo.start_in(&rt);
    let f = e.ask(3);
    assert_eq!(e.ask(0).get_timeout(GUARD).unwrap(), 0); // now the first reply is there too
    assert!(f.is_ready());
    assert_eq!(f.get_timeout(Duration::MAX).unwrap(), 3);
    let joined = e.ask(4).join([e.ask(5)]).map(|v| v.iter().sum::<u32>());
    assert_eq!(joined.get_timeout(Duration::MAX).unwrap(), 9);
    assert_eq!(
        pykka::get_all_timeout(vec![e.ask(6), Future::ready(7)], Duration::MAX).unwrap(),
        vec![6, 7]
    );
}

#[test]
fn get_timeout_duration_max_on_pending_futures_waits_for_the_value() {
    // From outside the pool: a promise set by another thread once the reader is about to wait.
    for timeout in [
        Duration::MAX,
        Duration::from_secs(u64::MAX),
        Duration::from_secs(1 << 40),
    ] {
        let (p, f) = pykka::promise();
        let go = Arc::new(Barrier::new(2));
        let setter = {
            let go = Arc::clone(&go);
            thread::spawn(move || {
                go.wait();
                p.set(8);
            })
        };
        go.wait();
        assert_eq!(f.get_timeout(timeout).unwrap(), 8);
        setter.join().unwrap();
    }
    // An ask to a gated actor, released from another thread.
    let rt = Runtime::builder().threads(2).build().unwrap();
    let g = Gate.start_in(&rt);
    let (release, gated) = close_gate(&g);
    let go = Arc::new(Barrier::new(2));
    let releaser = {
        let go = Arc::clone(&go);
        thread::spawn(move || {
            go.wait();
            release.send(()).unwrap();
        })
    };
    go.wait();
    gated.get_timeout(Duration::MAX).unwrap();
    releaser.join().unwrap();
}

/// Waits on what it is given with the timeout it is given.
struct TimedWaiter {
    echo: ActorRef<Echo>,
}
impl Actor for TimedWaiter {}
impl Receive for TimedWaiter {
    type Message = (Option<Future<()>>, Duration);
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, (f, t): Self::Message, _: &mut Context<Self>) -> Result<u32, Error> {
        match f {
            // A promise set by the test thread.
            Some(f) => f.get_timeout(t).map(|()| 0),
            // An ask to another actor of this pool (may run inline).
            None => self.echo.ask(9).get_timeout(t),
        }
    }
}

#[test]
fn get_timeout_duration_max_inside_a_handler_waits_for_the_value() {
    for threads in [1, 2] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let echo = Echo.start_in(&rt);
        let w = TimedWaiter { echo }.start_in(&rt);
        for t in [Duration::MAX, Duration::from_secs(1 << 40)] {
            assert_eq!(w.ask((None, t)).get_timeout(GUARD).unwrap().unwrap(), 9);
            let (p, f) = pykka::promise();
            let r = w.ask((Some(f), t));
            p.set(());
            assert_eq!(r.get_timeout(GUARD).unwrap().unwrap(), 0);
        }
    }
}

#[test]
fn get_timeout_zero_on_a_pending_future_times_out_at_once() {
    let started = Instant::now();
    let (_p, f) = pykka::promise::<()>();
    match f.get_timeout(Duration::ZERO) {
        Err(Error::Timeout(t)) => {
            assert_eq!(t.duration(), Duration::ZERO);
            assert_eq!(t.to_string(), "0 seconds");
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    // An ask to a gated actor.
    let rt = Runtime::builder().threads(2).build().unwrap();
    let g = Gate.start_in(&rt);
    let (release, gated) = close_gate(&g);
    let queued = g.ask(None);
    assert!(matches!(
        queued.get_timeout(Duration::ZERO),
        Err(Error::Timeout(_))
    ));
    assert!(matches!(
        pykka::get_all_timeout(vec![Future::ready(()), g.ask(None)], Duration::ZERO),
        Err(Error::Timeout(_))
    ));
    // Inside a handler: neither an idle actor is run inline nor a spare started for it.
    let echo = Echo.start_in(&rt);
    let w = TimedWaiter { echo }.start_in(&rt);
    let (_p, f) = pykka::promise::<()>();
    let r = w.ask((Some(f), Duration::ZERO)).get_timeout(GUARD).unwrap();
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
    drop(release);
    gated.get_timeout(GUARD).unwrap();
    assert!(
        started.elapsed() < GUARD,
        "zero timeouts took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_dropped_promise_is_broken_promise_inside_and_outside_the_pool() {
    let (p, f) = pykka::promise::<()>();
    drop(p);
    assert!(matches!(f.get_timeout(GUARD), Err(Error::BrokenPromise)));
    let rt = Runtime::builder().threads(1).build().unwrap();
    let b = BlockOn.start_in(&rt);
    let (p, f) = pykka::promise::<()>();
    drop(p);
    assert!(matches!(
        b.ask(f).get_timeout(GUARD).unwrap(),
        Err(Error::BrokenPromise)
    ));
}
