//! Issue F (reliability): bad input: panics with odd payloads or from the actor value's `Drop`, and
//! `join` with unregistered actors. Each must give an error, a log record or a documented outcome:
//! never a hang, an overflow, a lost worker or a panic escaping the library.
//!
//! A capturing `log` logger and a panic hook quiet for deliberate panics are installed once for
//! this binary (`setup`, in `tests/common/bad_input.rs` with the shared actors); assertions only
//! look at the records naming the test's own actor. Timeouts are hang guards only. Tests whose pool
//! may end up dead (the bugs) leak their runtime: dropping it would run `shutdown`, whose blocking
//! stops would hang on a dead pool.

mod common;

use common::bad_input::{leak, logged, setup, Bomb, Echo, GUARD, SHORT_GUARD};
use log::Level;
use pykka::{Actor, Context, Error, Failure, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread;

// ---------------------------------------------------------------------------------------------
// Odd panics.

enum Odd {
    /// `panic_any(42u32)`.
    Number,
    /// `panic_any(Bomb)`.
    Bomb,
    Ping,
}

struct OddPanicker {
    failures: Sender<Failure>,
}
impl Actor for OddPanicker {
    fn on_failure(&mut self, f: &Failure, _: &mut Context<Self>) {
        self.failures.send(f.clone()).unwrap();
    }
}
impl Receive for OddPanicker {
    type Message = Odd;
    type Reply = u32;
    fn on_receive(&mut self, m: Odd, _: &mut Context<Self>) -> u32 {
        match m {
            Odd::Number => std::panic::panic_any(42u32),
            Odd::Bomb => std::panic::panic_any(Bomb),
            Odd::Ping => 1,
        }
    }
}

const NON_STRING: &str = "<non-string panic payload>";

#[test]
fn non_string_panic_payloads_on_asks_fail_the_future_and_the_actor_lives() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (tx, _rx) = mpsc::channel();
    let a = OddPanicker { failures: tx }.start_in(&rt);
    for m in [Odd::Number, Odd::Bomb, Odd::Number] {
        match a.ask(m).get_timeout(GUARD) {
            Err(Error::Panicked(f)) => {
                assert_eq!(f.message(), NON_STRING);
                assert_eq!(f.actor_urn(), a.actor_urn());
                assert!(f.to_string().ends_with(&format!("panicked: {NON_STRING}")));
            }
            other => panic!("expected Panicked, got {other:?}"),
        }
        assert_eq!(a.ask(Odd::Ping).get_timeout(GUARD).unwrap(), 1);
    }
    assert!(a.is_alive());
    let infos = logged(a.actor_urn(), Level::Info);
    assert_eq!(infos.len(), 3, "{infos:?}");
    assert!(infos.iter().all(|m| m.ends_with(NON_STRING)), "{infos:?}");
    // The worker survived the panicking payload.
    assert_eq!(Echo.start_in(&rt).ask(2).get_timeout(GUARD).unwrap(), 2);
}

#[test]
fn non_string_panic_payloads_on_tells_kill_the_actor_and_reach_on_failure() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    for m in [Odd::Number, Odd::Bomb] {
        let (tx, rx) = mpsc::channel();
        let a = OddPanicker { failures: tx }.start_in(&rt);
        a.tell(m).unwrap();
        let f = rx.recv_timeout(GUARD).expect("on_failure ran");
        assert_eq!(f.message(), NON_STRING);
        assert!(!a.is_alive());
        assert!(matches!(
            a.ask(Odd::Ping).get_timeout(GUARD),
            Err(Error::ActorDead(_))
        ));
        let errors = logged(a.actor_urn(), Level::Error);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("Unhandled exception in OddPanicker"));
        assert!(errors[0].ends_with(NON_STRING));
    }
    assert_eq!(Echo.start_in(&rt).ask(2).get_timeout(GUARD).unwrap(), 2);
}

// ---------------------------------------------------------------------------------------------
// A panic in the actor value's Drop.

