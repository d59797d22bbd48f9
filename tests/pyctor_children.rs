//! pyctor's rule: a parent watches the children it starts. Its `on_terminated` runs once per
//! child that stops, with the reason; a supervised child restarting in place is not a stop.
//! Timeouts are hang guards only.

use pykka::{Actor, ActorRef, Context, Directive, Receive, Runtime, StopReason, Terminated};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

struct Child;
impl Actor for Child {}
impl Receive for Child {
    type Message = bool;
    type Reply = ();
    fn on_receive(&mut self, fail: bool, _: &mut Context<Self>) {
        assert!(!fail, "child failure");
    }
}

enum Start {
    Plain,
    Resumed,
}

struct Parent {
    ended: Sender<(String, StopReason)>,
}
impl Actor for Parent {
    fn on_terminated(&mut self, t: &Terminated, _: &mut Context<Self>) {
        let _ = self.ended.send((t.actor_urn().to_owned(), t.reason()));
    }
}
impl Receive for Parent {
    type Message = Start;
    type Reply = ActorRef<Child>;
    fn on_receive(&mut self, s: Start, ctx: &mut Context<Self>) -> ActorRef<Child> {
        match s {
            Start::Plain => ctx.start_child(Child),
            Start::Resumed => ctx.child(|| Child).on_panic(Directive::Resume).start(),
        }
    }
}

fn parent(rt: &Runtime) -> (ActorRef<Parent>, Receiver<(String, StopReason)>) {
    let (tx, rx) = channel();
    (Parent { ended: tx }.start_in(rt), rx)
}

#[test]
fn a_parent_is_told_when_each_child_stops_for_whatever_reason() {
    let rt = Runtime::builder()
        .threads(2)
        .quiet_panics(true)
        .build()
        .unwrap();
    let (p, ended) = parent(&rt);
    let stopped = p.ask(Start::Plain).get_timeout(GUARD).unwrap();
    let panicked = p.ask(Start::Plain).get_timeout(GUARD).unwrap();
    let killed = p.ask(Start::Plain).get_timeout(GUARD).unwrap();
    stopped.stop();
    assert_eq!(
        ended.recv_timeout(GUARD).unwrap(),
        (stopped.actor_urn().to_owned(), StopReason::Stopped)
    );
    panicked.tell(true).unwrap();
    assert_eq!(
        ended.recv_timeout(GUARD).unwrap(),
        (panicked.actor_urn().to_owned(), StopReason::Panicked)
    );
    killed.kill();
    assert_eq!(
        ended.recv_timeout(GUARD).unwrap(),
        (killed.actor_urn().to_owned(), StopReason::Killed)
    );
    // A resumed child goes on: no notification.
    let resumed = p.ask(Start::Resumed).get_timeout(GUARD).unwrap();
    resumed.tell(true).unwrap();
    resumed.ask(false).get_timeout(GUARD).unwrap();
    assert!(resumed.is_alive());
    assert!(ended.try_recv().is_err());
    rt.shutdown().unwrap();
}
