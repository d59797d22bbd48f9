//! The hang guards, the watcher and the bounded waits shared by the `stress_races_attack_*` test
//! files (races between stop / kill / shutdown / shutdown_timeout / runtime drop and every kind of
//! send).

use pykka::{Actor, ActorRef, AnyActorRef, Context, Receive, Runtime, StopReason, Terminated};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Hang guard for one wait.
pub(crate) const GUARD: Duration = Duration::from_secs(20);

/// Watchdog for one test (seconds).
pub(crate) const WATCHDOG: u64 = 120;

/// Spins (yielding) until `cond` holds; panics after the hang guard.
#[track_caller]
pub(crate) fn spin_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + GUARD;
    while !cond() {
        assert!(Instant::now() < deadline, "hang guard: {what}");
        thread::yield_now();
    }
}

/// Runs `f` on a thread of its own and waits at most `limit` for it: `None` if it did not
/// return (the thread is left behind, blocked: a hang detected without aborting the process).
pub(crate) fn bounded<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

// ------------------------------------------------------------------------------------------
// A watcher that reports every `Terminated` it is told.

pub(crate) enum WMsg {
    Watch(AnyActorRef),
    Sync,
}

pub(crate) struct Watcher {
    events: Sender<(String, StopReason)>,
}

impl Actor for Watcher {
    fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
        let _ = self.events.send((t.actor_urn().to_owned(), t.reason()));
    }
}

impl Receive for Watcher {
    type Message = WMsg;
    type Reply = ();
    fn on_receive(&mut self, m: WMsg, ctx: &mut Context<Self>) {
        match m {
            WMsg::Watch(a) => ctx.watch(&a),
            WMsg::Sync => {}
        }
    }
}

pub(crate) fn watcher(rt: &Runtime) -> (ActorRef<Watcher>, Receiver<(String, StopReason)>) {
    let (tx, rx) = mpsc::channel();
    (Watcher { events: tx }.start_in(rt), rx)
}

/// `rt.join()` returns (hang-guarded).
#[track_caller]
pub(crate) fn assert_join_returns(rt: &Arc<Runtime>, what: &str) {
    let rt = Arc::clone(rt);
    assert!(
        bounded(GUARD, move || rt.join()).is_some_and(|r| r.is_ok()),
        "{what}: Runtime::join did not return: an actor was never counted dead"
    );
}
