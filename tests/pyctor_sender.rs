//! pyctor's row: the sender of a message (`Context::tell` / `Context::ask`, read with
//! `Context::sender`), messages left undelivered handed back to their sender
//! (`Actor::on_undelivered`), and an actor that carries on after a panic
//! (`Actor::after_panic`). Timeouts are hang guards only.

use pykka::{
    Actor, ActorRef, AfterPanic, AsyncReceive, Context, DeadLetterReason, Failure, Receive,
    Runtime, Undelivered,
};
use std::sync::mpsc::{channel, Sender};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

/// Replies with the URN of the message's sender, if any.
struct WhoSent;
impl Actor for WhoSent {}
impl Receive for WhoSent {
    type Message = ();
    type Reply = Option<String>;
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> Option<String> {
        ctx.sender().map(|s| s.actor_urn().to_owned())
    }
}

/// The same, async.
struct AsyncWhoSent;
impl Actor for AsyncWhoSent {}
impl AsyncReceive for AsyncWhoSent {
    type Message = ();
    type Reply = Option<String>;
    async fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) -> Option<String> {
        ctx.sleep(Duration::ZERO).await.unwrap();
        ctx.sender().map(|s| s.actor_urn().to_owned())
    }
}

enum Ask {
    Sync(ActorRef<WhoSent>),
    Async(ActorRef<AsyncWhoSent>),
    Plain(ActorRef<WhoSent>),
}

struct Asker;
impl Actor for Asker {}
impl Receive for Asker {
    type Message = Ask;
    type Reply = Option<String>;
    fn on_receive(&mut self, m: Ask, ctx: &mut Context<Self>) -> Option<String> {
        match m {
            Ask::Sync(to) => ctx.ask(&to, ()).get().unwrap(),
            Ask::Async(to) => ctx.ask(&to, ()).get().unwrap(),
            Ask::Plain(to) => to.ask(()).get().unwrap(),
        }
    }
}

#[test]
fn the_sender_is_seen_by_sync_and_async_handlers_only_when_sent_as_an_actor() {
    for threads in [1, 2] {
        let rt = Runtime::builder().threads(threads).build().unwrap();
        let (w, aw) = (WhoSent.start_in(&rt), AsyncWhoSent.start_in(&rt));
        let asker = Asker.start_in(&rt);
        let me = Some(asker.actor_urn().to_owned());
        assert_eq!(
            asker.ask(Ask::Sync(w.clone())).get_timeout(GUARD).unwrap(),
            me
        );
        assert_eq!(
            asker
                .ask(Ask::Async(aw.clone()))
                .get_timeout(GUARD)
                .unwrap(),
            me
        );
        assert_eq!(
            asker.ask(Ask::Plain(w.clone())).get_timeout(GUARD).unwrap(),
            None
        );
        // From outside an actor: no sender; and a later message does not see an earlier one's.
        assert_eq!(w.ask(()).get_timeout(GUARD).unwrap(), None);
        assert_eq!(aw.ask(()).get_timeout(GUARD).unwrap(), None);
        rt.shutdown().unwrap();
    }
}

/// Fails (and so dies) on its first message; the rest stay in its mailbox.
struct StopsAtOnce;
impl Actor for StopsAtOnce {}
impl Receive for StopsAtOnce {
    type Message = u32;
    type Reply = ();
    fn on_receive(&mut self, _: u32, _: &mut Context<Self>) {
        panic!("dies at once");
    }
}

/// The same, async.
struct AsyncStopsAtOnce;
impl Actor for AsyncStopsAtOnce {}
impl AsyncReceive for AsyncStopsAtOnce {
    type Message = u32;
    type Reply = ();
    async fn on_receive(&mut self, _: u32, ctx: &mut Context<Self>) {
        ctx.sleep(Duration::ZERO).await.unwrap();
        panic!("dies at once");
    }
}

enum Send3 {
    Sync(ActorRef<StopsAtOnce>),
    Async(ActorRef<AsyncStopsAtOnce>),
}

struct Teller {
    back: Sender<(u32, DeadLetterReason, String)>,
}
impl Actor for Teller {
    fn on_undelivered(&mut self, letter: Undelivered, _: &mut Context<Self>) {
        let (reason, to) = (
            letter.letter().reason(),
            letter.letter().recipient_urn().to_owned(),
        );
        let n = letter.downcast::<u32>().expect("a u32 comes back");
        self.back.send((n, reason, to)).unwrap();
    }
}
impl Receive for Teller {
    type Message = Send3;
    type Reply = ();
    fn on_receive(&mut self, m: Send3, ctx: &mut Context<Self>) {
        match m {
            Send3::Sync(to) => {
                for n in 1..=3 {
                    ctx.tell(&to, n).unwrap();
                }
            }
            Send3::Async(to) => {
                for n in 1..=3 {
                    ctx.tell(&to, n).unwrap();
                }
            }
        }
    }
}

