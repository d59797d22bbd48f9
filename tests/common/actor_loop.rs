//! The actor and helpers shared by the `actor_loop_*` test files (section 1 of
//! `pykka-behaviors.md`, the actor loop): `Probe`, a configurable actor whose hooks the test
//! observes, with the hang guard and the checks those files use.

use super::Gate;
use pykka::{Actor, Context, Error, Failure, Receive, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Hang guard for every blocking wait in the `actor_loop_*` files.
pub(crate) const HANG: Duration = Duration::from_secs(10);

pub(crate) fn runtime(threads: usize) -> Runtime {
    Runtime::builder().threads(threads).build().unwrap()
}

// ---------------------------------------------------------------------------------------------
// A gate (`Gate`, `GateCtl`, `gate()`: `super`) holds an actor inside a handler until the test
// opens it.

// ---------------------------------------------------------------------------------------------
// Observations shared between an actor and the test.

#[derive(Default)]
pub(crate) struct Hooks {
    log: Mutex<Vec<String>>,
    pub(crate) on_start: AtomicUsize,
    pub(crate) on_stop: AtomicUsize,
    pub(crate) on_failure: AtomicUsize,
    pub(crate) on_receive: AtomicUsize,
}

impl Hooks {
    pub(crate) fn push(&self, entry: impl Into<String>) {
        self.log.lock().unwrap().push(entry.into());
    }

    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// Drops announce themselves: proves a message was released, not leaked.
pub(crate) struct DropGuard(pub(crate) Sender<&'static str>, pub(crate) &'static str);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let _ = self.0.send(self.1);
    }
}

/// A configurable actor for most of the tests below.
pub(crate) struct Probe {
    hooks: Arc<Hooks>,
    /// Gate the `Block` message waits on.
    gate: Option<Gate>,
    /// Gate `on_start` waits on (before anything else it does).
    pub(crate) start_gate: Option<Gate>,
    /// Gate `on_stop` waits on (after logging, before it returns).
    pub(crate) stop_gate: Option<Gate>,
    /// Signals the end of `on_failure`'s entry (before it may panic).
    pub(crate) failure_entered: Option<Sender<()>>,
    pub(crate) stop_in_on_start: bool,
    pub(crate) panic_in_on_start: bool,
    pub(crate) panic_in_on_stop: bool,
    pub(crate) panic_in_on_failure: bool,
    /// Sent on when the actor value is dropped: the end of termination.
    dropped: Option<Sender<()>>,
}

impl Probe {
    pub(crate) fn new(hooks: &Arc<Hooks>) -> Self {
        Probe {
            hooks: Arc::clone(hooks),
            gate: None,
            start_gate: None,
            stop_gate: None,
            failure_entered: None,
            stop_in_on_start: false,
            panic_in_on_start: false,
            panic_in_on_stop: false,
            panic_in_on_failure: false,
            dropped: None,
        }
    }

    pub(crate) fn with_gate(mut self, g: Gate) -> Self {
        self.gate = Some(g);
        self
    }

    pub(crate) fn with_drop_signal(mut self) -> (Self, Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        self.dropped = Some(tx);
        (self, rx)
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        if let Some(tx) = &self.dropped {
            let _ = tx.send(());
        }
    }
}

pub(crate) enum Msg {
    /// Waits on the gate.
    Block,
    /// Appends to the log.
    Record(String),
    /// Replies with the number.
    Echo(u64),
    /// Panics with the text.
    Panic(&'static str),
    /// Carries a value whose drop is observable.
    Tracked(#[allow(dead_code)] DropGuard),
    /// Logs "go", tells itself `Record("self")`, then calls `ctx.stop()`.
    TellSelfThenStop,
    /// Calls `ctx.stop()` three times; replies with how many returned true.
    StopThrice,
}

impl Actor for Probe {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        if let Some(g) = &self.start_gate {
            g.pass();
        }
        self.hooks.on_start.fetch_add(1, Ordering::SeqCst);
        self.hooks.push("on_start");
        if self.panic_in_on_start {
            panic!("boom in on_start");
        }
        if self.stop_in_on_start {
            assert!(ctx.stop(), "ctx.stop() in on_start of a live actor");
        }
    }

    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        self.hooks.on_stop.fetch_add(1, Ordering::SeqCst);
        self.hooks.push("on_stop");
        if let Some(g) = &self.stop_gate {
            g.pass();
        }
        if self.panic_in_on_stop {
            panic!("boom in on_stop");
        }
    }

    fn on_failure(&mut self, failure: &Failure, _ctx: &mut Context<Self>) {
        self.hooks.on_failure.fetch_add(1, Ordering::SeqCst);
        self.hooks
            .push(format!("on_failure: {}", failure.message()));
        if let Some(tx) = &self.failure_entered {
            tx.send(()).unwrap();
        }
        if self.panic_in_on_failure {
            panic!("boom in on_failure");
        }
    }
}

impl Receive for Probe {
    type Message = Msg;
    type Reply = u64;

    fn on_receive(&mut self, message: Msg, ctx: &mut Context<Self>) -> u64 {
        self.hooks.on_receive.fetch_add(1, Ordering::SeqCst);
        match message {
            Msg::Block => {
                self.gate.as_ref().expect("no gate").pass();
                0
            }
            Msg::Record(s) => {
                self.hooks.push(s);
                0
            }
            Msg::Echo(n) => n,
            Msg::Panic(text) => panic!("{text}"),
            Msg::Tracked(_) => {
                self.hooks.push("tracked");
                0
            }
            Msg::TellSelfThenStop => {
                self.hooks.push("go");
                ctx.actor_ref()
                    .tell(Msg::Record("self".into()))
                    .expect("tell to self while alive");
                ctx.stop();
                0
            }
            Msg::StopThrice => (0..3).map(|_| u64::from(ctx.stop())).sum(),
        }
    }
}

pub(crate) fn expect_actor_dead<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::ActorDead(e)) => e.message().to_owned(),
        other => panic!("expected Error::ActorDead, got {other:?}"),
    }
}

pub(crate) fn recv<T>(rx: &Receiver<T>, what: &str) -> T {
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("hang guard: never received {what}"))
}
