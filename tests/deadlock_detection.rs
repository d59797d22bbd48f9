//! A wait that could never end is refused with `Error::Deadlock` instead of hanging: the awaited
//! actor's handler is suspended beneath the waiter on the same thread. (Pykka hangs here; see
//! its issue #76.) Timeouts are hang guards only.

use pykka::{Actor, ActorRef, Context, Error, Receive, Runtime};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

struct SelfAsker;
impl Actor for SelfAsker {}
impl Receive for SelfAsker {
    type Message = bool;
    type Reply = Result<bool, Error>;
    fn on_receive(&mut self, outer: bool, ctx: &mut Context<Self>) -> Result<bool, Error> {
        if outer {
            // Asking itself and blocking: the reply needs this very handler to return first.
            ctx.actor_ref().ask(false).get()?
        } else {
            Ok(true)
        }
    }
}

#[test]
fn a_handler_blocking_on_its_own_reply_gets_deadlock_not_a_hang() {
    for threads in [1, 2] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let a = SelfAsker.start_in(&rt);
        let r = a.ask(true).get_timeout(GUARD).unwrap();
        match r {
            Err(Error::Deadlock(d)) => assert_eq!(d.awaited(), a.to_string()),
            other => panic!("expected Deadlock, got {other:?}"),
        }
        // The actor is fine and handles the self-ask it queued.
        assert!(a.ask(false).get_timeout(GUARD).unwrap().unwrap());
    }
}

struct Stopper {
    stopped: Option<pykka::Promise<()>>,
}
impl Actor for Stopper {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        if let Some(p) = self.stopped.take() {
            p.set(());
        }
    }
}
impl Receive for Stopper {
    type Message = ();
    type Reply = bool;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> bool {
        // Pykka's issue #76: a blocking stop of itself from its own handler.
        ctx.actor_ref().stop()
    }
}

#[test]
fn blocking_stop_of_itself_from_a_handler_returns_instead_of_hanging() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (p, stopped) = pykka::promise::<()>();
    let a = Stopper { stopped: Some(p) }.start_in(&rt);
    let reply = a.ask(());
    // The stop was queued (the actor was alive), so it reports true; the actor then stops.
    assert!(reply.get_timeout(GUARD).unwrap());
    stopped.get_timeout(GUARD).expect("the queued stop ran");
    assert!(!a.is_alive());
}

/// Ping asks Pong, which asks Ping back, both blocking.
enum Msg {
    Start(ActorRef<Cycle>),
    Back,
}
struct Cycle;
impl Actor for Cycle {}
impl Receive for Cycle {
    type Message = Msg;
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> Result<u32, Error> {
        match m {
            Msg::Start(peer) => {
                let me = ctx.actor_ref();
                peer.ask(Msg::Start(me)).get()?
            }
            Msg::Back => Ok(1),
        }
    }
}

#[test]
fn a_cycle_of_blocking_asks_run_inline_gets_deadlock() {
    // On one thread the peer runs inline beneath the first handler, so its ask back closes a
    // cycle on one stack: guaranteed deadlock, detected.
    let rt = Runtime::builder().threads(1).build().unwrap();
    let ping = Cycle.start_in(&rt);
    let pong = Cycle.start_in(&rt);
    let r = ping
        .ask(Msg::Start(pong.clone()))
        .get_timeout(GUARD)
        .unwrap();
    assert!(
        matches!(r, Err(Error::Deadlock(_))),
        "expected Deadlock, got {r:?}"
    );
    // Both live on.
    assert_eq!(ping.ask(Msg::Back).get_timeout(GUARD).unwrap().unwrap(), 1);
    assert_eq!(pong.ask(Msg::Back).get_timeout(GUARD).unwrap().unwrap(), 1);
}
