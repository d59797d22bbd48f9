//! Section 2 of `pykka-behaviors.md`: `ActorRef` (b2_1 .. b2_11).
//!
//! Synchronisation is by channels, futures and mailbox FIFO order only; every timeout below is a
//! hang guard, never a way to wait for another thread (except where a `Timeout` is the behaviour
//! under test, on a handler the test keeps blocked).

use pykka::{Actor, ActorDeadError, AnyActorRef, Context, Error, Receive, Runtime};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Hang guard for every blocking wait in this file.
const HANG: Duration = Duration::from_secs(10);

fn runtime() -> Runtime {
    Runtime::builder().threads(2).build().unwrap()
}

fn recv<T>(rx: &Receiver<T>, what: &str) -> T {
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("hang guard: never received {what}"))
}

fn expect_actor_dead<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::ActorDead(e)) => e.message().to_owned(),
        other => panic!("expected Error::ActorDead, got {other:?}"),
    }
}

/// An actor whose `Block` handler signals entry and waits until the test releases it.
struct Greeter {
    entered: Sender<()>,
    release: Receiver<()>,
    log: Arc<Mutex<Vec<u32>>>,
}

enum Msg {
    Block,
    Record(u32),
    Echo(u32),
    IsAlive,
    Log,
}

#[derive(Debug, PartialEq)]
enum Reply {
    Done,
    Echo(u32),
    Alive(bool),
    Log(Vec<u32>),
}

impl Actor for Greeter {}

impl Receive for Greeter {
    type Message = Msg;
    type Reply = Reply;

    fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> Reply {
        match m {
            Msg::Block => {
                self.entered.send(()).unwrap();
                self.release.recv().unwrap();
                Reply::Done
            }
            Msg::Record(n) => {
                self.log.lock().unwrap().push(n);
                Reply::Done
            }
            Msg::Echo(n) => Reply::Echo(n),
            Msg::IsAlive => Reply::Alive(ctx.actor_ref().is_alive()),
            Msg::Log => Reply::Log(self.log.lock().unwrap().clone()),
        }
    }
}

struct Ctl {
    entered: Receiver<()>,
    release: Sender<()>,
    log: Arc<Mutex<Vec<u32>>>,
}

impl Ctl {
    fn wait_entered(&self) {
        recv(&self.entered, "the handler's entry");
    }

    fn open(&self) {
        self.release.send(()).unwrap();
    }
}