#[test]
fn messages_left_in_a_dead_actors_mailbox_go_back_to_their_sender() {
    let rt = Runtime::builder()
        .threads(2)
        .quiet_panics(true)
        .build()
        .unwrap();
    let (tx, rx) = channel();
    let teller = Teller { back: tx }.start_in(&rt);
    let to = StopsAtOnce.start_in(&rt);
    teller.tell(Send3::Sync(to.clone())).unwrap();
    let mut got = vec![
        rx.recv_timeout(GUARD).unwrap(),
        rx.recv_timeout(GUARD).unwrap(),
    ];
    got.sort_by_key(|g| g.0);
    let urn = to.actor_urn().to_owned();
    assert_eq!(
        got,
        [
            (2, DeadLetterReason::LeftInMailbox, urn.clone()),
            (3, DeadLetterReason::LeftInMailbox, urn)
        ]
    );
    let to = AsyncStopsAtOnce.start_in(&rt);
    teller.tell(Send3::Async(to.clone())).unwrap();
    let mut got = vec![
        rx.recv_timeout(GUARD).unwrap().0,
        rx.recv_timeout(GUARD).unwrap().0,
    ];
    got.sort();
    assert_eq!(got, [2, 3]);
    // They are runtime-wide dead letters too.
    assert_eq!(rt.dead_letter_count(), 4);
    rt.shutdown().unwrap();
}

/// Panics on `true`; carries on, recording each failure and who sent the failed message.
struct Resilient {
    seen: Sender<(String, Option<String>)>,
}
impl Actor for Resilient {
    fn after_panic(&mut self, failure: &Failure, ctx: &mut Context<Self>) -> AfterPanic {
        let sender = ctx.sender().map(|s| s.actor_urn().to_owned());
        self.seen
            .send((failure.message().to_owned(), sender))
            .unwrap();
        AfterPanic::CarryOn
    }
}
impl AsyncReceive for Resilient {
    type Message = bool;
    type Reply = u32;
    async fn on_receive(&mut self, fail: bool, ctx: &mut Context<Self>) -> u32 {
        ctx.sleep(Duration::ZERO).await.unwrap();
        assert!(!fail, "bad message");
        7
    }
}

struct Forwarder(ActorRef<Resilient>);
impl Actor for Forwarder {}
impl Receive for Forwarder {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) {
        ctx.tell(&self.0, true).unwrap();
    }
}

#[test]
fn an_actor_can_carry_on_after_a_panic_with_the_failure_and_the_sender() {
    let rt = Runtime::builder()
        .threads(1)
        .quiet_panics(true)
        .build()
        .unwrap();
    let (tx, rx) = channel();
    let r = Resilient { seen: tx }.start_in(&rt);
    r.tell(true).unwrap();
    assert_eq!(
        rx.recv_timeout(GUARD).unwrap(),
        ("bad message".to_owned(), None)
    );
    let f = Forwarder(r.clone()).start_in(&rt);
    f.tell(()).unwrap();
    assert_eq!(
        rx.recv_timeout(GUARD).unwrap(),
        ("bad message".to_owned(), Some(f.actor_urn().to_owned()))
    );
    // Still alive, the same value.
    assert_eq!(r.ask(false).get_timeout(GUARD).unwrap(), 7);
    assert!(r.is_alive());
    rt.shutdown().unwrap();
}

// -- Found by review: a finished async message's sender must not leak ------------------------

enum SvcMsg {
    Gate(pykka::Future<u32>),
    Ping,
}

struct Svc {
    stopped_with: Sender<Option<String>>,
}
impl Actor for Svc {
    fn on_stop(&mut self, ctx: &mut Context<Self>) {
        let _ = self
            .stopped_with
            .send(ctx.sender().map(|s| s.actor_urn().to_owned()));
    }
}
impl AsyncReceive for Svc {
    type Message = SvcMsg;
    type Reply = ();
    async fn on_receive(&mut self, m: SvcMsg, _: &mut Context<Self>) {
        if let SvcMsg::Gate(f) = m {
            let _ = f.await;
        }
    }
}

struct Client;
impl Actor for Client {}
impl Receive for Client {
    type Message = ActorRef<Svc>;
    type Reply = ();
    fn on_receive(&mut self, svc: ActorRef<Svc>, ctx: &mut Context<Self>) {
        ctx.tell(&svc, SvcMsg::Ping).unwrap();
    }
}

#[test]
fn the_sender_of_an_async_message_does_not_leak_into_the_next_envelopes() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (tx, rx) = channel();
    let svc = Svc { stopped_with: tx }.start_in(&rt);
    let client = Client.start_in(&rt);
    // Queued behind a suspended message, in one batch: a message with a sender, then a proxy
    // call, then a stop.
    let (gate, gated) = pykka::promise::<u32>();
    let first = svc.ask(SvcMsg::Gate(gated));
    client.ask(svc.clone()).get_timeout(GUARD).unwrap();
    let seen = svc
        .proxy()
        .unwrap()
        .call_with_context(|_, ctx| ctx.sender().map(|s| s.actor_urn().to_owned()));
    let stopped = svc.request_stop();
    gate.set(1);
    first.get_timeout(GUARD).unwrap();
    assert_eq!(seen.get_timeout(GUARD).unwrap(), None);
    assert!(stopped.get_timeout(GUARD).unwrap());
    assert_eq!(rx.recv_timeout(GUARD).unwrap(), None);
    rt.shutdown().unwrap();
}
