//! Issue F (reliability): bad input: calls made from where they cannot be honoured (stopping or
//! joining from inside). Each must give an error, a log record or a documented outcome: never a
//! hang, an overflow, a lost worker or a panic escaping the library.
//!
//! A capturing `log` logger and a panic hook quiet for deliberate panics are installed once for
//! this binary (`setup`, in `tests/common/bad_input.rs` with the shared actors); assertions only
//! look at the records naming the test's own actor. Timeouts are hang guards only.

mod common;

use common::bad_input::{logged, setup, BlockOn, GUARD};
use log::Level;
use pykka::{Actor, Context, Error, Failure, Receive, Runtime, RuntimeError};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Calls made from where they cannot be honoured.

/// Records what `stop` and friends return inside its hooks.
struct StopInHooks {
    results: Sender<(&'static str, bool)>,
}
impl Actor for StopInHooks {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        // Alive: a stop request is queued (behind nothing), and the actor stops after start.
        self.results
            .send(("on_start ctx.stop", ctx.stop()))
            .unwrap();
    }
    fn on_stop(&mut self, ctx: &mut Context<Self>) {
        let me = ctx.actor_ref();
        self.results.send(("on_stop ctx.stop", ctx.stop())).unwrap();
        self.results.send(("on_stop ref.stop", me.stop())).unwrap();
        let dead = matches!(me.ask(()).get_timeout(GUARD), Err(Error::ActorDead(_)));
        self.results
            .send(("on_stop ask is ActorDead", dead))
            .unwrap();
        self.results
            .send(("on_stop tell is Err", me.tell(()).is_err()))
            .unwrap();
    }
}
impl Receive for StopInHooks {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

#[test]
fn stopping_from_inside_on_stop_and_on_failure_is_harmless_and_returns_false() {
    setup();
    let rt = Runtime::builder().threads(2).build().unwrap();
    // on_start queues a stop; then on_stop runs.
    let (tx, rx) = mpsc::channel();
    let a = StopInHooks { results: tx }.start_in(&rt);
    let got: Vec<_> = (0..5).map(|_| rx.recv_timeout(GUARD).unwrap()).collect();
    assert_eq!(
        got,
        vec![
            ("on_start ctx.stop", true),
            ("on_stop ctx.stop", false),
            ("on_stop ref.stop", false),
            ("on_stop ask is ActorDead", true),
            ("on_stop tell is Err", true),
        ]
    );
    assert!(!a.is_alive());
    assert!(!a.stop());

    // A tell panic: on_failure runs on a dead actor.
    struct Failing {
        results: Sender<(&'static str, bool)>,
    }
    impl Actor for Failing {
        fn on_failure(&mut self, _: &Failure, ctx: &mut Context<Self>) {
            self.results.send(("ctx.stop", ctx.stop())).unwrap();
            self.results
                .send(("ref.stop", ctx.actor_ref().stop()))
                .unwrap();
        }
    }
    impl Receive for Failing {
        type Message = ();
        type Reply = ();
        fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
            panic!("deliberate tell panic");
        }
    }
    let (tx, rx) = mpsc::channel();
    let f = Failing { results: tx }.start_in(&rt);
    f.tell(()).unwrap();
    let got: Vec<_> = (0..2).map(|_| rx.recv_timeout(GUARD).unwrap()).collect();
    assert_eq!(got, vec![("ctx.stop", false), ("ref.stop", false)]);
    assert!(!f.is_alive());
    assert!(rt.registered().is_empty());
    // No WARN or ERROR beyond the panic itself.
    assert_eq!(logged(f.actor_urn(), Level::Error).len(), 1);
    assert!(logged(f.actor_urn(), Level::Warn).is_empty());
    assert!(logged(a.actor_urn(), Level::Warn).is_empty());
}

/// Calls `join` or `shutdown` on its own runtime from a handler.
struct WaitsForItsRuntime {
    rt: Arc<Runtime>,
}
impl Actor for WaitsForItsRuntime {}
impl Receive for WaitsForItsRuntime {
    type Message = bool;
    type Reply = Result<(), RuntimeError>;
    fn on_receive(&mut self, shutdown: bool, _: &mut Context<Self>) -> Result<(), RuntimeError> {
        if shutdown {
            self.rt.shutdown()
        } else {
            self.rt.join()
        }
    }
}

#[test]
fn join_and_shutdown_from_a_worker_are_own_thread_errors_not_deadlocks() {
    for threads in [1, 2] {
        let rt = Arc::new(Runtime::builder().threads(threads).build().unwrap());
        let w = WaitsForItsRuntime {
            rt: Arc::clone(&rt),
        }
        .start_in(&rt);
        for shutdown in [false, true] {
            let r = w.ask(shutdown).get_timeout(GUARD).expect("hang");
            assert_eq!(r, Err(RuntimeError::OwnThread));
        }
        // From a handler that blocked (and so may run on a spare thread) too.
        let b = BlockOn.start_in(&rt);
        let (p, f) = pykka::promise();
        let blocked = b.ask(f);
        assert_eq!(
            w.ask(false).get_timeout(GUARD).unwrap(),
            Err(RuntimeError::OwnThread)
        );
        p.set(());
        assert!(blocked.get_timeout(GUARD).unwrap().is_ok());
        // The runtime is untouched; the actor's handle goes before the test's.
        assert!(w.is_alive());
        assert!(w.stop());
        drop(w);
        assert_eq!(Arc::strong_count(&rt), 1);
        rt.shutdown().unwrap();
    }
}

/// Stops itself, blocking, from its own handler: Pykka's issue #76.
struct SelfStopper {
    stopped: Sender<()>,
}
impl Actor for SelfStopper {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        self.stopped.send(()).unwrap();
    }
}
impl Receive for SelfStopper {
    /// 0: `ActorRef::stop`; 1: `request_stop().get()`; 2: `AnyActorRef::stop` via the registry.
    type Message = u8;
    type Reply = Result<bool, Error>;
    fn on_receive(&mut self, how: u8, ctx: &mut Context<Self>) -> Result<bool, Error> {
        let me = ctx.actor_ref();
        match how {
            0 => Ok(me.stop()),
            1 => me.request_stop().get(),
            _ => {
                let any: pykka::AnyActorRef = me.into();
                Ok(any.stop())
            }
        }
    }
}