fn greeter() -> (Greeter, Ctl) {
    let (etx, erx) = mpsc::channel();
    let (rtx, rrx) = mpsc::channel();
    let log = Arc::new(Mutex::new(Vec::new()));
    (
        Greeter {
            entered: etx,
            release: rrx,
            log: Arc::clone(&log),
        },
        Ctl {
            entered: erx,
            release: rtx,
            log,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// b2_1

#[test]
fn b2_1_display_is_class_and_urn_and_debug_names_both() {
    let rt = runtime();
    let (g, _ctl) = greeter();
    let a = g.start_in(&rt);
    let urn = a.actor_urn().to_owned();
    assert_eq!(a.actor_class(), "Greeter");
    assert_eq!(a.to_string(), format!("Greeter ({urn})"));
    let debug = format!("{a:?}");
    assert!(
        debug.contains(&format!("ActorRef for Greeter ({urn})")),
        "Debug was {debug:?}"
    );
    // The type-erased ref and a clone show the same.
    let any = AnyActorRef::from(a.clone());
    assert_eq!(any.to_string(), format!("Greeter ({urn})"));
    assert!(format!("{any:?}").contains(&format!("ActorRef for Greeter ({urn})")));
    // And so does a dead one.
    assert!(a.stop());
    assert_eq!(a.to_string(), format!("Greeter ({urn})"));
}

// ---------------------------------------------------------------------------------------------
// b2_2

#[test]
fn b2_2_is_alive_while_running_and_false_after_stop_returned() {
    let rt = runtime();
    let (g, _ctl) = greeter();
    let a = g.start_in(&rt);
    assert!(a.is_alive());
    assert_eq!(
        a.ask(Msg::IsAlive).get_timeout(HANG).unwrap(),
        Reply::Alive(true)
    );
    assert!(a.is_alive());
    let clone = a.clone();
    assert!(a.stop());
    assert!(!a.is_alive());
    assert!(!clone.is_alive(), "a clone of the ref disagrees");
}

// ---------------------------------------------------------------------------------------------
// b2_3

#[test]
fn b2_3_stop_returns_true_then_false() {
    let rt = runtime();
    let (g, _ctl) = greeter();
    let a = g.start_in(&rt);
    assert!(a.stop(), "stop() on a live actor");
    assert!(!a.stop(), "second stop() on a dead actor");
    assert!(!a.stop());
}

// ---------------------------------------------------------------------------------------------
// b2_4

#[test]
fn b2_4_two_queued_stops_resolve_true_and_one_after_death_false() {
    let rt = runtime();
    let (g, ctl) = greeter();
    let a = g.start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    // Both queued while the actor is alive (it is blocked in a handler).
    let first = a.request_stop();
    let second = a.request_stop();
    assert!(!first.is_ready() && !second.is_ready());
    ctl.open();
    assert!(first.get_timeout(HANG).unwrap());
    assert!(second.get_timeout(HANG).unwrap());
    assert!(!a.is_alive());
    assert!(!a.request_stop().get_timeout(HANG).unwrap());
    assert!(!a.stop());
}

// ---------------------------------------------------------------------------------------------
// b2_5

#[test]
fn b2_5_tell_delivers_to_on_receive() {
    let rt = runtime();
    let (g, ctl) = greeter();
    let a = g.start_in(&rt);
    assert!(a.tell(Msg::Record(1)).is_ok());
    assert!(a.tell(Msg::Record(2)).is_ok());
    assert_eq!(
        a.ask(Msg::Log).get_timeout(HANG).unwrap(),
        Reply::Log(vec![1, 2])
    );
    assert_eq!(*ctl.log.lock().unwrap(), [1, 2]);
    assert!(a.stop());
}

/// Forwards whatever it receives to the test.
struct Collector<M> {
    out: Sender<M>,
}

impl<M: Send + 'static> Actor for Collector<M> {}

impl<M: Send + 'static> Receive for Collector<M> {
    type Message = M;
    type Reply = ();
    fn on_receive(&mut self, m: M, _ctx: &mut Context<Self>) {
        self.out.send(m).unwrap();
    }
}

fn round_trip<M: Send + 'static>(rt: &Runtime, m: M) -> M {
    let (tx, rx) = mpsc::channel();
    let a = Collector { out: tx }.start_in(rt);
    a.tell(m)
        .unwrap_or_else(|_| panic!("tell to a live actor failed"));
    let got = recv(&rx, "the told message");
    assert!(a.stop());
    got
}

#[test]
fn b2_5_any_send_static_type_can_be_the_message_type() {
    // Not Clone, not Debug, not Sync: only Send + 'static.
    struct Opaque {
        cells: RefCell<Vec<u8>>,
    }
    #[derive(PartialEq, Debug)]
    enum Kind {
        A(u8),
        B { text: String },
    }
    let rt = runtime();
    assert_eq!(round_trip(&rt, String::from("hello")), "hello");
    assert_eq!(round_trip(&rt, ()), ());
    assert_eq!(round_trip(&rt, (1u8, 'x', 2.5f64)), (1, 'x', 2.5));
    assert_eq!(round_trip(&rt, Kind::A(3)), Kind::A(3));
    assert_eq!(
        round_trip(&rt, Kind::B { text: "b".into() }),
        Kind::B { text: "b".into() }
    );
    let opaque = round_trip(
        &rt,
        Opaque {
            cells: RefCell::new(vec![1, 2, 3]),
        },
    );
    assert_eq!(*opaque.cells.borrow(), [1, 2, 3]);
    let f = round_trip(&rt, Box::new(|| 41 + 1) as Box<dyn FnOnce() -> i32 + Send>);
    assert_eq!(f(), 42);
    let (tx, rx) = mpsc::channel::<&'static str>();
    let sender = round_trip(&rt, tx);
    sender.send("through a moved channel").unwrap();
    assert_eq!(rx.recv().unwrap(), "through a moved channel");
}

// ---------------------------------------------------------------------------------------------
// b2_6

#[test]
fn b2_6_tell_to_a_dead_actor_fails_naming_class_and_urn() {
    let rt = runtime();
    let (g, _ctl) = greeter();
    let a = g.start_in(&rt);
    assert!(a.stop());
    let err = a
        .tell(Msg::Record(9))
        .expect_err("tell to a dead actor succeeded");
    let expected = format!("Greeter ({}) not found", a.actor_urn());
    assert_eq!(err.to_string(), expected);
    assert_eq!(err.error().message(), expected);
    assert!(matches!(err.message(), Msg::Record(9)));
    let dead: ActorDeadError = err.into();
    assert_eq!(dead.to_string(), expected);
    let err: Error = a.tell(Msg::Record(10)).unwrap_err().into();
    assert_eq!(expect_actor_dead::<()>(Err(err)), expected);
}

// ---------------------------------------------------------------------------------------------
// b2_7

#[test]
fn b2_7_get_blocks_until_the_reply() {
    let rt = runtime();
    let (g, ctl) = greeter();
    let a = g.start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    let released = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let (asked_tx, asked_rx) = mpsc::channel();
    let getter = {
        let a = a.clone();
        let released = Arc::clone(&released);
        thread::spawn(move || {
            let future = a.ask(Msg::Echo(7));
            asked_tx.send(()).unwrap();
            let reply = future.get();
            // The reply cannot exist before the test released the handler.
            tx.send((reply, released.load(Ordering::SeqCst))).unwrap();
        })
    };
    recv(&asked_rx, "the getter's ask");
    released.store(true, Ordering::SeqCst);
    ctl.open();
    let (reply, released_before) = recv(&rx, "get()'s result");
    assert_eq!(reply.unwrap(), Reply::Echo(7));
    assert!(
        released_before,
        "get() returned before the handler could reply"
    );
    getter.join().unwrap();
    assert!(a.stop());
}

#[test]
fn b2_7_get_timeout_zero_on_a_slow_reply_is_timeout() {
    let rt = runtime();
    let (g, ctl) = greeter();
    let a = g.start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    // The handler is blocked until the test releases it: no reply can be there.
    match a.ask(Msg::Echo(1)).get_timeout(Duration::ZERO) {
        Err(Error::Timeout(t)) => assert_eq!(t.duration(), Duration::ZERO),
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    match a.ask(Msg::Echo(2)).get_timeout(Duration::from_millis(20)) {
        Err(Error::Timeout(t)) => assert_eq!(t.duration(), Duration::from_millis(20)),
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    ctl.open();
    assert_eq!(
        a.ask(Msg::Echo(3)).get_timeout(HANG).unwrap(),
        Reply::Echo(3)
    );
    assert!(a.stop());
}

// ---------------------------------------------------------------------------------------------
// b2_8

#[test]
fn b2_8_ask_returns_a_future_at_once_and_get_gives_the_reply() {
    let rt = runtime();
    let (g, ctl) = greeter();
    let a = g.start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    // ask on another thread so that a blocking ask would trip the hang guard, not hang the test.
    let (tx, rx) = mpsc::channel();
    let asker = {
        let a = a.clone();
        thread::spawn(move || tx.send(a.ask(Msg::Echo(5))).unwrap())
    };
    let future = recv(&rx, "ask()'s future while the actor is busy");
    asker.join().unwrap();
    assert!(
        !future.is_ready(),
        "the reply exists before the handler ran"
    );
    ctl.open();
    assert_eq!(future.get().unwrap(), Reply::Echo(5));
    assert!(a.stop());
}

// ---------------------------------------------------------------------------------------------
// b2_9

#[test]
fn b2_9_ask_to_a_dead_actor_gives_a_future_failed_with_actor_dead() {
    let rt = runtime();
    let (g, _ctl) = greeter();
    let a = g.start_in(&rt);
    assert!(a.stop());
    // No panic at the call; the future has already failed.
    let future = a.ask(Msg::Echo(1));
    assert!(future.is_ready());
    let message = expect_actor_dead(future.get());
    assert_eq!(message, format!("Greeter ({}) not found", a.actor_urn()));
}

// ---------------------------------------------------------------------------------------------
// b2_10

#[test]
fn b2_10_a_timed_out_ask_is_not_cancelled() {
    let rt = runtime();
    let (g, ctl) = greeter();
    let a = g.start_in(&rt);
    a.tell(Msg::Block).unwrap();
    ctl.wait_entered();
    let timed_out = a.ask(Msg::Record(77)).get_timeout(Duration::ZERO);
    assert!(matches!(timed_out, Err(Error::Timeout(_))), "{timed_out:?}");
    // A dropped future does not cancel either.
    drop(a.ask(Msg::Record(78)));
    ctl.open();
    assert_eq!(
        a.ask(Msg::Log).get_timeout(HANG).unwrap(),
        Reply::Log(vec![77, 78]),
        "the timed-out message was not handled"
    );
    assert!(a.stop());
}

// ---------------------------------------------------------------------------------------------
// b2_11

/// Replies with the address of the buffer it received, and hands the buffer back.
struct Inspector;

impl Actor for Inspector {}

impl Receive for Inspector {
    type Message = Vec<u8>;
    type Reply = (usize, Vec<u8>);
    fn on_receive(&mut self, m: Vec<u8>, _ctx: &mut Context<Self>) -> (usize, Vec<u8>) {
        (m.as_ptr() as usize, m)
    }
}

#[test]
fn b2_11_messages_are_moved_never_copied() {
    let rt = runtime();
    let a = Inspector.start_in(&rt);
    let buffer = vec![7u8; 1 << 16];
    let sent_at = buffer.as_ptr() as usize;
    let (received_at, back) = a.ask(buffer).get_timeout(HANG).unwrap();
    assert_eq!(
        received_at, sent_at,
        "the actor got a copy, not the sent buffer"
    );
    assert_eq!(back.as_ptr() as usize, sent_at, "the reply is a copy");
    assert_eq!(back.len(), 1 << 16);

    // Told messages too: the same allocation reaches the handler.
    let (tx, rx) = mpsc::channel();
    let c = Collector { out: tx }.start_in(&rt);
    let shared = Arc::new(String::from("payload"));
    c.tell(Arc::clone(&shared)).unwrap();
    let got: Arc<String> = recv(&rx, "the told message");
    assert!(Arc::ptr_eq(&got, &shared), "the told message is a copy");

    // A message refused by a dead actor comes back, not a copy of it.
    assert!(a.stop());
    let buffer = vec![1u8; 64];
    let sent_at = buffer.as_ptr() as usize;
    let back = a.tell(buffer).unwrap_err().into_inner();
    assert_eq!(back.as_ptr() as usize, sent_at);
    assert!(c.stop());
}