/// Its `Drop` panics (counted first).
struct BadDrop {
    drops: Arc<AtomicUsize>,
}
impl Drop for BadDrop {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        if !thread::panicking() {
            panic!("deliberate panic in the actor value's drop");
        }
    }
}
impl Actor for BadDrop {}
impl Receive for BadDrop {
    type Message = Option<Receiver<()>>;
    type Reply = ();
    fn on_receive(&mut self, m: Option<Receiver<()>>, _: &mut Context<Self>) {
        match m {
            // Blocks until released (a gate).
            Some(release) => {
                let _ = release.recv_timeout(GUARD);
            }
            None => panic!("deliberate tell panic"),
        }
    }
}

#[test]
fn a_panic_in_the_actor_values_drop_is_logged_and_stop_returns() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    // Stopped: stop() returns, the value was dropped once, the panic logged once.
    let a = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(&rt);
    assert!(a.stop());
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let errors = logged(a.actor_urn(), Level::Error);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("Panic while dropping a value of BadDrop"));
    assert!(errors[0].ends_with("deliberate panic in the actor value's drop"));
    // Died of a tell panic: same.
    let b = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(&rt);
    b.tell(None).unwrap();
    assert!(matches!(
        b.ask(None).get_timeout(GUARD),
        Err(Error::ActorDead(_))
    ));
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    // The pool still works; shutdown drops the last one and returns.
    assert_eq!(Echo.start_in(&rt).ask(3).get_timeout(GUARD).unwrap(), 3);
    let c = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(&rt);
    rt.shutdown().unwrap();
    assert!(!c.is_alive());
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    assert_eq!(logged(c.actor_urn(), Level::Error).len(), 1);
}

#[test]
fn a_panic_in_the_drop_of_an_unregistered_actor_dropped_by_a_worker_spares_the_worker() {
    setup();
    let rt = leak(
        Runtime::builder()
            .threads(1)
            .register_actors(false)
            .build()
            .unwrap(),
    );
    let drops = Arc::new(AtomicUsize::new(0));
    let a = BadDrop {
        drops: Arc::clone(&drops),
    }
    .start_in(rt);
    let (release, gate) = mpsc::channel();
    a.tell(Some(gate)).unwrap();
    // The worker's token is now the last reference: when its activation ends, it drops the
    // actor (never stopped, so its value is still inside).
    drop(a);
    drop(release);
    let r = Echo.start_in(rt).ask(4).get_timeout(SHORT_GUARD);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(matches!(r, Ok(4)), "the pool's only worker died: {r:?}");
}

/// Whether `rt.join()` returns within `SHORT_GUARD` (the waiting thread is left behind if not).
fn join_returns(rt: &Arc<Runtime>) -> bool {
    let (tx, rx) = mpsc::channel();
    let rt = Arc::clone(rt);
    thread::spawn(move || {
        rt.join().unwrap();
        let _ = tx.send(());
    });
    rx.recv_timeout(SHORT_GUARD).is_ok()
}

#[test]
fn join_returns_once_an_unregistered_actor_is_dropped_without_a_stop() {
    let rt = Arc::new(
        Runtime::builder()
            .threads(1)
            .register_actors(false)
            .build()
            .unwrap(),
    );
    let a = Echo.start_in(&rt);
    assert_eq!(a.ask(1).get_timeout(GUARD).unwrap(), 1);
    // Its value is dropped with the last reference: it can never run or be stopped again.
    drop(a);
    assert!(
        join_returns(&rt),
        "join hung for an actor that no longer exists"
    );
    std::mem::forget(rt); // a hung joiner holds a clone
}

#[test]
fn join_returns_after_shutdown_with_idle_unregistered_actors() {
    let rt = Arc::new(
        Runtime::builder()
            .threads(1)
            .register_actors(false)
            .build()
            .unwrap(),
    );
    let a = Echo.start_in(&rt);
    assert_eq!(a.ask(1).get_timeout(GUARD).unwrap(), 1);
    rt.shutdown().unwrap();
    // No thread will ever run it again.
    assert!(
        join_returns(&rt),
        "join hung after shutdown (actor alive: {})",
        a.is_alive()
    );
    std::mem::forget(rt);
}