#[test]
fn a_blocking_stop_of_itself_from_its_own_handler_returns_and_the_actor_stops() {
    setup();
    for threads in [1, 4] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        for how in 0..3 {
            let (tx, rx) = mpsc::channel();
            let a = SelfStopper { stopped: tx }.start_in(&rt);
            let r = a.ask(how).get_timeout(GUARD).expect("a self-stop hung");
            match how {
                // The stop was queued (the actor was alive): true. The wait itself was refused
                // as a deadlock and logged at WARN.
                0 => {
                    assert!(r.unwrap());
                    let warns = logged(a.actor_urn(), Level::Warn);
                    assert_eq!(warns.len(), 1, "{warns:?}");
                    assert!(warns[0].contains("could not wait"), "{warns:?}");
                    assert!(warns[0].contains("deadlock"), "{warns:?}");
                }
                1 => assert!(matches!(r, Err(Error::Deadlock(_))), "{r:?}"),
                _ => assert!(r.unwrap()),
            }
            rx.recv_timeout(GUARD).expect("the queued stop ran");
            assert!(matches!(
                a.ask(0).get_timeout(GUARD),
                Err(Error::ActorDead(_))
            ));
            assert!(!a.is_alive());
        }
    }
}

#[test]
fn a_blocking_stop_of_itself_from_a_dedicated_actor_returns_and_the_actor_stops() {
    setup();
    let (tx, rx) = mpsc::channel();
    let a = SelfStopper { stopped: tx }.start_dedicated();
    assert!(a
        .ask(0)
        .get_timeout(GUARD)
        .expect("a self-stop hung")
        .unwrap());
    rx.recv_timeout(GUARD).expect("the queued stop ran");
    assert!(!a.is_alive());
}

/// Stops itself, blocking, from `on_start`.
struct StopsInOnStart {
    stopped: Sender<bool>,
}
impl Actor for StopsInOnStart {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        let r = ctx.actor_ref().stop();
        self.stopped.send(r).unwrap();
    }
}
impl Receive for StopsInOnStart {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {}
}

#[test]
fn a_blocking_stop_of_itself_from_on_start_returns_and_messages_queued_before_it_run() {
    setup();
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (tx, rx) = mpsc::channel();
    let a = StopsInOnStart { stopped: tx }.start_in(&rt);
    // Queued before on_start ran (the only worker runs it after this ask is queued or not;
    // either way the reply resolves).
    let early = a.ask(());
    assert!(rx.recv_timeout(GUARD).expect("on_start hung"));
    let r = early.get_timeout(GUARD);
    assert!(
        matches!(r, Ok(()) | Err(Error::ActorDead(_))),
        "unexpected {r:?}"
    );
    assert!(matches!(
        a.ask(()).get_timeout(GUARD),
        Err(Error::ActorDead(_))
    ));
}
